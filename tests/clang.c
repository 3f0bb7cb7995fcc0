// REQUIRES: clang
// An app compiled by clang at -O2 (its own register allocation, vectorized
// loops) keeps its state over a signal checkpoint and restore.
// RUN: %clang -O2 %s %runtime -o %t
// RUN: %drive --image %t.ckpt --at '^tick 2 ' -- %t | FileCheck %s
//
// CHECK: gen0: tick 2 sum 3
// CHECK: gen0: signal KILL
// CHECK-NOT: gen1: tick {{[0-2]}} sum
// CHECK: gen1: tick 9 sum 45
// CHECK-NEXT: gen1: restored: yes, dot product 1024
// CHECK-NEXT: gen1: exit 0
#include "Inputs/testing.h"

static float a[1024], b[1024];

static float dot(void)
{
	float s = 0;
	for (int i = 0; i < 1024; i++)
		s += a[i] * b[i];
	return s;
}

int main(void)
{
	testing_start();
	long sum = 0;
	for (int i = 0; i < 10; i++) {
		sum += i;
		for (int j = i; j < 1024; j += 10) {
			a[j] = 2.0f;
			b[j] = 0.5f;
		}
		printf("tick %d sum %ld\n", i, sum);
		testing_nap(50);
	}
	printf("restored: %s, dot product %.0f\n",
	       testing_restored() ? "yes" : "no", dot());
	return 0;
}
