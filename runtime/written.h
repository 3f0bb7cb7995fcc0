// Files written after the checkpoint: the CKPT_FILES policy (keep,
// truncate, snapshot) of each regular file the process has open for
// writing, and the image's file_policy entries.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/contents.h"
#include "runtime/image.h"

namespace ckpt {

// Whether spec (CKPT_FILES's value) is a list of rules the runtime
// understands: POLICY or POLICY:PATTERN, separated by commas.
bool valid_file_rules(const char *spec, size_t len);

// The policy config.files gives the file at path (image::file_policy_kind):
// the first rule whose pattern matches it (a bare POLICY matches every
// file); keep if none does.
uint32_t file_policy_for(const char *path);

// Whether fd table entry i is a file whose contents the snapshot policy
// stores (a file_content of it): the first open of its file for writing.
bool snapshot_stored(const image::fd_entry *fds, uint32_t i,
		     const char *strings);

// With CKPT_FORK=1 the writer reads the stored files while the app runs
// on: snapshot c of fd table entry e (its extents x) is copied first, in
// the app, into an unnamed file in the file's directory, which replaces
// *src (the read-only source the writer reads). If that cannot be done
// the writer reads the file itself, and the checkpoint says so.
void freeze_snapshot(const image::fd_entry &e, const char *strings,
		     const image::file_content &c, const image::extent *x,
		     int32_t *src);

// The file_policy entries of the fd table, in fd table order, into out
// (room for fd_count); contents: the stored files, the snapshots among
// them. Their count.
uint32_t save_file_policies(const image::fd_entry *fds, uint32_t fd_count,
			    const char *strings, const content_table &contents,
			    image::file_policy *out);

} // namespace ckpt
