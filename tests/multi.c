// Three checkpoints in one run, to three images, each with a different
// state (a global, a local, a heap string, an open-ended counter): each
// image restores to its own state, and one image can be restored twice.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.img1 %t.img2 %t.img3
// RUN: %run %t %t.img | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.img2 | FileCheck --check-prefix=TWO %s
// RUN: %run %restorer %t.img1 | FileCheck --check-prefix=ONE %s
// RUN: %run %restorer %t.img3 | FileCheck --check-prefix=THREE %s
// RUN: %run %restorer %t.img2 | FileCheck --check-prefix=TWO %s
//
// APP: checkpoint 1: rc=0
// APP-NEXT: checkpoint 2: rc=0
// APP-NEXT: checkpoint 3: rc=0
// APP-NEXT: done
// ONE: restored from image 1: global=100 local=1 heap="state one" ticks=10
// ONE-NOT: checkpoint
// TWO: restored from image 2: global=200 local=2 heap="state two" ticks=20
// TWO-NOT: checkpoint
// THREE: restored from image 3: global=300 local=3 heap="state three" ticks=30
// THREE-NOT: checkpoint
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static const char *const names[] = {"one", "two", "three"};
static int global;

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	char *heap = malloc(64);
	long ticks = 0;
	for (int k = 1; k <= 3; k++) {
		global = k * 100;
		snprintf(heap, 64, "state %s", names[k - 1]);
		for (int i = 0; i < 10; i++)
			ticks++;
		char path[4096];
		snprintf(path, sizeof path, "%s%d", argv[1], k);
		int rc = ckpt_checkpoint(path);
		if (rc == 1) {
			printf("restored from image %d: global=%d local=%d "
			       "heap=\"%s\" ticks=%ld\n", k, global, k, heap,
			       ticks);
			return 0; // not on to the next checkpoint
		}
		printf("checkpoint %d: rc=%d\n", k, rc);
		if (rc != 0)
			return 1;
	}
	printf("done\n");
	return 0;
}
