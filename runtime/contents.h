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
};

// Fills t with an entry per descriptor of fds that is a memfd or a deleted
// regular file (and no dup), with its size, seals and extents. -errno with
// the reason in msg: too many such files, or one above
// config.max_file_contents.
long find_contents(const image::fd_entry *fds, uint32_t fd_count,
		   const char *strings, content_table &t, text &msg);

// Whether maps entry e is a shared mapping of a file of t, the only one
// of its name there: the restorer maps it from the file made again.
bool content_mapped(const content_table &t, const image::fd_entry *fds,
		    const char *strings, const map_entry &e);

// Places each file's data from *off on (page aligned per file); *off is
// the image's end then.
void layout_contents(content_table &t, uint64_t page_size, uint64_t *off);

// Writes each file's data where layout_contents() placed it, and its CRC
// into t. staging: a buffer of staging_size bytes.
long write_contents(int image_fd, const image::fd_entry *fds,
		    content_table &t, char *staging, size_t staging_size,
		    text &msg);

} // namespace ckpt
