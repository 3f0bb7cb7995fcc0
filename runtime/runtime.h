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
	// CKPT_CHILDREN=1: a preloaded runtime stays in LD_PRELOAD for the
	// programs the app executes
	bool children;
	// CKPT_INTERVAL: nanoseconds from the end of one periodic checkpoint
	// to the next, or 0
	uint64_t interval_ns;
	// CKPT_MAX_FILE_CONTENTS: the most bytes of data the image stores of
	// one deleted file or memfd (default 64 MiB); more fails the
	// checkpoint
	uint64_t max_file_contents;
	// CKPT_FILES: the policy rules for files written after the
	// checkpoint (written.cc); "" keeps them all as they are
	char files[4096];
	// CKPT_INCREMENTAL=1: after a full image, images store only the
	// pages written since the one before (runtime/incremental.h), and
	// CKPT_FULL_EVERY (default 15) increments later a full one again
	bool incremental;
	uint32_t full_every;
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

// The app's own handler for the checkpoint signal (interpose.cc): once
// take_signal() says the runtime's handler is in place, sigaction() and
// signal() of the app set the app's action, not the kernel's; app_takes()
// says whether a signal is for the app (not a checkpoint request), and
// pass_to_app() runs the app's handler as the kernel would have.
void take_signal();
bool app_takes(const void *siginfo);
void pass_to_app(int sig, void *siginfo, void *frame);
// Whether an instance of sig, dequeued by a wait for it (sigwait.cc), is
// the runtime's: a checkpoint request or another thread's stop request.
bool runtime_takes(int sig, const void *siginfo);
// Sends process pid the checkpoint signal as a checkpoint request (as
// `ckpt checkpoint` does); 0 or -errno.
long request_checkpoint(int pid);
// The runtime's handler has the checkpoint signal (interpose.cc).
bool signal_is_taken();

// Takes a preloaded libckpt.so out of the LD_PRELOAD the app passes on,
// unless children (preload.cc).
void forget_preload(bool children);

// Records how a checkpoint to path ended (status.cc), for `ckpt
// checkpoint`: result 0 or -errno, reason the message of a failure.
void publish_status(const char *path, int pid, long result,
		    const char *reason);

// Waits for the last forked checkpoint to be complete: 0 or -errno.
long wait_forked();

// Stopping the app's other threads for a checkpoint (freeze.cc). The
// taker stops them all: the number stopped, or -errno with the reason in
// why (a thread that cannot be stopped, named; all go on again). Then
// stopped_thread(i) is the record thread i made of itself, until
// release_other_threads() lets them go.
long stop_other_threads(text &why);
void release_other_threads();
uint32_t stopped_thread_count();
const image::thread_record &stopped_thread(uint32_t i);
// The signals stopped thread i had pending for itself alone.
const image::pending_signal *stopped_thread_signals(uint32_t i,
						    uint32_t *count);

// In the checkpoint signal's handler: whether siginfo is a taker's
// request to stop, and stopping there. none: no freeze was under way (a
// stale request); released: stopped, and let go; restored: this is the
// thread in a restored process.
bool is_stop_request(const void *siginfo);
enum class stop_result { none, released, restored };
stop_result stop_for_checkpoint(void *frame);

// The address of glibc's cached tid of the calling thread, found without
// PR_GET_TID_ADDRESS (tid_cache.cc); 0 if it cannot be found.
uint64_t glibc_tid_address();
// The head of glibc's robust mutex list of the calling thread, next to
// the cached tid at tid_address; 0 if it is not there.
uint64_t glibc_robust_list(uint64_t tid_address);

// In a restored process, every thread but the taker once it is back on
// its own stack: counts itself out of the restorer and waits until the
// taker has made the process whole.
void resume_thread();


// Arms the CKPT_INTERVAL timer (again, in a restored process).
void start_interval_timer();
// Its POSIX timer id, or -1: left out of the image (timers.cc).
long interval_timer_id();

// The app's POSIX timers (by id) and the taker's pending signals, both
// queues, put back at once (timers.cc); -errno with the reason in msg.
// A thread-directed timer names its thread by tid until thread_indices()
// makes that an index in the final thread table (dropping, with a
// warning, one whose thread is not there).
long save_timers_and_signals(image::posix_timer *timers, uint32_t *timer_count,
			     image::pending_signal *signals,
			     uint32_t *signal_count, text &msg);
// The state of each timerfd and signalfd in the fd table (fdinfo and
// timerfd_gettime); one that cannot be read is warned about and left out
// (the restorer then says it is lost).
void save_timer_fds(const image::fd_entry *fds, uint32_t fd_count,
		    image::timerfd_entry *timerfds, uint32_t *timerfd_count,
		    image::signalfd_entry *signalfds, uint32_t *signalfd_count);
void thread_indices(image::posix_timer *timers, uint32_t *timer_count,
		    image::pending_signal *signals, uint32_t signal_count,
		    const image::thread_record *threads, uint32_t thread_count);
// In a thread stopped for a checkpoint: the signals pending for it alone,
// taken and put back (at most max_thread_signals: -E2BIG beyond).
long save_own_signals(image::pending_signal *signals, uint32_t *count,
		      text &msg);

// Tells the app's libc where the break is now, when the restorer could
// not put it back where the libc left it.
void sync_libc_break();

// Fills p's process-wide kernel state: signal dispositions, mm fields,
// auxiliary vector.
long save_kernel_state(image::process_record *p);

// Fills t, a record of add_thread(), for the calling thread: it runs in
// the thread it describes, stopped in the runtime. flags: thread_taker
// for the thread that takes the checkpoint, else 0 (the group leader and
// name flags are found here); ctx: where ckpt_arch_capture saved its
// registers; mask: its signal mask when it was stopped; signal_frame: the
// checkpoint signal's ucontext it was stopped in, or 0 (a taker called
// from ckpt_checkpoint()). Reads its thread pointer, altstack, tid
// address, robust list, rseq registration and name. -errno with the
// reason in msg.
long save_thread(image::thread_record *t, uint32_t flags,
		 const arch::context *ctx, uint64_t mask, uint64_t signal_frame,
		 text &msg);

// An image being made: the working memory of one checkpoint.
struct image_job;

// Starts an image in the app itself: maps the working memory and records
// the process's kernel state, where resume lives and, as the first thread
// record, the calling thread (the taker, its registers at ctx). On
// failure, -errno with the reason in msg.
long begin_image(const arch::context *ctx, const image::resume_args *resume,
		 image_job **job, text &msg);
// The next thread record of the image, zeroed, for save_thread() in
// another thread (the group leader's goes first in the image, whatever
// the order here); nullptr when max_threads are taken.
image::thread_record *add_thread(image_job *job);
// Scans memory and writes the image to path (a temporary file, then a
// rename): in the app, or in a copy-on-write child of it.
// before_publish, if given, runs when the image is complete, just before
// it is renamed into place.
long write_image(image_job *job, const char *path, text &msg,
		 void (*before_publish)() = nullptr);
// In the forked writer, job's copy: write_image() then checks that the
// copy is the app's memory (check_forked_copy() in attrs.h).
void mark_forked(image_job *job);
// The descriptors a forked writer of job must keep open (the sources of
// the files whose contents it stores), in increasing order, into out (cap
// entries); their count.
uint32_t kept_descriptors(image_job *job, int32_t *out, uint32_t cap);
// Unmaps the working memory (and closes what it opened).
void end_image(image_job *job);
// The next pending signal record of the image, for those of the stopped
// threads; nullptr when max_pending_signals are taken.
image::pending_signal *add_pending_signal(image_job *job);

} // namespace ckpt
