// Reading a file of /proc line by line through a caller's buffer, for
// files of any length (/proc/self/maps): f(line, length) per complete
// line, until it returns false. A line longer than the buffer is skipped.
#pragma once

#include "arch/sys.h"
#include "runtime/str.h"

namespace ckpt {

template <class F>
long each_line(const char *path, char *buf, size_t cap, F f)
{
	long fd = sys::open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fd;
	size_t have = 0;
	bool more = true, skipping = false;
	long n = 0;
	while (more && (n = sys::read((int)fd, buf + have, cap - have)) > 0) {
		have += (size_t)n;
		size_t start = 0;
		for (size_t i = 0; more && i < have; i++) {
			if (buf[i] != '\n')
				continue;
			if (!skipping)
				more = f(buf + start, i - start);
			skipping = false;
			start = i + 1;
		}
		if (start == 0 && have == cap) {
			start = have; // no end of line in sight
			skipping = true;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	sys::close((int)fd);
	return n < 0 ? n : 0;
}

} // namespace ckpt
