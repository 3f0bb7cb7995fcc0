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

private:
	uint64_t page_size_;
	uint64_t *buf_;
	long fd_;
};

} // namespace ckpt
