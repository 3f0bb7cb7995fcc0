// What /proc/self/maps does not say of a mapping and smaps' VmFlags do:
// MAP_NORESERVE ("nr": a mapping made with it costs no commit charge,
// which is how an app can reserve more than RAM: ASan's shadow, 64 GiB
// arenas; the restorer maps it the same way, or fails with ENOMEM), the
// memory advice and locking the restorer applies again (issue #13, part
// A), and which shared mappings of deleted files and memfds belong to one
// file (their device and inode) when no descriptor holds it.
#include "runtime/noreserve.h"

#include <linux/errno.h>

#include "arch/sys.h"
#include "runtime/attrs.h"
#include "runtime/maps.h"
#include "runtime/runtime.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

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

// The mnemonics of the kernel's show_smap_vma_flags() (fs/proc/
// task_mmu.c) the restorer acts on. Not "nr" of the kernel's own
// mappings: only the region's bits below.
struct vm_flag {
	char name[3];
	uint32_t bit;
};
constexpr vm_flag advice_flags[] = {
	{"dc", image::region_dontfork},	 {"wf", image::region_wipeonfork},
	{"dd", image::region_dontdump},	 {"hg", image::region_hugepage},
	{"nh", image::region_nohugepage}, {"lo", image::region_locked},
	{"lf", image::region_lockonfault}, {"dp", image::region_droppable},
};

} // namespace

uint32_t advice_bits(const char *flags, const char *end)
{
	uint32_t bits = 0;
	for (const vm_flag &f : advice_flags) {
		if (has_flag(flags, end, f.name))
			bits |= f.bit;
	}
	return bits;
}

namespace {

bool ends_with(const char *s, size_t len, const char *tail)
{
	size_t n = str_len(tail);
	return len >= n && memcmp(s + len - n, tail, n) == 0;
}

// A deleted file or memfd mapped shared: not shared anonymous memory
// ("/dev/zero (deleted)") nor System V shared memory ("/SYSV..."), which
// come back as shared memory as they always did, nor an AIO ring
// ("/[aio] (deleted)"), which cannot come back (named at checkpoint).
bool deleted_file(const map_entry &e)
{
	return e.shared && e.name_len && e.name[0] == '/' &&
	       ends_with(e.name, e.name_len, " (deleted)") &&
	       !starts_with(e.name, "/dev/zero ") && !starts_with(e.name, "/SYSV") &&
	       !starts_with(e.name, "/[aio] ");
}

// Fills a vma_list from smaps: one entry per mapping, its flags from the
// VmFlags line that ends its record.
struct reader {
	vma_list &list;
	bool dropped = false; // the record being read did not fit

	void line(const char *p, const char *stop)
	{
		maps_scanner scan(p, (size_t)(stop - p));
		map_entry e;
		if (p < stop && *p != 'V' && scan.next(&e)) {
			dropped = list.count == list.cap;
			if (dropped)
				return;
			vma_flags &v = list.items[list.count++];
			v = {e.start, e.end, e.inode,
			     e.dev_major << 20 | (e.dev_minor & 0xfffff), 0,
			     deleted_file(e), false};
			return;
		}
		if (!list.count || dropped || stop - p < 8 ||
		    !starts_with(p, "VmFlags:"))
			return;
		vma_flags &v = list.items[list.count - 1];
		// MAP_DROPPABLE implies "wf dd nr": mapped so, they come back.
		v.bits = advice_bits(p + 8, stop);
		if (has_flag(p + 8, stop, "nr"))
			v.bits |= image::region_noreserve;
		v.hugetlb = has_flag(p + 8, stop, "ht");
	}
};

struct marker {
	image::region *regions;
	uint32_t count;
	uint32_t next = 0;
	// The files only mappings hold seen so far: their first region.
	struct file {
		uint32_t dev;
		uint64_t inode;
		uint32_t first;
	};
	file files[max_shared_files];
	uint32_t file_count = 0;

	void mark(const vma_flags &v)
	{
		while (next < count && regions[next].end <= v.start)
			next++;
		for (uint32_t i = next; i < count && regions[i].start < v.end;
		     i++) {
			image::region &r = regions[i];
			if (r.start < v.start || r.end > v.end)
				continue;
			r.flags |= v.bits & image::region_noreserve;
			if (r.kind != image::kind_kernel)
				r.flags |= v.bits & ~(uint32_t)image::region_noreserve;
			if (v.deleted && !v.hugetlb && r.kind == image::kind_file &&
			    !(r.flags & (image::region_file_backed |
					 image::region_content |
					 image::region_file_private)))
				shared_file(i, v);
		}
	}

	// Region i maps a file no descriptor holds: one of its group.
	void shared_file(uint32_t i, const vma_flags &v)
	{
		uint32_t k = 0;
		while (k < file_count &&
		       (files[k].dev != v.dev || files[k].inode != v.inode))
			k++;
		if (k == file_count) {
			if (file_count == max_shared_files)
				return;
			files[file_count++] = {v.dev, v.inode, i};
		}
		add_shared_file(i, files[k].first);
	}
};

} // namespace

bool scan_smaps(char *buf, size_t cap,
		void (*line)(void *ctx, const char *p, const char *end),
		void *ctx)
{
	long fd = sys::open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t have = 0;
	bool ok = true;
	for (;;) {
		long n = sys::read((int)fd, buf + have, cap - have);
		if (n == -EINTR)
			continue;
		if (n <= 0) {
			ok = n == 0;
			break;
		}
		have += (size_t)n;
		char *p = buf, *lim = buf + have;
		for (char *nl = p; nl < lim; nl++) {
			if (*nl == '\n') {
				line(ctx, p, nl);
				p = nl + 1;
			}
		}
		have = (size_t)(lim - p);
		memmove(buf, p, have);
		if (have == cap) {
			ok = false;
			break; // a line longer than the buffer: not smaps
		}
	}
	sys::close((int)fd);
	return ok;
}

void read_vm_flags(vma_list &list, char *buf, size_t cap)
{
	list.count = 0;
	reader r{list};
	scan_smaps(buf, cap, [](void *ctx, const char *p, const char *end) {
		static_cast<reader *>(ctx)->line(p, end);
	}, &r);
}

void mark_vm_flags(image::region *regions, uint32_t count,
		   const vma_list &list)
{
	// Static: too large for a signal handler's stack.
	static marker m;
	m.regions = regions;
	m.count = count;
	m.next = 0;
	m.file_count = 0;
	for (uint32_t k = 0; k < list.count; k++)
		m.mark(list.items[k]);
	// A forked writer's smaps lack the app's locks: the app's say.
	for (uint32_t k = 0; config.fork && k < saved_attrs.locked_count; k++) {
		const locked_range &l = saved_attrs.locked[k];
		for (uint32_t i = 0; i < count; i++) {
			image::region &r = regions[i];
			if (r.start >= l.start && r.end <= l.end &&
			    r.kind != image::kind_kernel)
				r.flags |= l.bits;
		}
	}
}

} // namespace ckpt
