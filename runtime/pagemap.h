// Which pages of the process were ever touched, from /proc/self/pagemap.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/sys.h"
#include "runtime/io.h"

namespace ckpt {

// Finds the pages of a range that were ever touched (present or swapped:
// /proc/self/pagemap bits 63 and 62); the rest are zero and cost nothing.
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

	// Calls emit(offset, length) for each run of touched pages of
	// [start, end), offsets from start; false if pagemap failed.
	template <typename F> bool scan(uint64_t start, uint64_t end, F emit)
	{
		const uint64_t first = start / page_size_;
		const uint64_t count = (end - start) / page_size_;
		uint64_t run_start = 0;
		bool in_run = false;
		for (uint64_t done = 0; done < count;) {
			uint64_t want = count - done;
			if (want > buffer_words)
				want = buffer_words;
			long n = pread_full(fd_, buf_, want * 8,
					    (first + done) * 8);
			if (n < 8)
				return false;
			for (long i = 0; i < n / 8; i++, done++) {
				bool touched = buf_[i] >> 62;
				if (touched && !in_run)
					run_start = done;
				else if (!touched && in_run &&
					 !emit(run_start * page_size_,
					       (done - run_start) * page_size_))
					return false;
				in_run = touched;
			}
		}
		return !in_run || emit(run_start * page_size_,
				       (count - run_start) * page_size_);
	}

private:
	uint64_t page_size_;
	uint64_t *buf_;
	long fd_;
};

} // namespace ckpt
