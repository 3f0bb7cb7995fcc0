// Incremental images: the tracking of written pages and the parent's
// second name.
//
// This kernel has no soft-dirty bits (CONFIG_MEM_SOFT_DIRTY, CRIU's way),
// so the pages written since the last image come from userfaultfd
// write-protection in async mode (UFFD_FEATURE_WP_ASYNC, 6.7): a VMA
// registered with UFFDIO_REGISTER_MODE_WP has its pages write-protected by
// PAGEMAP_SCAN with PM_SCAN_WP_MATCHING, and the app's first write to each
// page then takes a minor fault that the kernel resolves by itself (no
// handler thread), leaving the page "written" (PAGE_IS_WRITTEN) until the
// next scan, which returns it and protects it again in the same call.
// PAGEMAP_SCAN write-protects anonymous memory only with
// UFFD_FEATURE_WP_UNPOPULATED (it needs pte markers), and only populated
// pages are protected here (scan()). Registration is per VMA and is not inherited: a VMA made
// since the last scan (mmap, mremap to a new place) is not registered,
// which PM_SCAN_CHECK_WPASYNC reports as EPERM, so all of it counts as
// written; it is registered then. A child made by fork() has no
// registrations (UFFD_FEATURE_EVENT_FORK is not asked for). Pages dropped
// with MADV_DONTNEED are reported as written, and pagemap shows them
// absent: the increment then stores neither data nor "inherited" for
// them, and they come back zero.
#include "runtime/incremental.h"

#include <linux/errno.h>
#include <linux/fcntl.h>

#include "arch/sys.h"
#include "runtime/io.h"
#include "runtime/runtime.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

// linux/userfaultfd.h and linux/fs.h of 6.7 (Debian 12's lack them).
constexpr uint64_t uffd_api = 0xaa;
constexpr uint64_t uffd_feature_wp_unpopulated = 1 << 13; // 6.4
constexpr uint64_t uffd_feature_wp_async = 1 << 15;       // 6.7
constexpr unsigned long uffdio_api = 0xc018aa3f;      // _IOWR(0xaa, 0x3f, 24)
constexpr unsigned long uffdio_register = 0xc020aa00; // _IOWR(0xaa, 0x00, 32)
constexpr uint64_t uffdio_register_mode_wp = 1 << 1;
constexpr int uffd_user_mode_only = 1;
constexpr unsigned long pagemap_scan = 0xc0606610; // _IOWR('f', 16, 96)
constexpr uint64_t pm_scan_wp_matching = 1 << 0;
constexpr uint64_t pm_scan_check_wpasync = 1 << 1;
constexpr uint64_t page_is_written = 1 << 1;
constexpr uint64_t page_is_present = 1 << 3;
constexpr uint64_t page_is_swapped = 1 << 4;

