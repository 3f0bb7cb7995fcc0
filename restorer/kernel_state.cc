// Kernel state of the restored process: the mm fields and the signal
// dispositions and alternate stack. (The mask comes last, in restore().)
#include <linux/signal.h>

#include "arch/sys.h"
#include "restorer/restorer.h"

namespace restorer {

bool restore_mm()
{
	const image::mm_fields &mm = g.header.mm;
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
	map.auxv = g.header.auxv_words ? (__u64 *)g.header.auxv : nullptr;
	map.auxv_size = g.header.auxv_words * sizeof(uint64_t);
	map.exe_fd = (uint32_t)-1; // changing /proc/self/exe needs privilege
	// Refused without CONFIG_CHECKPOINT_RESTORE or under qemu-user. Then
	// the break stays the restorer's, and the runtime tells the app's
	// libc (resume_foreign_break).
	return sys::prctl(PR_SET_MM, PR_SET_MM_MAP, (uint64_t)&map,
			  sizeof map) == 0;
}

void restore_signals()
{
	for (int sig = 1; sig <= image::signal_count; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		// An emulator may reserve some real-time signals: EINVAL.
		sys::rt_sigaction(sig, &g.header.sigactions[sig - 1], nullptr);
	}
	sys::stack ss = g.header.altstack;
	if (!(ss.flags & SS_DISABLE)) {
		// SS_ONSTACK only reports that the checkpoint ran on it.
		ss.flags &= SS_AUTODISARM;
		sys::sigaltstack(&ss, nullptr);
	}
}

} // namespace restorer
