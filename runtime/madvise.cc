// madvise() is interposed (as sigaction() is, interpose.cc) only to learn
// that the app asked for memory a forked child does not see as it is:
// MADV_DONTFORK (absent in the child) or MADV_WIPEONFORK (zeroed there).
// A forked checkpoint then reads smaps in the app's pause, and writes the
// image in place while that memory lasts (attrs.cc forkable_memory()).
// The system call made without libc (syscall(SYS_madvise, ...), another
// libc's internals) is not seen here: the forked writer finds what its
// copy lacks itself (check_forked_copy()).
#include <linux/mman.h>

#include "arch/sys.h"
#include "runtime/attrs.h"

// libc's errno, weak: without one (another libc) only the result tells.
extern "C" __attribute__((weak, visibility("default"))) int *
__errno_location();

extern "C" __attribute__((visibility("default"))) int
madvise(void *addr, size_t len, int advice)
{
	// Noted before the call and after it: a checkpoint that stops this
	// thread in between sees the advice in smaps, or finds it noted.
	const bool fork_advice =
		advice == MADV_DONTFORK || advice == MADV_WIPEONFORK;
	if (fork_advice)
		ckpt::note_fork_advice();
	long ret = sys::madvise((uint64_t)addr, len, advice);
	if (fork_advice)
		ckpt::note_fork_advice();
	if (ret < 0) {
		if (&__errno_location)
			*__errno_location() = (int)-ret;
		return -1;
	}
	return 0;
}
