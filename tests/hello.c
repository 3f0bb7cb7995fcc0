// A counter checkpointed by signal keeps counting after the restore, with
// the running sum it had in memory before the checkpoint.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --at '^tick 3 ' -- %t | FileCheck %s
//
// CHECK: gen0: tick 0 sum 1
// CHECK: gen0: tick 3 sum 18
// CHECK: gen0: signal KILL
// The restored process resumes after tick 3, never from the start.
// CHECK-NOT: gen1: tick {{[0-3]}} sum
// CHECK: gen1: tick 39 sum 20580
// CHECK-NEXT: gen1: total 20580, recounted from memory 20580
// CHECK-NEXT: gen1: exit 0
#include "Inputs/testing.h"

#define TICKS 40

static long history[TICKS]; // written before and after the checkpoint

int main(void)
{
	long sum = 0;
	testing_start();
	for (int i = 0; i < TICKS; i++) {
		history[i] = (long)i * i + 1;
		sum += history[i];
		printf("tick %d sum %ld\n", i, sum);
		testing_nap(50);
	}
	long recount = 0;
	for (int i = 0; i < TICKS; i++)
		recount += history[i];
	printf("total %ld, recounted from memory %ld\n", sum, recount);
	return sum == recount ? 0 : 1;
}
