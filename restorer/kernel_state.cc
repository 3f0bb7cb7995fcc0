// Kernel state of the restored process: the mm fields and the signal
// dispositions. (The mask stays blocked: the runtime puts the app's back
// once the restorer is gone; the alternate stack is per thread, thread.cc.)
#include <linux/signal.h>

#include "arch/sys.h"
#include "restorer/restorer.h"

namespace restorer {

namespace {

bool handled(const sys::kernel_sigaction &a)
{
	return a.handler != (uint64_t)SIG_DFL;
}

[[noreturn]] void refused(const char *what, int sig, long ret)
{
	char buf[256];
	ckpt::text t(buf, sizeof buf);
	message(t).str(what);
	if (sig)
		t.str(" of signal ").dec(sig);
	die(t.str(": ").errno_name(ret).ch('\n'));
}

bool refuse(ckpt::text &err, ckpt::text &what)
{
	err.str(what.c_str());
	return false;
}

} // namespace

bool restore_mm()
{
	const image::process_record &p = *g.tables.process;
	const image::mm_fields &mm = p.mm;
	// Zero when the kernel or an emulator hid them at checkpoint time.
	if (g.opts.no_set_mm || !mm.start_code)
		return false;
	struct prctl_mm_map map = {};
	map.start_code = mm.start_code;
	map.end_code = mm.end_code;
	map.start_data = mm.start_data;
	map.end_data = mm.end_data;
	map.start_brk = mm.start_brk;
	map.brk = mm.brk;
	map.start_stack = mm.start_stack;
	map.arg_start = mm.arg_start;
	map.arg_end = mm.arg_end;
	map.env_start = mm.env_start;
	map.env_end = mm.env_end;
	map.auxv = p.auxv_words ? (__u64 *)p.auxv : nullptr;
	map.auxv_size = p.auxv_words * sizeof(uint64_t);
	map.exe_fd = (uint32_t)-1; // changing /proc/self/exe needs privilege
	// Refused without CONFIG_CHECKPOINT_RESTORE or under qemu-user. Then
	// the break stays the restorer's, and the runtime tells the app's
	// libc (resume_foreign_break).
	return sys::prctl(PR_SET_MM, PR_SET_MM_MAP, (uint64_t)&map,
			  sizeof map) == 0;
}

bool check_signals(ckpt::text &err)
{
	char buf[256];
	ckpt::text t(buf, sizeof buf);
	const image::process_record &h = *g.tables.process;
	// An emulator reserves some real-time signals for itself (EINVAL):
	// an app that handled one cannot get it back.
	for (int sig = 1; sig <= image::signal_count; sig++) {
		sys::kernel_sigaction now;
		if (sig == SIGKILL || sig == SIGSTOP ||
		    !handled(h.sigactions[sig - 1]))
			continue;
		if (long ret = sys::rt_sigaction(sig, nullptr, &now); ret < 0)
			return refuse(err, message(t).str("signal ").dec(sig)
					.str(" had a handler, and this system "
					     "refuses it one: ")
					.errno_name(ret).ch('\n'));
	}
	return check_threads(err);
}

void restore_signals()
{
	for (int sig = 1; sig <= image::signal_count; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		const sys::kernel_sigaction &a =
			g.tables.process->sigactions[sig - 1];
		long ret = sys::rt_sigaction(sig, &a, nullptr);
		// Unhandled ones the emulator reserves stay as they are.
		if (ret < 0 && handled(a))
			refused("rt_sigaction", sig, ret);
	}
}

} // namespace restorer
