// Dynamically linked apps, position-independent (the default) and not:
// after a signal checkpoint and restore, pointers into the executable and
// into libc (functions, strings, a TLS variable and errno, reached through
// the thread pointer) are valid: the restored process has the same layout.
// RUN: %cc -fPIE -pie %s %runtime -o %t
// RUN: %drive --image %t.ckpt --at '^tick 2 ' -- %t | FileCheck %s
// RUN: %cc -fno-PIE -no-pie %s %runtime -o %t.nopie
// RUN: %drive --image %t.nopie.ckpt --at '^tick 2 ' -- %t.nopie | FileCheck %s
//
// CHECK: gen0: tick 2 tls 3
// CHECK: gen0: signal KILL
// CHECK-NOT: gen1: tick {{[0-2]}} tls
// CHECK: gen1: tick 9 tls 10
// CHECK-NEXT: gen1: restored: yes, pointers ok, errno ok
// CHECK-NEXT: gen1: exit 0
#include <errno.h>
#include <string.h>

#include "Inputs/testing.h"

static __thread long tls_ticks = 0;
static int twice(int x) { return 2 * x; }
static int (*volatile op)(int) = twice;
static size_t (*volatile libc_fn)(const char *) = strlen;
static const char *volatile text = "seven";

int main(void)
{
	testing_start();
	for (int i = 0; i < 10; i++) {
		tls_ticks++;
		printf("tick %d tls %ld\n", i, tls_ticks);
		testing_nap(50);
	}
	TESTING_ASSERT(op(21) == 42, "function pointer");
	TESTING_ASSERT(libc_fn(text) == 5, "libc function pointer");
	errno = 0;
	TESTING_ASSERT(write(-1, "", 0) == -1 && errno == EBADF, "errno");
	printf("restored: %s, pointers ok, errno ok\n",
	       testing_restored() ? "yes" : "no");
	return 0;
}
