// What the image fuzzer's files share: the machine an image is checked
// for, and where `restorer --info` prints to.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/image.h"

namespace fuzz {

// An image is checked for the architecture it names (the host's facts for
// any other value, so that the refusal is exercised too) and the page
// size it names, if that is one an aarch64 or x86_64 kernel uses.
struct view {
	image::target target;
	uint32_t page_size;
	const char *name;
};

view view_of(const image::header &h);

// The image being checked, as the restorer's g.fd (image_fd) reads it
// through ckpt::pread_full.
constexpr int image_fd = 1000;
extern const uint8_t *file;
extern size_t file_size;

// The restorer's standard output (ckpt::write_all to fd 1 and 2).
extern char out[1 << 20];
extern size_t out_len;

} // namespace fuzz
