// Two CKPT_FORK checkpoints to one path, the second taken while the
// first one's writer still runs (and finishes long after the second's):
// images reach the path in the order they were taken, never the older
// over the newer, and ckpt_wait() waits for the latest.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_FORK=1 %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: first: 0
// APP-NEXT: second: 0
// APP-NEXT: wait: 0
// APP-NEXT: second wait: 0
// RESTORED: restored: checkpoint 2
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "Inputs/testing.h"

#define BIG (128UL << 20)

static volatile int which;

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	// The first image is big, so that its writer is still at work when
	// the second, small one is complete.
	char *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TESTING_ASSERT(big != MAP_FAILED, "mmap");
	for (size_t i = 0; i < BIG; i += 4096)
		big[i] = (char)(i >> 12 | 1);
	which = 1;
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 1)
		goto restored;
	printf("first: %d\n", rc);
	munmap(big, BIG);
	which = 2;
	rc = ckpt_checkpoint(argv[1]);
	if (rc == 1)
		goto restored;
	printf("second: %d\n", rc);
	printf("wait: %d\n", ckpt_wait());
	printf("second wait: %d\n", ckpt_wait());
	// Time for an older writer still at work to reach the path, as it
	// did when the writers were not ordered.
	testing_nap(1500);
	return 0;
restored:
	printf("restored: checkpoint %d\n", which);
	return 0;
}
