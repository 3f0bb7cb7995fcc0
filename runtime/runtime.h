// Internal interfaces of the runtime linked into the app.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "runtime/fmt.h"
#include "runtime/image.h"

namespace ckpt {

// Settings read from the environment when the app starts.
struct settings {
	char image_path[4096];
	int signal;
	bool sync; // CKPT_SYNC=1: fdatasync the image before the rename
	bool fork; // CKPT_FORK=1: a copy-on-write child writes the image
	// CKPT_INTERVAL: nanoseconds from the end of one periodic checkpoint
	// to the next, or 0
	uint64_t interval_ns;
};
extern settings config;

// The app's signal mask when the checkpoint began: the image's.
extern uint64_t checkpoint_mask;
// The ucontext the checkpoint signal's handler got, or 0 (the API).
extern uint64_t checkpoint_signal_frame;

// The stack the checkpoint runs on, mapped for it: in no image.
struct address_range {
	uint64_t start, end;
};
extern address_range checkpoint_stack;

// Takes a checkpoint to path: 0, 1 in a restored process, or -errno.
// signal_frame: the handler's ucontext, for a signal checkpoint.
long checkpoint(const char *path, void *signal_frame = nullptr);

// Waits for the last forked checkpoint to be complete: 0 or -errno.
long wait_forked();

// The number of the app's threads, the caller included (an emulator's
// own threads and exiting ones do not count), or -errno.
long count_app_threads();

// Arms the CKPT_INTERVAL timer (again, in a restored process).
void start_interval_timer();

// Tells the app's libc where the break is now, when the restorer could
// not put it back where the libc left it.
void sync_libc_break();

// Fills h's kernel-state fields for the calling thread.
long save_kernel_state(image::header *h);

// An image being made: the working memory of one checkpoint.
struct image_job;

// Starts an image in the app itself: maps the working memory and records
// the calling thread's kernel state and where ctx and resume live. On
// failure, -errno with the reason in msg.
long begin_image(const arch::context *ctx, const image::resume_args *resume,
		 image_job **job, text &msg);
// Scans memory and writes the image to path (a temporary file, then a
// rename): in the app, or in a copy-on-write child of it.
// before_publish, if given, runs when the image is complete, just before
// it is renamed into place.
long write_image(image_job *job, const char *path, text &msg,
		 void (*before_publish)() = nullptr);
// Unmaps the working memory.
void end_image(image_job *job);

} // namespace ckpt