struct uffdio_api_arg {
	uint64_t api, features, ioctls;
};
struct uffdio_register_arg {
	uint64_t start, len, mode, ioctls;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

// Lives in the app's memory, so in its images too: a restored process
// starts over (incremental_restored()).
struct tracker {
	long uffd;     // -1: none yet
	int pid;       // whose registrations these are
	bool refused;  // the kernel has no such tracking: said once
	bool valid;    // the last image to path was made with the tracking
	uint32_t depth;
	uint32_t crc;  // its header checksum
	char path[4096];
};
tracker track = {-1, 0, false, false, 0, 0, {}};
long pagemap_fd = -1; // for one checkpoint

void notice(const char *what, long err)
{
	char buf[256];
	text msg(buf, sizeof buf);
	msg.str("ckpt: CKPT_INCREMENTAL: ").str(what).str(": ")
		.errno_name(err)
		.str("; writing full images\n");
	print_err(msg);
}

// The userfaultfd of this process, made once; false (said once) if the
// kernel has no asynchronous write-protection (qemu-user: ENOSYS).
bool open_tracking()
{
	const int pid = (int)sys::getpid();
	if (track.uffd >= 0 && track.pid == pid)
		return true;
	if (track.refused)
		return false;
	// The parent's, inherited by fork(): its registrations are not
	// this process's. (A restored process has none: -1.)
	if (track.uffd >= 0)
		sys::close((int)track.uffd);
	track.uffd = -1;
	track.valid = false;
	long fd = sys::userfaultfd(O_CLOEXEC | O_NONBLOCK | uffd_user_mode_only);
	const char *what = "userfaultfd";
	if (fd >= 0) {
		uffdio_api_arg a = {uffd_api,
				    uffd_feature_wp_async |
					    uffd_feature_wp_unpopulated,
				    0};
		long ret = sys::ioctl((int)fd, uffdio_api, (uint64_t)&a);
		if (ret < 0) {
			sys::close((int)fd);
			fd = ret;
			what = "userfaultfd write-protect (UFFDIO_API, "
			       "WP_ASYNC)";
		}
	}
	if (fd < 0) {
		track.refused = true;
		notice(what, fd);
		return false;
	}
	track.uffd = fd;
	track.pid = pid;
	return true;
}

long scan(uint64_t start, uint64_t end, uint64_t flags, scanned_range *vec,
	  uint64_t vec_len, uint64_t *walk_end)
{
	// Written and populated only. PAGEMAP_SCAN counts a range without
	// page tables as written, and protecting it would fill it with
	// uffd-wp pte markers, which pagemap reports as swapped pages (bit
	// 62, the same as a real one to an unprivileged reader): the image
	// would then store every page of a mapping. Left alone, such a page
	// is not protected, and the first write populates it unprotected,
	// so it counts as written.
	pm_scan_arg a = {sizeof a,
			 flags,
			 start,
			 end,
			 0,
			 (uint64_t)vec,
			 vec_len,
			 0,
			 0,
			 page_is_written,
			 page_is_present | page_is_swapped,
			 page_is_written};
	long ret = sys::ioctl((int)pagemap_fd, pagemap_scan, (uint64_t)&a);
	*walk_end = a.walk_end;
	return ret;
}

// Write-protects all of [start, end) that is written (a full scan whose
// answers nobody needs); false if the kernel refused.
bool protect_all(increment &inc, uint64_t start, uint64_t end)
{
	const uint64_t cap = sizeof inc.scan / sizeof inc.scan[0];
	for (uint64_t at = start; at < end;) {
		uint64_t walk_end;
		long n = scan(at, end, pm_scan_wp_matching, inc.scan, cap,
			      &walk_end);
		if (n < 0 || walk_end <= at)
			return false;
		at = walk_end;
	}
	return true;
}

bool overlaps(uint64_t a, uint64_t len, uint64_t start, uint64_t end)
{
	return len && a < end && start < a + len;
}

// Counts [a, a + len) as written (in [start, end)): kept sorted and
// joined; false if there is no room.
bool force_written(increment &inc, uint64_t a, uint64_t len, uint64_t start,
		   uint64_t end)
{
	if (!overlaps(a, len, start, end))
		return true;
	const uint64_t ps = inc.page_size;
	uint64_t s = a & ~(ps - 1), e = (a + len + ps - 1) & ~(ps - 1);
	s = s < start ? start : s;
	e = e > end ? end : e;
	uint32_t &n = inc.written_count;
	uint32_t k = 0;
	while (k < n && inc.written[k].end < s)
		k++;
	// [k, j) touch [s, e): one range for them all.
	uint32_t j = k;
	while (j < n && inc.written[j].start <= e) {
		s = inc.written[j].start < s ? inc.written[j].start : s;
		e = inc.written[j].end > e ? inc.written[j].end : e;
		j++;
	}
	if (j == k) {
		if (n == sizeof inc.written / sizeof inc.written[0])
			return false;
		for (uint32_t i = n; i > k; i--)
			inc.written[i] = inc.written[i - 1];
		n++;
		j = k + 1;
	}
	inc.written[k] = {s, e, page_is_written};
	for (uint32_t i = j; i < n; i++)
		inc.written[k + 1 + i - j] = inc.written[i];
	n -= j - k - 1;
	return true;
}

// The records the restorer reads and checks in the newest image alone
// (restorer/records.cc): their pages are always stored.
bool force_records(increment &inc, uint64_t start, uint64_t end)
{
	bool ok = force_written(inc, inc.resume_addr,
				sizeof(image::resume_args), start, end);
	for (uint32_t i = 0; ok && i < inc.thread_count; i++) {
		const image::thread_record &t = inc.threads[i];
		ok = force_written(inc, t.context_addr, sizeof(arch::context),
				   start, end) &&
		     force_written(inc, t.tid_address, t.tid_address ? 4 : 0,
				   start, end) &&
		     force_written(inc, t.rseq_area, t.rseq_area ? t.rseq_len : 0,
				   start, end) &&
		     force_written(inc, t.signal_frame, t.signal_frame ? 16 << 10 : 0,
				   start, end) &&
		     force_written(inc, t.robust_list, t.robust_list ? 24 : 0,
				   start, end);
	}
	return ok;
}

// The last component of path.
const char *base_name(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			b = p + 1;
	return b;
}

// Gives the image now at path, if it is the one last written there (its
// header checksum), the second name <path>.<depth>: linked from the
// descriptor checked, to a temporary name, then renamed over whatever an
// older chain left there (a file never rewritten in place). False if not.
bool keep_parent(const char *path, uint32_t depth, char *name, size_t cap)
{
	long fd = sys::open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	image::header h;
	bool same = pread_full((int)fd, &h, sizeof h, 0) == (long)sizeof h &&
		    memcmp(h.magic, image::magic, sizeof h.magic) == 0 &&
		    h.meta_crc == track.crc;
	char target[4096 + 32], tmp[4096 + 64], proc[32];
	text t(target, sizeof target), k(tmp, sizeof tmp), p(proc, sizeof proc);
	t.str(path).ch('.').udec(depth);
	// A name create_image_file() removes when a kill left it behind
	// (<path>.tmp. and digits and dots), and that publish_image_file()
	// never gives (it adds one number to <path>.tmp.<pid>, not two).
	k.str(path).str(".tmp.").dec(sys::getpid()).str(".0.").udec(depth);
	p.str("/proc/self/fd/").dec(fd);
	text n(name, cap);
	n.str(base_name(path)).ch('.').udec(depth);
	if (same && (t.size() + 1 >= sizeof target ||
		     k.size() + 1 >= sizeof tmp || n.size() + 1 >= cap))
		same = false;
	if (same) {
		sys::unlinkat(AT_FDCWD, tmp, 0);
		same = sys::linkat(AT_FDCWD, proc, AT_FDCWD, tmp,
				   AT_SYMLINK_FOLLOW) == 0;
		if (same && sys::renameat(AT_FDCWD, tmp, AT_FDCWD, target) < 0) {
			sys::unlinkat(AT_FDCWD, tmp, 0);
			same = false;
		}
	}
	sys::close((int)fd);
	return same;
}

} // namespace

