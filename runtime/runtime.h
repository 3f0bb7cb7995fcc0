// Internal interfaces of the runtime linked into the app.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "runtime/image.h"

namespace ckpt {

// Settings read from the environment when the app starts.
struct settings {
	char image_path[4096];
	int signal;
	bool sync; // CKPT_SYNC=1: fdatasync the image before the rename
};
extern settings config;

// Takes a checkpoint to path: 0, 1 in a restored process, or -errno.
long checkpoint(const char *path);

// Fills h's kernel-state fields for the calling thread.
long save_kernel_state(image::header *h);

// Writes the image of this process to path (through a temporary file and
// a rename); the context and resume_args addresses go into its header.
long write_image(const char *path, const arch::context *ctx,
		 const image::resume_args *resume, char *err, size_t err_cap);

} // namespace ckpt
