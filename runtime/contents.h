// The contents of deleted files and memfds, which no path can reopen:
// stored in the image's data area, after the region data.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/fmt.h"
#include "runtime/image.h"
#include "runtime/maps.h"

namespace ckpt {

struct content_table {
	uint32_t count;
	uint32_t extent_count;
	image::file_content items[image::max_contents];
	image::extent extents[image::max_extents];
	// Per item: a read-only descriptor of its file, opened in the app (a
	// forked writer keeps these, and none of the app's own), or -1.
	int32_t sources[image::max_contents];
};

// Fills t with an entry per descriptor of fds that is a memfd or a deleted
// regular file (and no dup), with its size, seals and extents, and opens
// its source. In the app, at the checkpoint. -errno with the reason in
// msg: too many such files, or one above config.max_file_contents.
long find_contents(const image::fd_entry *fds, uint32_t fd_count,
		   const char *strings, content_table &t, text &msg);

// Whether maps entry e is a shared mapping of a file of t, the only one
// of its name there: the restorer maps it from the file made again.
bool content_mapped(const content_table &t, const image::fd_entry *fds,
		    const char *strings, const map_entry &e);

// Closes t's sources.
void close_contents(content_table &t);

// t's sources in increasing order into out (cap entries); their count.
uint32_t content_sources(const content_table &t, int32_t *out, uint32_t cap);

// Places each file's data from *off on (page aligned per file); *off is
// the image's end then.
void layout_contents(content_table &t, uint64_t page_size, uint64_t *off);

// Writes each file's data where layout_contents() placed it, and its CRC
// into t. staging: a buffer of staging_size bytes.
long write_contents(int image_fd, const image::fd_entry *fds,
		    content_table &t, char *staging, size_t staging_size,
		    text &msg);

} // namespace ckpt
