// MAP_NORESERVE is not in /proc/self/maps, only in smaps' VmFlags ("nr"):
// a mapping made with it costs no commit charge, which is how an app can
// reserve more than RAM (ASan's shadow, 64 GiB arenas). The restorer maps
// such a region the same way, or it fails with ENOMEM.
#include "runtime/noreserve.h"

#include <linux/errno.h>

#include "arch/sys.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

// "start-end perms ...": the first line of each mapping's block. The
// other lines start with a field name ("Size:", "VmFlags:"), capitalised.
bool mapping_line(const char *p, const char *end, uint64_t *start,
		  uint64_t *stop)
{
	uint64_t v[2] = {0, 0};
	for (int k = 0; k < 2; k++) {
		const char *first = p;
		for (int d; p < end && (d = hex_digit(*p)) >= 0; p++)
			v[k] = v[k] << 4 | (uint64_t)d;
		if (p == first || p == end || *p != (k ? ' ' : '-'))
			return false;
		p++;
	}
	*start = v[0];
	*stop = v[1];
	return true;
}

bool has_flag(const char *p, const char *end, const char *flag)
{
	while (p + 2 <= end) {
		if (p[0] == ' ' && p[1] == flag[0] && p[2] == flag[1] &&
		    (p + 3 == end || p[3] == ' '))
			return true;
		p++;
	}
	return false;
}

struct marker {
	image::region *regions;
	uint32_t count;
	uint32_t next = 0;
	uint64_t start = 0, end = 0;

	void line(const char *p, const char *stop)
	{
		if (mapping_line(p, stop, &start, &end))
			return;
		if (stop - p < 8 || !starts_with(p, "VmFlags:") ||
		    !has_flag(p + 8, stop, "nr"))
			return;
		while (next < count && regions[next].end <= start)
			next++;
		for (uint32_t i = next; i < count && regions[i].start < end;
		     i++) {
			if (regions[i].start >= start && regions[i].end <= end)
				regions[i].flags |= image::region_noreserve;
		}
	}
};

} // namespace

void mark_noreserve(image::region *regions, uint32_t count, char *buf,
		    size_t cap)
{
	long fd = sys::open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	marker m{regions, count};
	size_t have = 0;
	for (;;) {
		long n = sys::read((int)fd, buf + have, cap - have);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		char *p = buf, *lim = buf + have;
		for (char *nl = p; nl < lim; nl++) {
			if (*nl == '\n') {
				m.line(p, nl);
				p = nl + 1;
			}
		}
		have = (size_t)(lim - p);
		memmove(buf, p, have);
		if (have == cap)
			break; // a line longer than the buffer: not smaps
	}
	sys::close((int)fd);
}

} // namespace ckpt
