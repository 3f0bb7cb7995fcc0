// sched_getcpu() tells the truth after a restore in every thread. glibc
// reads it from each thread's own rseq area, which the kernel updates
// only if that thread registers it again in the restored process; a stale
// area would report the CPU of the checkpoint. So each of four threads
// (and the main one) runs on the first allowed CPU at the checkpoint,
// and after the restore moves to the last allowed CPU and asks.
// UNSUPPORTED: emulated
// (qemu-user has no rseq: sched_getcpu() is a plain system call there.)
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-COUNT-4: gen1: thread {{[0-3]}}: sched_getcpu ok
// CHECK-NEXT: gen1: main: sched_getcpu ok
// CHECK-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "Inputs/testing.h"

static int first = -1, last = -1, go, pinned;

// Moves the calling thread to cpu; returns 0 if sched_getcpu() agrees.
static int pin(int cpu, const char *who)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set)) {
		printf("%s: sched_setaffinity(%d): %s\n", who, cpu,
		       strerror(errno));
		return 1;
	}
	if (sched_getcpu() != cpu) {
		printf("%s: on CPU %d, sched_getcpu() says %d\n", who, cpu,
		       sched_getcpu());
		return 1;
	}
	return 0;
}

static void *worker(void *arg)
{
	char who[16];
	snprintf(who, sizeof who, "thread %ld", (long)arg);
	int bad = pin(first, who);
	__atomic_add_fetch(&pinned, 1, __ATOMIC_SEQ_CST);
	double start = testing_now();
	while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST)) {
		if (testing_now() - start > 60)
			return NULL;
		testing_nap(2);
	}
	// With one CPU only the first check can fail; it still must hold.
	bad |= pin(last, who) | pin(first, who);
	if (!bad)
		printf("%s: sched_getcpu ok\n", who);
	return NULL;
}

int main(void)
{
	testing_start();
	cpu_set_t allowed;
	TESTING_ASSERT(sched_getaffinity(0, sizeof allowed, &allowed) == 0,
		       "sched_getaffinity");
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &allowed)) {
			if (first < 0)
				first = cpu;
			last = cpu;
		}
	}
	pthread_t t[4];
	for (long i = 0; i < 4; i++)
		TESTING_ASSERT(pthread_create(&t[i], NULL, worker, (void *)i) == 0,
			       "thread %ld", i);
	TESTING_ASSERT(pin(first, "main") == 0, "main thread");
	for (int i = 0; i < 10000 && __atomic_load_n(&pinned, __ATOMIC_SEQ_CST)
			< 4; i++)
		testing_nap(1);
	testing_checkpoint_or_exit();
	__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	if (pin(last, "main") == 0 && pin(first, "main") == 0)
		printf("main: sched_getcpu ok\n");
	return 0;
}