void begin_increment(increment &inc, const char *path, char *strings,
		     uint32_t *strings_size)
{
	inc.on = inc.tracking = false;
	inc.depth = 0;
	// A forked writer's memory is a copy: its scans would protect
	// nothing of the app's (init.cc says so once).
	if (!config.incremental || config.fork || !open_tracking())
		return;
	pagemap_fd = sys::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap_fd < 0)
		return;
	uint64_t walk_end;
	long ret = scan(0, 0, 0, inc.scan, 1, &walk_end);
	if (ret < 0) {
		track.refused = true;
		notice("PAGEMAP_SCAN", ret);
		sys::close((int)pagemap_fd);
		pagemap_fd = -1;
		return;
	}
	inc.tracking = true;
	if (!track.valid || track.depth >= config.full_every ||
	    !str_eq(track.path, path))
		return;
	if (!keep_parent(path, track.depth, inc.parent_name,
			 sizeof inc.parent_name))
		return;
	const size_t len = str_len(inc.parent_name) + 1;
	if (*strings_size + len > image::max_strings)
		return;
	memcpy(strings + *strings_size, inc.parent_name, len);
	inc.parent = {track.crc, track.depth + 1, *strings_size, 0};
	*strings_size += (uint32_t)len;
	inc.depth = track.depth + 1;
	inc.on = true;
}

