// aarch64 thread state outside the signal frame: TPIDR_EL0.
#include "arch/sys.h"

namespace arch {

long save_thread_state(thread_state *ts)
{
	*ts = {};
	asm volatile("mrs %0, tpidr_el0" : "=r"(ts->tpidr_el0));
	return 0;
}

long restore_thread_state(const thread_state *ts)
{
	asm volatile("msr tpidr_el0, %0" : : "r"(ts->tpidr_el0) : "memory");
	return 0;
}

} // namespace arch
