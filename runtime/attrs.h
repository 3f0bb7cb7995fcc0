// Process attributes the kernel keeps out of memory and /proc/self/stat
// (issue #13, part A): section 23's entries, gathered at the checkpoint.
#pragma once

#include <stdint.h>

#include "runtime/image.h"

namespace ckpt {

// Regions of files only mappings hold, at most: past it, such a region
// comes back as shared memory of its own (as before section 23).
constexpr uint32_t max_shared_files = 1024;

// Locked mappings of the app, for a forked writer (whose copies of them
// are not locked: fork() does not pass mlock() on).
constexpr uint32_t max_locked_ranges = 1024;

struct locked_range {
	uint64_t start, end;
	uint32_t bits; // region_locked, region_lockonfault
};

struct process_attrs {
	uint32_t count;
	image::process_attr items[4 + max_shared_files];
	uint32_t locked_count;
	locked_range locked[max_locked_ranges];
};

extern process_attrs saved_attrs;

// Starts the table with the process-wide attributes that are not the
// default: oom_score_adj, PR_GET_THP_DISABLE, PR_GET_CHILD_SUBREAPER and
// the membarrier registrations. In the app, at the checkpoint.
void save_process_attrs();

// Adds region (its index) of a file only mappings hold, whose group of
// regions of that file begins at region first; false if the table is
// full (the region then stays shared memory of its own).
bool add_shared_file(uint32_t region, uint32_t first);

// Before a forked checkpoint, in the app: whether a child sees all of its
// memory as it is. It does not see MADV_DONTFORK memory, and sees
// MADV_WIPEONFORK and MAP_DROPPABLE memory zeroed: with any of those
// (false) the checkpoint is written in place instead. It records the
// locked mappings for the writer's mark_vm_flags(). false too if smaps
// cannot be read (nothing is known then).
bool forkable_memory();
// After the fork (the writer has its copy): the app's list is no more.
void forget_locked_memory();

} // namespace ckpt
