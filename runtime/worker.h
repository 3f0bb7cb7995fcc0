// A second core for the checkpoint's own work (reading smaps while the
// caller reads pagemap; the data's checksums while the caller writes it):
// a process that shares the caller's memory and descriptors (CLONE_VM |
// CLONE_FILES, not CLONE_THREAD: it is no thread of the app's, so neither
// /proc/self/task nor the app's wait() sees it) and runs the jobs posted
// to it one after the other, in order. Where it cannot be made (qemu-user
// refuses CLONE_VM without CLONE_THREAD, a seccomp filter may refuse
// clone), each job runs in post() itself.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ckpt {

class worker {
public:
	using job = void (*)(void *arg);

	// Starts the worker on stack (size bytes, 16-byte aligned), which
	// must outlive stop(); false if it runs jobs in post(). Called first.
	// share_files: one descriptor table with the caller (CLONE_FILES),
	// else a copy of it as it is now, whose descriptors the worker opens
	// die with it.
	bool start(char *stack, size_t size, bool share_files);

	// Queues fn(arg), waiting while the queue is full; the job's number,
	// or 0 if the worker is gone (killed: its jobs may be half done).
	uint32_t post(job fn, void *arg);

	// Waits until job number n (from post()) has run; false if the
	// worker is gone.
	bool wait(uint32_t n);

	// Waits until every posted job has run; false if the worker is gone.
	bool drain() { return wait(posted_); }

	// Drains, and reaps the worker; false if a job may not have run.
	bool stop();

private:
	static constexpr uint32_t depth = 4;
	[[noreturn]] static void main(void *self);

	struct entry {
		job fn;
		void *arg;
	};
	// No initializers: it lives in zeroed memory (static, or mapped) and
	// start() sets them.
	entry queue_[depth];
	uint32_t posted_; // written by the caller only
	uint32_t done_;   // written by the worker only
	int pid_;
	int parent_; // the caller's process
	bool dead_;
};

} // namespace ckpt
