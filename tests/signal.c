// A checkpoint signal that lands anywhere in a compute loop: after the
// restore the loop goes on from exactly the state it had. Its state (an
// LCG in an integer register, a count in a floating-point register,
// counters in memory) is checked against a closed form for the number of
// iterations done.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --at '^READY$' --delay 50 -- %t | FileCheck %s
//
// CHECK: gen0: READY
// CHECK-NOT: gen0: loop
// CHECK: gen0: signal KILL
// CHECK: gen1: loop state ok
// CHECK-NEXT: gen1: exit 0
#include <stdint.h>

#include "Inputs/testing.h"

#define MUL 6364136223846793005ULL
#define ADD 1442695040888963407ULL
#define CHUNK (1 << 16)

static uint64_t counts[8];

// The LCG's state after n steps from x, by composing the affine map.
static uint64_t lcg_jump(uint64_t x, uint64_t n)
{
	uint64_t mul = MUL, add = ADD, rmul = 1, radd = 0;
	for (; n; n >>= 1) {
		if (n & 1) {
			rmul *= mul;
			radd = radd * mul + add;
		}
		add = (mul + 1) * add;
		mul *= mul;
	}
	return rmul * x + radd;
}

int main(void)
{
	const uint64_t seed = 12345;
	uint64_t x = seed, iters = 0;
	double d = 0;

	testing_start();
	double start = testing_now();
	printf("READY\n");
	// Runs until it finds itself restored: the signal lands in the loop.
	while (!testing_restored()) {
		for (int j = 0; j < CHUNK; j++) {
			x = x * MUL + ADD;
			d += 1.0;
			counts[iters & 7]++;
			iters++;
		}
		TESTING_ASSERT(testing_now() - start < 30,
			       "no restore within 30 s");
	}
	TESTING_ASSERT(x == lcg_jump(seed, iters),
		       "LCG state %#llx after %llu iterations",
		       (unsigned long long)x, (unsigned long long)iters);
	TESTING_ASSERT(d == (double)iters, "float count %.0f, want %llu", d,
		       (unsigned long long)iters);
	for (int k = 0; k < 8; k++)
		TESTING_ASSERT(counts[k] == iters / 8, "counts[%d] = %llu", k,
			       (unsigned long long)counts[k]);
	printf("loop state ok\n");
	return 0;
}
