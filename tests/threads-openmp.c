// An OpenMP parallel loop (4 threads, dynamic schedule) is checkpointed
// mid-run by the signal, killed and restored: the restored loop finishes
// with the result an uninterrupted run prints, some chunks having run
// before the checkpoint and some after. libgomp's pool threads, parked on
// its futexes after the loop, then run a second parallel region.
// RUN: %cc -fopenmp %s %runtime -o %t
// RUN: env OMP_NUM_THREADS=4 %run %t | FileCheck --check-prefix=PLAIN %s
// RUN: env OMP_NUM_THREADS=4 %drive --timeout 30 --image %t.ckpt \
// RUN:     --at '^progress' --delay 20 -- %t | FileCheck %s
//
// PLAIN: progress: 20 chunks
// PLAIN: result: 0x5d5beb84fd6a3757, team 4
// PLAIN-NEXT: second region: 4 threads
//
// CHECK: gen0: progress: 20 chunks
// CHECK-NOT: gen0: result
// CHECK: gen0: signal KILL
// CHECK-NEXT: gen1: chunks before the checkpoint: some, after the restore: some
// CHECK-NEXT: gen1: result: 0x5d5beb84fd6a3757, team 4
// CHECK-NEXT: gen1: second region: 4 threads
// CHECK-NEXT: gen1: exit 0
#include <omp.h>
#include <stdint.h>

#include "Inputs/testing.h"

#define CHUNKS 300
#define WORK 600000

static uint64_t chunk(int i)
{
	uint64_t x = i;
	for (int k = 0; k < WORK; k++)
		x = testing_value(x);
	return x;
}

int main(void)
{
	testing_start();
	static int done, after, team;
	uint64_t sum = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : sum)
	for (int i = 0; i < CHUNKS; i++) {
		if (i == 0)
			team = omp_get_num_threads();
		sum += chunk(i);
		if (testing_restored())
			__atomic_add_fetch(&after, 1, __ATOMIC_RELAXED);
		if (__atomic_add_fetch(&done, 1, __ATOMIC_RELAXED) == 20)
			printf("progress: 20 chunks\n");
	}
	if (testing_restored())
		printf("chunks before the checkpoint: %s, after the restore: "
		       "%s\n", after < CHUNKS ? "some" : "none",
		       after > 0 ? "some" : "none");
	printf("result: %#llx, team %d\n", (unsigned long long)sum, team);
	int members = 0;
#pragma omp parallel
	__atomic_add_fetch(&members, 1, __ATOMIC_RELAXED);
	printf("second region: %d threads\n", members);
	return 0;
}
