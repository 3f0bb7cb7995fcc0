// sched_getcpu() tells the truth after a restore. glibc reads it from the
// thread's rseq area, which the kernel updates only if the area is
// registered again in the restored process; a stale area would report the
// CPU of the checkpoint. So: checkpoint on the first allowed CPU, restore,
// move to the last allowed CPU and ask.
// UNSUPPORTED: emulated
// (qemu-user has no rseq: sched_getcpu() is a plain system call there.)
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: sched_getcpu ok
// CHECK-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <sched.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TESTING_ASSERT(sched_setaffinity(0, sizeof set, &set) == 0,
		       "sched_setaffinity(%d)", cpu);
	TESTING_ASSERT(sched_getcpu() == cpu, "on CPU %d, sched_getcpu() "
		       "says %d", cpu, sched_getcpu());
}

int main(void)
{
	testing_start();
	cpu_set_t allowed;
	TESTING_ASSERT(sched_getaffinity(0, sizeof allowed, &allowed) == 0,
		       "sched_getaffinity");
	int first = -1, last = -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &allowed)) {
			if (first < 0)
				first = cpu;
			last = cpu;
		}
	}
	pin(first);
	testing_checkpoint_or_exit();
	// With one CPU only the first check can fail; it still must hold.
	pin(last);
	pin(first);
	printf("sched_getcpu ok\n");
	return 0;
}
