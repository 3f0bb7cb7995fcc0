// Process attributes the kernel keeps out of memory and /proc/self/stat
// (issue #13, part A): section 23's entries, gathered at the checkpoint.
#pragma once

#include <stdint.h>

#include "runtime/fmt.h"
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

// Before a forked checkpoint, in the app, with the working memory mapped
// and just before the fork: whether a child sees all of its memory as it
// is. It does not see MADV_DONTFORK memory, and sees MADV_WIPEONFORK and
// MAP_DROPPABLE memory zeroed: with any of those (false) the checkpoint is
// written in place instead. smaps, which says so, walks every page table
// entry (some 20 ms per GiB, in the app's pause): it is read only when
// /proc/self/status says memory is locked (VmLck, a counter) or the app
// may have asked for such memory (note_fork_advice(), or writer_saw_some:
// a forked writer found some), and it then records the locked mappings
// for the writer's mark_vm_flags(). Otherwise the app's size (VmSize) is
// kept for the writer's check_forked_copy(). false too if neither file
// can be read (nothing is known then).
bool forkable_memory(bool writer_saw_some);
// After the fork (the writer has its copy): the app's list is no more.
void forget_locked_memory();

// The app asked for MADV_DONTFORK or MADV_WIPEONFORK (the interposed
// madvise()): the next forked checkpoint reads smaps first.
void note_fork_advice();

// The forked writer's first act, before it maps anything: its own size.
void note_writer_size();
// In a forked writer, once its regions are read (their advice marked from
// its own smaps): -EAGAIN, why saying what, if its copy lacks memory the
// app had (it is smaller: MADV_DONTFORK) or holds some zeroed (a region
// marked MADV_WIPEONFORK or MAP_DROPPABLE), which the app's pause did not
// look for (the app asked for it by a raw system call); then
// forked_copy_blind() is true. 0 if the copy is the app's memory.
long check_forked_copy(const image::region *regions, uint32_t count,
		       text &why);
bool forked_copy_blind();
} // namespace ckpt