long absent_ranges(increment &inc, uint64_t start, uint64_t end,
		   uint64_t *walk_end)
{
	// The pages neither present nor swapped, and guard pages (which may
	// read as swapped): a page matches when its categories, with present
	// and swapped inverted, have "present" and one of "swapped" or
	// "guard". PAGEMAP_SCAN calls its output once per matching page, so
	// asking for the present pages instead cost 3.5-8 ms per GiB present
	// here, where rejecting them costs about 1 ms (as the tracking scan).
	const uint64_t cap = sizeof inc.scan / sizeof inc.scan[0];
	const uint64_t inverted = page_is_present | page_is_swapped;
	pm_scan_arg a = {sizeof a, 0, start, end, 0, (uint64_t)inc.scan, cap,
			 0, inverted, page_is_present,
			 page_is_swapped | present_guard, present_guard};
	long ret = sys::ioctl((int)pagemap_fd, pagemap_scan, (uint64_t)&a);
	*walk_end = a.walk_end;
	return ret;
}

void track_region(increment &inc, uint64_t start, uint64_t end)
{
	inc.region_inherits = inc.region_tracked = false;
	inc.written_count = inc.cursor = 0;
	inc.all_written = ~0ull;
	if (!inc.tracking)
		return;
	const uint64_t cap = sizeof inc.scan / sizeof inc.scan[0];
	const uint64_t room = sizeof inc.written / sizeof inc.written[0];
	for (uint64_t at = start; at < end;) {
		uint64_t walk_end;
		long n = scan(at, end, pm_scan_wp_matching | pm_scan_check_wpasync,
			      inc.scan, cap, &walk_end);
		if (n == -EPERM && at == start) {
			// Not registered: new since the last image. All of
			// it is stored; from now on it is tracked.
			uffdio_register_arg r = {start, end - start,
						 uffdio_register_mode_wp, 0};
			if (sys::ioctl((int)track.uffd, uffdio_register,
				       (uint64_t)&r) == 0)
				inc.region_tracked = protect_all(inc, start, end);
			return;
		}
		if (n < 0 || walk_end <= at) {
			// Pages may have been protected unseen: the next
			// image cannot trust this one's tracking.
			inc.tracking = false;
			return;
		}
		for (long i = 0; i < n; i++) {
			if (inc.written_count < room)
				inc.written[inc.written_count++] = inc.scan[i];
			else if (inc.scan[i].start < inc.all_written)
				inc.all_written = inc.scan[i].start;
		}
		at = walk_end;
	}
	inc.region_inherits = inc.on && force_records(inc, start, end);
	inc.region_tracked = true;
}

bool add_inherited(increment &inc, image::region &r, uint32_t region_index,
		   uint64_t offset, uint64_t length)
{
	if (inc.inherited_count) {
		image::inherited_run &last = inc.inherited[inc.inherited_count - 1];
		if (last.region == region_index &&
		    last.offset + last.length == offset) {
			last.length += length;
			return true;
		}
	}
	if (inc.inherited_count == image::max_runs)
		return false;
	inc.inherited[inc.inherited_count++] = {region_index, 0, offset, length};
	r.flags |= image::region_incremental;
	return true;
}

void increment_published(const increment &inc, const char *path,
			 uint32_t meta_crc)
{
	track.valid = inc.tracking && str_copy(track.path, sizeof track.path, path);
	track.depth = inc.depth;
	track.crc = meta_crc;
	if (pagemap_fd >= 0)
		sys::close((int)pagemap_fd);
	pagemap_fd = -1;
}

void increment_failed()
{
	track.valid = false;
	if (pagemap_fd >= 0)
		sys::close((int)pagemap_fd);
	pagemap_fd = -1;
}

long tracking_fd()
{
	// In a child of fork() too: the parent's, to be closed, never the
	// app's.
	return track.uffd;
}

void incremental_restored()
{
	// Its descriptor was left out of the image: the number is free.
	track.uffd = -1;
	track.valid = false;
	track.refused = false;
}

} // namespace ckpt
