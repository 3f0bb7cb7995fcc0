// Incremental images (CKPT_INCREMENTAL=1): which pages of private
// anonymous memory the app wrote since the last image, from userfaultfd
// write-protection in async mode and PAGEMAP_SCAN, and what an increment
// stores of them. README "Incremental images" says how a chain is named.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/fmt.h"
#include "runtime/image.h"
#include "runtime/pagemap.h"

namespace ckpt {

// struct page_region of PAGEMAP_SCAN (linux/fs.h, 6.7).
struct scanned_range {
	uint64_t start, end, categories;
};

// One checkpoint's share of the tracking: part of the writer's working
// memory (freshly mapped, so zero), left out of the image with it.
struct increment {
	bool on;             // this image is an increment of parent
	bool tracking;       // registrations are made and scans done
	uint32_t depth;      // 0: a full image
	uint32_t full_every; // CKPT_FULL_EVERY
	uint64_t page_size;
	image::parent_record parent;
	char parent_name[512];
	// The records the restorer reads in place (records.cc): their pages
	// are always stored, as the restorer reads them from the newest
	// image alone.
	const image::thread_record *threads;
	uint32_t thread_count;
	uint64_t resume_addr;
	// The region being added: whether its pages may be the parent's,
	// and the pages written since the parent, in address order (from
	// all_written on, all of them: more ranges than fit).
	bool region_inherits;
	bool region_tracked; // its pages may come from scan_tracked()
	uint32_t written_count;
	uint32_t cursor; // add_stored()'s place in written
	uint64_t all_written;
	uint32_t inherited_count;
	scanned_range scan[4096];
	scanned_range written[1 << 16];
	image::inherited_run inherited[image::max_runs];
};

// Decides whether the image to path is an increment: CKPT_INCREMENTAL,
// tracking working in this process since its last image to path, that
// image still there and unchanged (its header checksum), fewer than
// CKPT_FULL_EVERY increments since the last full image. For an increment
// the parent image is given a second name, <path>.<depth - 1>, which the
// increment names (interned in strings). Never fails: a full image is the
// answer to anything unexpected.
void begin_increment(increment &inc, const char *path, char *strings,
		     uint32_t *strings_size);

// For a region of private anonymous memory at [start, end) (one VMA):
// registers it for write-protection if it is not (a VMA made since the
// last image: all of it counts as written) and takes the pages written
// since the last image, protecting them again. Then add_stored() splits
// each range of present pages into the written ones, stored (store), and
// the others, inherited from the parent (recorded here, in region
// region_index, which gets region_incremental).
void track_region(increment &inc, uint64_t start, uint64_t end);
template <typename F>
bool add_stored(increment &inc, image::region &r, uint32_t region_index,
		uint64_t from, uint64_t to, F store);

// For the region track_region() took last, if it is tracked: calls
// emit(offset, length, class) as page_scanner::scan() does (classes
// page_none, page_anon, page_guard; maximal runs, offsets from start),
// from PAGEMAP_SCAN's ranges of the other pages: neither present nor
// swapped, or guard pages (a call per 4096 of them, not a pagemap entry
// per page). 1 done, 0 emit or the scan failed, -1 not
// tracked (or the kernel refused: the caller reads pagemap).
template <typename F>
int scan_tracked(increment &inc, uint64_t start, uint64_t end, F emit);
long absent_ranges(increment &inc, uint64_t start, uint64_t end,
		   uint64_t *walk_end);
constexpr uint64_t present_guard = 1 << 8; // PAGE_IS_GUARD (6.14)

// The image is complete and renamed into place (meta_crc: its header's),
// or it failed (then the next one is a full image).
void increment_published(const increment &inc, const char *path,
			 uint32_t meta_crc);
void increment_failed();

// The tracking's userfaultfd, left out of the fd table (-1: none).
long tracking_fd();
// In a restored process: the tracking was another process's.
void incremental_restored();

// Appends an inherited run; false when the table is full.
bool add_inherited(increment &inc, image::region &r, uint32_t region_index,
		   uint64_t offset, uint64_t length);

template <typename F>
bool add_stored(increment &inc, image::region &r, uint32_t region_index,
		uint64_t from, uint64_t to, F store)
{
	if (!inc.on || !inc.region_inherits)
		return store(from, to);
	// Addresses: [from, to) against the written ranges, both sorted.
	uint64_t at = from;
	uint32_t &k = inc.cursor;
	while (at < to) {
		while (k < inc.written_count && inc.written[k].end <= at)
			k++;
		uint64_t w_start = inc.all_written, w_end = ~0ull;
		if (k < inc.written_count && inc.written[k].start < w_start) {
			w_start = inc.written[k].start;
			w_end = inc.written[k].end;
		}
		if (w_start > at) {
			const uint64_t e = w_start < to ? w_start : to;
			if (!add_inherited(inc, r, region_index, at - r.start,
					   e - at))
				return false;
			at = e;
			continue;
		}
		const uint64_t e = w_end < to ? w_end : to;
		if (!store(at, e))
			return false;
		at = e;
	}
	return true;
}

template <typename F>
int scan_tracked(increment &inc, uint64_t start, uint64_t end, F emit)
{
	if (!inc.region_tracked)
		return -1;
	uint64_t run_start = 0, run_end = 0; // offsets, of one class
	page_class cls = page_none;
	auto add = [&](uint64_t from, uint64_t to, page_class c) {
		if (from == to)
			return true;
		if (run_end > run_start && c != cls) {
			if (!emit(run_start, run_end - run_start, cls))
				return false;
			run_start = run_end;
		}
		cls = c;
		run_end = to;
		return true;
	};
	for (uint64_t at = start; at < end;) {
		uint64_t walk_end;
		long n = absent_ranges(inc, at, end, &walk_end);
		if (n < 0 || walk_end <= at || walk_end > end)
			return at == start ? -1 : 0;
		for (long i = 0; i < n; i++) {
			const scanned_range &x = inc.scan[i];
			if (x.start < start + run_end)
				return 0; // not in order: the caller's pagemap
			if (!add(run_end, x.start - start, page_anon) ||
			    !add(x.start - start, x.end - start,
				 x.categories & present_guard ? page_guard
							      : page_none))
				return 0;
		}
		// All present up to where the walk stopped (walk_end can lag
		// behind the last range returned: go on from the later).
		if (walk_end - start > run_end &&
		    !add(run_end, walk_end - start, page_anon))
			return 0;
		at = start + run_end > walk_end ? start + run_end : walk_end;
	}
	return run_end > run_start && !emit(run_start, run_end - run_start, cls)
		       ? 0
		       : 1;
}

} // namespace ckpt
