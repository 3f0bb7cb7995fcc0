// The clocks work after a restore: clock_gettime (MONOTONIC, REALTIME,
// BOOTTIME), gettimeofday and time agree with the kernel's system calls
// (glibc reads them through the vDSO, whose vvar pages must be the
// current kernel's), and time moves forward at the right rate.
// qemu-user has no vDSO for the guest: there the same checks exercise
// plain system calls.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: CLOCK_MONOTONIC ok
// CHECK-NEXT: gen1: CLOCK_REALTIME ok
// CHECK-NEXT: gen1: CLOCK_BOOTTIME ok
// CHECK-NEXT: gen1: gettimeofday ok
// CHECK-NEXT: gen1: time ok
// CHECK-NEXT: gen1: time moves forward
// CHECK-NEXT: gen1: exit 0
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static double libc_clock(clockid_t id)
{
	struct timespec ts;
	TESTING_ASSERT(clock_gettime(id, &ts) == 0, "clock_gettime(%d)",
		       (int)id);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double kernel_clock(clockid_t id)
{
	struct timespec ts;
	TESTING_ASSERT(syscall(SYS_clock_gettime, id, &ts) == 0,
		       "SYS_clock_gettime(%d)", (int)id);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// The libc reading lies between two kernel readings, and after then.
static void check_clock(const char *name, clockid_t id, double then)
{
	double k0 = kernel_clock(id);
	double l = libc_clock(id);
	double k1 = kernel_clock(id);
	TESTING_ASSERT(k0 - 0.001 <= l && l <= k1 + 0.001,
		       "%s: libc says %.6f, the kernel %.6f..%.6f", name, l,
		       k0, k1);
	TESTING_ASSERT(l > then, "%s: %.6f is not after the checkpoint's "
		       "%.6f", name, l, then);
	printf("%s ok\n", name);
}

int main(void)
{
	testing_start();
	double mono = libc_clock(CLOCK_MONOTONIC);
	double real = libc_clock(CLOCK_REALTIME);
	double boot = libc_clock(CLOCK_BOOTTIME);
	time_t secs = time(NULL);

	testing_checkpoint_or_exit();
	check_clock("CLOCK_MONOTONIC", CLOCK_MONOTONIC, mono);
	check_clock("CLOCK_REALTIME", CLOCK_REALTIME, real);
	check_clock("CLOCK_BOOTTIME", CLOCK_BOOTTIME, boot);

	struct timeval tv;
	double k0 = kernel_clock(CLOCK_REALTIME);
	TESTING_ASSERT(gettimeofday(&tv, NULL) == 0, "gettimeofday");
	double k1 = kernel_clock(CLOCK_REALTIME);
	double l = tv.tv_sec + tv.tv_usec * 1e-6;
	TESTING_ASSERT(k0 - 0.001 <= l && l <= k1 + 0.001,
		       "gettimeofday says %.6f, the kernel %.6f..%.6f", l, k0,
		       k1);
	printf("gettimeofday ok\n");

	time_t t = time(NULL);
	time_t kt = (time_t)kernel_clock(CLOCK_REALTIME);
	TESTING_ASSERT(t >= secs && (t == kt || t + 1 == kt),
		       "time() says %lld, the kernel %lld", (long long)t,
		       (long long)kt);
	printf("time ok\n");

	// 100 ms of busy waiting by the kernel's clock is about 100 ms by
	// libc's: the vDSO's scaling data are this kernel's.
	double l0 = libc_clock(CLOCK_MONOTONIC);
	double start = kernel_clock(CLOCK_MONOTONIC);
	double prev = l0;
	while (kernel_clock(CLOCK_MONOTONIC) - start < 0.1) {
		double now = libc_clock(CLOCK_MONOTONIC);
		TESTING_ASSERT(now >= prev, "CLOCK_MONOTONIC went back");
		prev = now;
	}
	double elapsed = libc_clock(CLOCK_MONOTONIC) - l0;
	TESTING_ASSERT(elapsed >= 0.099 && elapsed < 0.5,
		       "100 ms took %.6f s by libc's clock", elapsed);
	printf("time moves forward\n");
	return 0;
}
