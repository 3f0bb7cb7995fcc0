// The file a new image is written to, and how it takes the image's name.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/fmt.h"

namespace ckpt {

// An image being written: an unnamed O_TMPFILE in the image's directory
// where the file system has them (a killed checkpoint then leaves
// nothing behind), else <path>.tmp.<pid>. Either way the writer holds an
// OFD write lock on it until it is done, which tells a later checkpoint
// that a named temporary is not one a dead writer left.
struct image_file {
	long fd = -1;
	bool named = false;   // tmp names a file on disk
	char tmp[4096 + 48];  // <path>.tmp.<pid>[.N]
};

// Removes the temporaries of path that dead writers left (owned by us,
// regular, and unlocked), then creates the new one (mode 0600, O_EXCL,
// O_NOFOLLOW). buf (len bytes) is working memory. 0 or -errno with the
// reason in msg.
long create_image_file(const char *path, image_file &f, char *buf,
		       size_t len, text &msg);

// Gives the complete image its name: links the unnamed file to a
// temporary name, then renames that over path; closes the file. On
// failure discard_image_file() is still due.
long publish_image_file(const char *path, image_file &f, text &msg);

// A failed checkpoint: closes the file and removes its name.
void discard_image_file(image_file &f);

} // namespace ckpt
