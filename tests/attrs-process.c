// Process-wide attributes come back: oom_score_adj, raised (which needs
// no privilege), and a membarrier registration (a private expedited
// barrier works, where it fails with EPERM unregistered). Lowered below
// what the restorer starts with, oom_score_adj needs CAP_SYS_RESOURCE:
// without it the restore goes on with a warning that says so.
// (PR_SET_THP_DISABLE and PR_SET_CHILD_SUBREAPER: attrs-prctl.c.)
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t 500 | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: oom_score_adj 500, membarrier 0
// CHECK-NEXT: gen0: signal KILL
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: oom_score_adj 500, membarrier 0
// CHECK-NEXT: gen1: exit 0
//
// INFO: oom_score_adj: 500
// INFO-NEXT: membarrier registered: private-expedited{{$}}
//
// An image whose oom_score_adj is -100 (the first entry of section 23,
// its value 8 bytes in), restored without CAP_SYS_RESOURCE:
// RUN: cp %t.ckpt %t.low.ckpt && %python %S/lib/patch_image.py %t.low.ckpt --section-u64 23:8=0xffffffffffffff9c
// RUN: sh -c 'if [ "$(id -u)" = 0 ]; then exec setpriv --bounding-set=-sys_resource "$@"; fi; exec "$@"' sh %run %restorer %t.low.ckpt 2>&1 | FileCheck --check-prefix=LOW %s
// LOW: restorer: {{.*}}.low.ckpt: oom_score_adj -100 is not restored: EACCES (permission denied) (lowering it takes CAP_SYS_RESOURCE); it stays 0
// LOW: restored
// LOW-NEXT: oom_score_adj 0, membarrier 0
//
// A value the kernel would refuse is refused with the image:
// RUN: cp %t.ckpt %t.bad.ckpt && %python %S/lib/patch_image.py %t.bad.ckpt --section-u64 23:8=1001
// RUN: { %run %restorer %t.bad.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=BAD %s
// BAD: restorer: {{.*}}.bad.ckpt: process attribute entry is invalid (type, value or region)
// BAD-NOT: restored
// BAD: exit 1
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void report(void)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "r");
	int adj = -1;
	TESTING_ASSERT(f && fscanf(f, "%d", &adj) == 1, "oom_score_adj");
	fclose(f);
	long barrier = syscall(SYS_membarrier,
			       MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	printf("oom_score_adj %d, membarrier %ld\n", adj, barrier);
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: attrs-process OOM_SCORE_ADJ");
	FILE *f = fopen("/proc/self/oom_score_adj", "w");
	TESTING_ASSERT(f && fprintf(f, "%d\n", atoi(argv[1])) > 0 &&
			       fclose(f) == 0,
		       "set oom_score_adj");
	TESTING_ASSERT(syscall(SYS_membarrier,
			       MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0,
			       0) == 0,
		       "membarrier register");
	report();
	testing_checkpoint_and_wait();
	report();
	return 0;
}
