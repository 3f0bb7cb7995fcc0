// The checkpoint's second core: see worker.h.
#include "runtime/worker.h"

#include <linux/errno.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/wait.h>

#include "arch/arch.h"
#include "arch/sys.h"

namespace ckpt {

namespace {

uint32_t load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

// a is at or after b, in wrapping job numbers.
bool reached(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

} // namespace

bool worker::start(char *stack, size_t size, bool share_files)
{
	posted_ = done_ = 0;
	pid_ = 0;
	dead_ = false;
	parent_ = (int)sys::getpid();
	// The worker is made with every signal blocked: none of the app's
	// handlers may run on its stack, in memory it shares with the app.
	const uint64_t all = ~0ull;
	uint64_t old;
	if (sys::rt_sigprocmask(SIG_SETMASK, &all, &old) < 0)
		return false;
	char *top = stack + ((size - sizeof(void *)) & ~(size_t)15);
	*reinterpret_cast<void **>(top) = this;
	// No exit signal: no SIGCHLD, and a wait() without __WALL does not
	// see it; stop() reaps it.
	const uint64_t files = share_files ? CLONE_FILES : 0;
	long pid = ckpt_arch_clone_thread(CLONE_VM | files, top, nullptr,
					  nullptr, 0, main);
	sys::rt_sigprocmask(SIG_SETMASK, &old, nullptr);
	if (pid <= 0)
		return false;
	pid_ = (int)pid;
	return true;
}

void worker::main(void *self)
{
	auto *w = static_cast<worker *>(self);
	// Not a process of its own: it goes when the thread that made it
	// does (exit, or killed), and it is gone already if that happened
	// before this line (its parent is then another process).
	sys::prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (sys::getppid() != w->parent_)
		sys::exit_group(1);
	uint32_t next = w->done_;
	for (;;) {
		const uint32_t posted = load(&w->posted_);
		if (posted == next) {
			sys::futex(&w->posted_, FUTEX_WAIT_PRIVATE, posted);
			continue;
		}
		const entry e = w->queue_[next % depth];
		if (!e.fn)
			sys::exit_group(0);
		e.fn(e.arg);
		__atomic_store_n(&w->done_, ++next, __ATOMIC_RELEASE);
		sys::futex(&w->done_, FUTEX_WAKE_PRIVATE, 1);
	}
}

uint32_t worker::post(job fn, void *arg)
{
	if (!pid_) {
		if (fn)
			fn(arg);
		return ++posted_;
	}
	if (!wait(posted_ + 1 - depth))
		return 0;
	queue_[posted_ % depth] = {fn, arg};
	__atomic_store_n(&posted_, posted_ + 1, __ATOMIC_RELEASE);
	sys::futex(&posted_, FUTEX_WAKE_PRIVATE, 1);
	return posted_;
}

bool worker::wait(uint32_t n)
{
	if (!pid_)
		return true;
	// Each 100 ms, whether the worker is still there: one killed on its
	// own would otherwise keep the checkpoint waiting for ever.
	const sys::timespec tick = {0, 100 * 1000 * 1000};
	for (;;) {
		const uint32_t done = load(&done_);
		if (reached(done, n))
			return true;
		long ret = sys::futex(&done_, FUTEX_WAIT_PRIVATE, done, &tick);
		if (ret == -ETIMEDOUT &&
		    sys::wait4(pid_, nullptr, WNOHANG | __WALL) == pid_) {
			pid_ = 0;
			dead_ = true;
			return false;
		}
	}
}

bool worker::stop()
{
	if (!pid_)
		return !dead_;
	// The worker exits (status 0) at the empty job, after the others.
	bool ok = post(nullptr, nullptr) != 0;
	if (pid_) {
		int status = -1;
		while (sys::wait4(pid_, &status, __WALL) == -EINTR)
			;
		ok = ok && status == 0;
		pid_ = 0;
	}
	return ok;
}

} // namespace ckpt
