#include "runtime/fdinfo.h"

#include "runtime/fmt.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace ckpt {

long read_fdinfo(int fd, char *buf, size_t cap)
{
	char path[48];
	text t(path, sizeof path);
	t.str("/proc/self/fdinfo/").dec(fd);
	return read_file(path, buf, cap);
}

bool fdinfo_number(const char *s, const char *end, const char *key, int base,
		   uint64_t *v)
{
	const size_t k = str_len(key);
	for (; s + k <= end; s++) {
		if (memcmp(s, key, k) != 0)
			continue;
		const char *p = s + k;
		while (p < end && *p == ' ')
			p++;
		uint64_t n = 0;
		const char *start = p;
		for (; p < end; p++) {
			int d = base == 16 ? hex_digit(*p)
				: *p >= '0' && *p <= '9' ? *p - '0' : -1;
			if (d < 0)
				break;
			n = n * base + d;
		}
		*v = n;
		return p != start;
	}
	return false;
}

} // namespace ckpt
