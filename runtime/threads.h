// The app's other threads: listing them, and what keeps one from stopping.
#pragma once

#include <stdint.h>

namespace ckpt {

// Calls fn(arg, tid) for every thread of the app but the caller, from
// /proc/self/task: an emulator's threads and exited threads (zombies, a
// group leader that called pthread_exit()) are not the app's. fn returns
// false to stop the walk (then 1). 0, or -errno if the list cannot be read.
long for_each_other_thread(bool (*fn)(void *arg, uint32_t tid), void *arg);

// Why a thread sent the checkpoint signal has not stopped yet
// (/proc/self/task/TID/status).
enum class thread_condition {
	running,         // it has not run its handler yet
	gone,            // it has exited
	blocks_signal,   // the signal is in its SigBlk
	stopped,         // job control or ptrace stop: it cannot run
	uninterruptible, // D state: in the kernel, deaf to signals
};
thread_condition inspect_thread(uint32_t tid, int sig);

} // namespace ckpt
