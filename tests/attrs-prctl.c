// PR_SET_THP_DISABLE and PR_SET_CHILD_SUBREAPER come back: the restored
// process still has transparent huge pages disabled, and an orphaned
// grandchild is reparented to it, which reaps it. qemu-user refuses both
// prctls (EINVAL).
// UNSUPPORTED: emulated
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: thp disabled 1, subreaper 1, grandchild reaped
// CHECK-NEXT: gen0: signal KILL
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: thp disabled 1, subreaper 1, grandchild reaped
// CHECK-NEXT: gen1: exit 0
// INFO: thp disabled: yes
// INFO-NEXT: child subreaper: yes
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void report(void)
{
	int reaper = -1;
	TESTING_ASSERT(prctl(PR_GET_CHILD_SUBREAPER, &reaper) == 0,
		       "PR_GET_CHILD_SUBREAPER");
	// A child that leaves a grandchild behind: the grandchild is ours.
	pid_t child = fork();
	TESTING_ASSERT(child >= 0, "fork");
	if (child == 0) {
		if (fork() == 0) {
			usleep(100 * 1000);
			_exit(7);
		}
		_exit(0);
	}
	TESTING_ASSERT(waitpid(child, NULL, 0) == child, "waitpid child");
	int status;
	pid_t got = wait(&status);
	printf("thp disabled %d, subreaper %d, %s\n",
	       prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), reaper,
	       got > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7
		       ? "grandchild reaped"
		       : "grandchild NOT reaped");
}

int main(void)
{
	testing_start();
	TESTING_ASSERT(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0,
		       "PR_SET_THP_DISABLE");
	TESTING_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0,
		       "PR_SET_CHILD_SUBREAPER");
	report();
	testing_checkpoint_and_wait();
	report();
	return 0;
}
