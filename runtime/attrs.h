// Process attributes the kernel keeps out of memory and /proc/self/stat
// (issue #13, part A): section 23's entries, gathered at the checkpoint.
#pragma once

#include <stdint.h>

#include "runtime/image.h"

namespace ckpt {

// Regions of files only mappings hold, at most: past it, such a region
// comes back as shared memory of its own (as before section 23).
constexpr uint32_t max_shared_files = 1024;

struct process_attrs {
	uint32_t count;
	image::process_attr items[4 + max_shared_files];
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

} // namespace ckpt
