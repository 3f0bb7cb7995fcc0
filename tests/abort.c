// raise() and abort() work in a restored process: a handled signal raised
// by the process reaches its handler, and abort() ends it with SIGABRT
// (exit status 134 in the shell), as it would have before.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t | FileCheck --check-prefix=APP %s
// RUN: { %run %restorer %t.ckpt; echo "exit $?"; } 2>&1 | FileCheck %s
//
// APP: checkpointed
// CHECK: restored
// CHECK-NEXT: SIGUSR1 handled
// CHECK-NEXT: aborting
// CHECK: exit 134
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

int main(void)
{
	testing_start();
	signal(SIGUSR1, on_usr1);
	testing_checkpoint_or_exit();
	TESTING_ASSERT(raise(SIGUSR1) == 0 && got == SIGUSR1, "raise");
	printf("SIGUSR1 handled\n");
	printf("aborting\n");
	abort();
}
