// x86_64 thread state outside the signal frame: FS/GS base, AMX permission.
#include "arch/sys.h"

#include <asm/prctl.h>

namespace arch {

namespace {

// XFEATURE_XTILEDATA: the state component that needs ARCH_REQ_XCOMP_PERM.
constexpr unsigned xfeature_xtiledata = 18;

long arch_prctl(int code, uint64_t arg)
{
	return syscall2(__NR_arch_prctl, code, (long)arg);
}

} // namespace

long save_thread_state(thread_state *ts)
{
	*ts = {};
	long ret = arch_prctl(ARCH_GET_FS, (uint64_t)&ts->fs_base);
	if (ret < 0)
		return ret;
	ret = arch_prctl(ARCH_GET_GS, (uint64_t)&ts->gs_base);
	if (ret < 0)
		return ret;
	// Fails with EINVAL on kernels and CPUs without dynamic xfeatures.
	if (arch_prctl(ARCH_GET_XCOMP_PERM, (uint64_t)&ts->xcomp_perm) < 0)
		ts->xcomp_perm = 0;
	return 0;
}

long restore_thread_state(const thread_state *ts)
{
	long ret = arch_prctl(ARCH_SET_FS, ts->fs_base);
	if (ret < 0)
		return ret;
	if (ts->gs_base) {
		ret = arch_prctl(ARCH_SET_GS, ts->gs_base);
		if (ret < 0)
			return ret;
	}
	// Without the permission the app's next AMX instruction raises SIGILL.
	if (ts->xcomp_perm & (1ull << xfeature_xtiledata)) {
		ret = arch_prctl(ARCH_REQ_XCOMP_PERM, xfeature_xtiledata);
		if (ret < 0)
			return ret;
	}
	return 0;
}

} // namespace arch
