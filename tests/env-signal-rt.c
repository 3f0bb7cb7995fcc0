// CKPT_SIGNAL can name a real-time signal: with CKPT_SIGNAL=SIGRTMIN+2
// (glibc's SIGRTMIN is 34) signal 36 checkpoints the app, and SIGUSR2 is
// left alone.
// UNSUPPORTED: emulated
// (qemu-user keeps host real-time signals for itself and renumbers the
// guest's, so a host kill -36 is not the guest's signal 36.)
// RUN: %cc %s %runtime -o %t
// RUN: env CKPT_SIGNAL=SIGRTMIN+2 %drive --image %t.ckpt --signal 36 \
// RUN:     --at '^tick 2$' -- %t | FileCheck %s
//
// CHECK: gen0: SIGUSR2 default: yes
// CHECK: gen0: tick 2
// CHECK: gen0: signal KILL
// CHECK-NOT: gen1: tick {{[0-2]$}}
// CHECK: gen1: tick 9
// CHECK-NEXT: gen1: restored: yes
// CHECK-NEXT: gen1: exit 0
#include <signal.h>

#include "Inputs/testing.h"

int main(void)
{
	testing_start();
	struct sigaction sa;
	sigaction(SIGUSR2, NULL, &sa);
	printf("SIGUSR2 default: %s\n", sa.sa_handler == SIG_DFL ? "yes" : "no");
	for (int i = 0; i < 10; i++) {
		printf("tick %d\n", i);
		testing_nap(50);
	}
	printf("restored: %s\n", testing_restored() ? "yes" : "no");
	return 0;
}
