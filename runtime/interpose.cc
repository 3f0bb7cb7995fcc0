// The checkpoint signal stays the runtime's when the app installs its own
// handler for it or blocks it: sigaction(), signal(), sigprocmask() and
// pthread_sigmask() are interposed (runtime.o's
// definitions come before libc's, in a static and in a dynamic link, and
// libckpt.so's are preloaded). The app's action for that signal is kept
// here and reported back to it, and the runtime's handler passes the
// signal on to it unless it is a checkpoint request (sigqueue() with
// CKPT_REQUEST, as `ckpt checkpoint` sends it, or the runtime's own
// interval timer). Every other signal goes to libc's own sigaction.
// While the app has no handler of its own for it, every instance is a
// request, and the app cannot block it: a thread that blocks "all
// signals" (thread pools do) can still be stopped for a checkpoint.
#include <linux/errno.h>
#include <linux/signal.h>

#include "runtime/ckpt.h"
#include "runtime/runtime.h"
#include "runtime/str.h"

// libc's implementation, and its errno. Weak: another libc leaves them
// null, and then the system call is made here.
extern "C" __attribute__((weak, visibility("default"))) int
__sigaction(int, const void *, void *);
extern "C" __attribute__((weak, visibility("default"))) int *
__errno_location();
extern "C" void ckpt_arch_sigreturn();

namespace ckpt {

namespace {

// glibc's struct sigaction (the same on x86_64 and aarch64).
struct libc_sigaction {
	uint64_t handler;   // sa_handler or sa_sigaction
	uint64_t mask[16];  // sigset_t: 1024 bits, the kernel uses 64
	int32_t flags;
	int32_t pad;
	uint64_t restorer;
};
static_assert(sizeof(libc_sigaction) == 152);

constexpr uint64_t sig_dfl = 0, sig_ign = 1;

// What the app set for the checkpoint signal: SIG_DFL until it sets one.
libc_sigaction app_action;
bool taken; // the runtime's handler is installed

int failed(int err)
{
	if (&__errno_location)
		*__errno_location() = err;
	return -1;
}

// libc's sigaction for every other signal, or the system call.
int other(int sig, const libc_sigaction *act, libc_sigaction *old)
{
	if (&__sigaction)
		return __sigaction(sig, act, old);
	sys::kernel_sigaction k = {}, was = {};
	if (act) {
		k.handler = act->handler;
		k.flags = (uint64_t)(uint32_t)act->flags | SA_RESTORER;
		k.restorer = (uint64_t)ckpt_arch_sigreturn;
		k.mask = act->mask[0];
	}
	long ret = sys::rt_sigaction(sig, act ? &k : nullptr, &was);
	if (ret < 0)
		return failed((int)-ret);
	if (old) {
		*old = {};
		old->handler = was.handler;
		old->flags = (int32_t)was.flags;
		old->restorer = was.restorer;
		old->mask[0] = was.mask;
	}
	return 0;
}

// glibc's own signals, which it never lets an app block (SIGCANCEL,
// SIGSETXID: the first two real-time signals).
constexpr uint64_t libc_reserved = 3ull << 31;

// The mask the app asked for, less what it may not block; with errno.
long set_mask(int how, const uint64_t *set, uint64_t *old)
{
	uint64_t want = 0;
	if (set) {
		want = *set & ~libc_reserved;
		if (taken && app_action.handler == sig_dfl &&
		    (how == SIG_BLOCK || how == SIG_SETMASK))
			want &= ~(1ull << (config.signal - 1));
	}
	return sys::rt_sigprocmask(how, set ? &want : nullptr, old);
}

} // namespace

void take_signal()
{
	taken = true;
}

bool signal_is_taken()
{
	return taken;
}

bool app_takes(const void *siginfo)
{
	if (app_action.handler == sig_dfl)
		return false;
	const auto *info = static_cast<const sys::queued_siginfo *>(siginfo);
	return !(info &&
		 (info->code == sys::si_queue || info->code == sys::si_timer) &&
		 info->value == CKPT_REQUEST);
}

long request_checkpoint(int pid)
{
	sys::queued_siginfo info = {};
	info.signo = config.signal;
	info.code = sys::si_queue;
	info.pid = (int32_t)sys::getpid();
	info.uid = (uint32_t)sys::getuid();
	info.value = CKPT_REQUEST;
	return sys::rt_sigqueueinfo(pid, config.signal, &info);
}

bool runtime_takes(int sig, const void *siginfo)
{
	return taken && sig == config.signal &&
	       (is_stop_request(siginfo) || !app_takes(siginfo));
}

void pass_to_app(int sig, void *siginfo, void *frame)
{
	const libc_sigaction a = app_action;
	if (a.handler == sig_ign || a.handler == sig_dfl)
		return;
	if (a.flags & SA_RESETHAND)
		app_action.handler = sig_dfl;
	// The mask the kernel would have set for the app's handler: the
	// thread's, its sa_mask, and the signal itself unless SA_NODEFER.
	uint64_t mask;
	memcpy(&mask, (const char *)frame + arch::frame_sigmask_offset,
	       sizeof mask);
	mask |= a.mask[0];
	if (!(a.flags & SA_NODEFER))
		mask |= 1ull << (sig - 1);
	sys::rt_sigprocmask(SIG_SETMASK, &mask, nullptr);
	if (a.flags & SA_SIGINFO)
		reinterpret_cast<void (*)(int, void *, void *)>(a.handler)(
			sig, siginfo, frame);
	else
		reinterpret_cast<void (*)(int)>(a.handler)(sig);
}

} // namespace ckpt

extern "C" __attribute__((visibility("default"))) int
sigaction(int sig, const void *act_arg, void *old_arg)
{
	using namespace ckpt;
	const auto *act = static_cast<const libc_sigaction *>(act_arg);
	auto *old = static_cast<libc_sigaction *>(old_arg);
	if (!taken || sig != config.signal)
		return other(sig, act, old);
	if (old)
		*old = app_action;
	if (act)
		app_action = *act;
	return 0;
}

// signal() as glibc has it (BSD semantics: SA_RESTART, the signal blocked
// in its handler), through the sigaction above.
extern "C" __attribute__((visibility("default"))) uint64_t
signal(int sig, uint64_t handler)
{
	ckpt::libc_sigaction act = {}, old = {};
	act.handler = handler;
	act.flags = SA_RESTART;
	if (sig >= 1 && sig <= 64)
		act.mask[0] = 1ull << (sig - 1);
	if (sigaction(sig, &act, &old) < 0)
		return (uint64_t)-1; // SIG_ERR
	return old.handler;
}

extern "C" __attribute__((visibility("default"))) uint64_t
bsd_signal(int sig, uint64_t handler)
{
	return signal(sig, handler);
}

// sigset_t is 1024 bits; the kernel's, and so these, only the first 64:
// the rest of *old is left as it was, as glibc leaves it.
extern "C" __attribute__((visibility("default"))) int
pthread_sigmask(int how, const void *set, void *old)
{
	long ret = ckpt::set_mask(how, static_cast<const uint64_t *>(set),
				  static_cast<uint64_t *>(old));
	return ret < 0 ? (int)-ret : 0;
}

extern "C" __attribute__((visibility("default"))) int
sigprocmask(int how, const void *set, void *old)
{
	int err = pthread_sigmask(how, set, old);
	return err ? ckpt::failed(err) : 0;
}
