// A statically linked app (static glibc: its own TLS setup, IRELATIVE
// relocations, no ld.so), both at a fixed address and as a static PIE,
// keeps counting after a signal checkpoint and can still allocate memory
// and read the clock.
// RUN: %cc -static %s %runtime -o %t
// RUN: %drive --image %t.ckpt --at '^tick 2 ' -- %t | FileCheck %s
// RUN: %cc -static-pie %s %runtime -o %t.spie
// RUN: %drive --image %t.spie.ckpt --at '^tick 2 ' -- %t.spie | FileCheck %s
//
// CHECK: gen0: tick 2 sum 3
// CHECK: gen0: signal KILL
// CHECK-NOT: gen1: tick {{[0-2]}} sum
// CHECK: gen1: tick 9 sum 45 heap 0:1:2:3:4:5:6:7:8:9:
// CHECK-NEXT: gen1: restored: yes, malloc ok, clock ok
// CHECK-NEXT: gen1: exit 0
#include <string.h>

#include "Inputs/testing.h"

int main(void)
{
	testing_start();
	char *trail = calloc(1, 64); // grows on the heap, tick by tick
	long sum = 0;
	for (int i = 0; i < 10; i++) {
		sum += i;
		snprintf(trail + strlen(trail), 8, "%d:", i);
		printf("tick %d sum %ld heap %s\n", i, sum, trail);
		testing_nap(50);
	}
	double t0 = testing_now();
	char *big = malloc(1 << 20);
	TESTING_ASSERT(big != NULL, "malloc");
	memset(big, 0x5a, 1 << 20);
	TESTING_ASSERT(big[12345] == 0x5a, "malloc'd memory");
	testing_nap(10);
	TESTING_ASSERT(testing_now() - t0 >= 0.009, "the clock does not move");
	printf("restored: %s, malloc ok, clock ok\n",
	       testing_restored() ? "yes" : "no");
	return 0;
}
