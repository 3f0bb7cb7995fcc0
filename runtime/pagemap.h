// What each page of the process is, from /proc/self/pagemap.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/sys.h"
#include "runtime/io.h"

namespace ckpt {

// A page's state, from its pagemap entry.
enum page_class : uint8_t {
	page_none,  // never touched: zero, or the file's (not yet read)
	page_file,  // present, a page of a file or of shared memory (bit 61)
	page_anon,  // present or swapped, private to us (a copy on write)
	page_guard, // a guard page (MADV_GUARD_INSTALL): reading it faults
};

// Walks a range of pages in runs of one class.
class page_scanner {
public:
	// The caller's buffer for pagemap entries.
	static constexpr size_t buffer_words = 8192;

	page_scanner(uint64_t page_size, uint64_t *buf)
		: page_size_(page_size), buf_(buf)
	{
		fd_ = sys::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	}
	~page_scanner()
	{
		if (fd_ >= 0)
			sys::close(fd_);
	}
	page_scanner(const page_scanner &) = delete;
	page_scanner &operator=(const page_scanner &) = delete;

	bool usable() const { return fd_ >= 0; }

	// Bit 63 present, 62 swapped, 61 file page or shared anonymous, 58
	// guard region (kernel 6.15+; a guard page also reads as "swapped":
	// the kernel keeps it as a swap-entry marker).
	static page_class classify(uint64_t entry)
	{
		if (entry >> 58 & 1)
			return page_guard;
		if (!(entry >> 62))
			return page_none;
		return (entry >> 63) && (entry >> 61 & 1) ? page_file : page_anon;
	}

	// Calls emit(offset, length, class) for each maximal run of pages of
	// one class in [start, end), offsets from start; false if pagemap
	// failed or emit did.
	template <typename F> bool scan(uint64_t start, uint64_t end, F emit)
	{
		if (scan_ioctl_) {
			int r = scan_by_ioctl(start, end, emit);
			if (r >= 0)
				return r;
			scan_ioctl_ = false; // not this kernel's, or qemu-user
		}
		return scan_by_read(start, end, emit);
	}

private:
	// PAGEMAP_SCAN (linux/fs.h, Linux 6.7; PAGE_IS_GUARD 6.14): the runs
	// of pages of some kinds in one ioctl, where a read of pagemap
	// costs a word per page (1 GiB touched: ~1.5 ms against ~16 ms).
	static constexpr uint64_t is_file = 1 << 2, is_present = 1 << 3,
				  is_swapped = 1 << 4, is_guard = 1 << 8;
	struct scan_region {
		uint64_t start, end, categories;
	};
	struct scan_arg {
		uint64_t size, flags, start, end, walk_end, vec, vec_len,
			max_pages, category_inverted, category_mask,
			category_anyof_mask, return_mask;
	};
	// _IOWR('f', 16, struct pm_scan_arg), the same on both arches.
	static constexpr unsigned long pagemap_scan =
		3ul << 30 | sizeof(scan_arg) << 16 | 'f' << 8 | 16;

	// The same classes as classify() gives the pagemap bits.
	static page_class class_of(uint64_t categories)
	{
		if (categories & is_guard)
			return page_guard;
		if (categories & is_present)
			return categories & is_file ? page_file : page_anon;
		return categories & is_swapped ? page_anon : page_none;
	}

	// Runs of one class, joined as they come in address order; offsets
	// from base.
	template <typename F> struct joiner {
		F &emit;
		uint64_t base, from, to;
		page_class cls;
		bool add(uint64_t a, uint64_t b, page_class c)
		{
			if (a == b)
				return true;
			if (to == a && c == cls) {
				to = b;
				return true;
			}
			bool ok = to == from || emit(from - base, to - from, cls);
			from = a, to = b, cls = c;
			return ok;
		}
		bool finish()
		{
			return to == from || emit(from - base, to - from, cls);
		}
	};

	// 1 done, 0 pagemap or emit failed, -1 the ioctl is not there (no
	// run emitted yet).
	template <typename F> int scan_by_ioctl(uint64_t start, uint64_t end,
						F &emit)
	{
		auto *vec = reinterpret_cast<scan_region *>(buf_);
		const uint64_t cap = buffer_words * 8 / sizeof(scan_region);
		joiner<F> j{emit, start, start, start, page_none};
		uint64_t at = start;
		bool first = true;
		while (at < end) {
			scan_arg a = {sizeof a, 0, at, end, 0, (uint64_t)vec, cap,
				      0, 0, 0, is_present | is_swapped | is_guard,
				      is_present | is_swapped | is_file | is_guard};
			long n = sys::ioctl(fd_, pagemap_scan, (uint64_t)&a);
			if (n < 0)
				return first ? -1 : 0;
			first = false;
			uint64_t was = at;
			for (long i = 0; i < n; i++) {
				if (!j.add(at, vec[i].start, page_none) ||
				    !j.add(vec[i].start, vec[i].end,
					   class_of(vec[i].categories)))
					return 0;
				at = vec[i].end;
			}
			// Up to walk_end, what was not returned is none of
			// them; walk_end can lag behind the last region.
			const uint64_t walked = a.walk_end < end ? a.walk_end : end;
			if (walked > at) {
				if (!j.add(at, walked, page_none))
					return 0;
				at = walked;
			}
			if (at == was)
				return 0; // no progress: never loop forever
		}
		return j.add(at, end, page_none) && j.finish() ? 1 : 0;
	}

	template <typename F> bool scan_by_read(uint64_t start, uint64_t end,
						F &emit)
	{
		const uint64_t first = start / page_size_;
		const uint64_t count = (end - start) / page_size_;
		uint64_t run_start = 0;
		page_class cls = page_none;
		for (uint64_t done = 0; done < count;) {
			uint64_t want = count - done;
			if (want > buffer_words)
				want = buffer_words;
			long n = pread_full(fd_, buf_, want * 8,
					    (first + done) * 8);
			if (n < 8)
				return false;
			for (long i = 0; i < n / 8; i++, done++) {
				page_class c = classify(buf_[i]);
				if (done && c != cls) {
					if (!emit(run_start * page_size_,
						  (done - run_start) * page_size_,
						  cls))
						return false;
					run_start = done;
				}
				cls = c;
			}
		}
		return !count || emit(run_start * page_size_,
				      (count - run_start) * page_size_, cls);
	}

	uint64_t page_size_;
	uint64_t *buf_;
	long fd_;
	bool scan_ioctl_ = true;
};

} // namespace ckpt
