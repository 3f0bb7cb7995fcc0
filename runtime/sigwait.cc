// The waits that dequeue signals without a handler: sigwait(),
// sigwaitinfo(), sigtimedwait() and signalfd(). Interposed as interpose.cc
// interposes sigaction(), so that a wait for the checkpoint signal cannot
// swallow a checkpoint request or another thread's stop request: such a
// signal, once dequeued, is sent again to this thread and let through to
// the runtime's handler (the checkpoint needs its signal frame), and the
// wait goes on. The app's own instances are returned to it as before.
// A signalfd cannot be interposed per read: the checkpoint signal is left
// out of its mask, and the app is told so on stderr.
#include <linux/errno.h>
#include <linux/signal.h>
#include <linux/time.h>

#include "runtime/fmt.h"
#include "runtime/io.h"
#include "runtime/runtime.h"

extern "C" __attribute__((weak, visibility("default"))) int *
__errno_location();

namespace ckpt {

namespace {

int failed(long err)
{
	if (&__errno_location)
		*__errno_location() = (int)-err;
	return -1;
}

uint64_t bit(int sig)
{
	return 1ull << (sig - 1);
}

uint64_t now_ns()
{
	sys::timespec t = {};
	sys::clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.sec * 1000000000 + (uint64_t)t.nsec;
}

// Sends info back to this thread and lets it in: the runtime's handler
// runs before rt_sigprocmask() returns (on return to user mode).
void hand_to_runtime(int sig, const sys::queued_siginfo &info)
{
	uint64_t mask, open = bit(sig);
	sys::rt_sigprocmask(SIG_BLOCK, nullptr, &mask);
	sys::rt_tgsigqueueinfo((int)sys::getpid(), (int)sys::gettid(), sig,
			       &info);
	sys::rt_sigprocmask(SIG_UNBLOCK, &open, nullptr);
	sys::rt_sigprocmask(SIG_SETMASK, &mask, nullptr);
}

// rt_sigtimedwait() until a signal that is the app's, or the timeout
// (the time spent in checkpoints counts). The signal, or -errno.
long wait_for_app(const uint64_t *set, sys::queued_siginfo *info,
		  const sys::timespec *timeout)
{
	const uint64_t start = now_ns();
	const uint64_t limit = timeout ? (uint64_t)timeout->sec *
						 1000000000 +
					 (uint64_t)timeout->nsec
				       : 0;
	for (;;) {
		sys::queued_siginfo got = {};
		sys::timespec left = {};
		if (timeout) {
			// CLOCK_MONOTONIC is another clock after a restore:
			// an elapsed time out of range counts as none.
			uint64_t spent = now_ns() - start;
			if (spent > limit)
				spent = spent > (1ull << 62) ? 0 : limit;
			left.sec = (long)((limit - spent) / 1000000000);
			left.nsec = (long)((limit - spent) % 1000000000);
		}
		long sig = sys::rt_sigtimedwait(set, &got,
						timeout ? &left : nullptr);
		if (sig > 0 && runtime_takes((int)sig, &got)) {
			hand_to_runtime((int)sig, got);
			continue;
		}
		if (sig > 0 && info)
			*info = got;
		return sig;
	}
}

bool told_signalfd;

} // namespace

} // namespace ckpt

extern "C" __attribute__((visibility("default"))) int
sigtimedwait(const void *set, void *info, const void *timeout)
{
	long sig = ckpt::wait_for_app(
		static_cast<const uint64_t *>(set),
		static_cast<sys::queued_siginfo *>(info),
		static_cast<const sys::timespec *>(timeout));
	return sig < 0 ? ckpt::failed(sig) : (int)sig;
}

extern "C" __attribute__((visibility("default"))) int
sigwaitinfo(const void *set, void *info)
{
	return sigtimedwait(set, info, nullptr);
}

// POSIX: the error number is returned, never EINTR (glibc waits again).
extern "C" __attribute__((visibility("default"))) int
sigwait(const void *set, int *sig)
{
	long got;
	do
		got = ckpt::wait_for_app(static_cast<const uint64_t *>(set),
					 nullptr, nullptr);
	while (got == -EINTR);
	if (got < 0)
		return (int)-got;
	*sig = (int)got;
	return 0;
}

extern "C" __attribute__((visibility("default"))) int
signalfd(int fd, const void *mask_arg, int flags)
{
	using namespace ckpt;
	uint64_t mask = *static_cast<const uint64_t *>(mask_arg);
	const int sig = config.signal;
	if (signal_is_taken() && (mask & bit(sig))) {
		mask &= ~bit(sig);
		if (!told_signalfd) {
			told_signalfd = true;
			char buf[160];
			text msg(buf, sizeof buf);
			print_err(msg.str("ckpt: signalfd() for signal ")
					  .dec(sig)
					  .str(", the checkpoint signal: left "
					       "out, the runtime takes it "
					       "(CKPT_SIGNAL chooses another)\n"));
		}
	}
	long ret = sys::signalfd4(fd, &mask, flags);
	return ret < 0 ? failed(ret) : (int)ret;
}
