// What SQLite and tmpfile() users do: a temporary file opened and
// unlinked at once (glibc's tmpfile() makes it with O_TMPFILE in /tmp),
// written through stdio, kept open. It comes back with its contents
// across two restores in a row (a restored process checkpointed again),
// and also from a forked checkpoint.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill --restores 2 -- %t | FileCheck %s
// RUN: env CKPT_FORK=1 %drive --image %t.fork.ckpt --no-kill --restores 2 -- %t | FileCheck %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored 1
// CHECK-NEXT: gen1: checkpointed
// CHECK-NEXT: gen1: exit 0
// CHECK-NEXT: gen2: restored 2
// CHECK-NEXT: gen2: read: line 1 (before any checkpoint)
// CHECK-NEXT: gen2: read: line 2 (buffered at checkpoint 1)
// CHECK-NEXT: gen2: read: line 3 (flushed before checkpoint 2)
// CHECK-NEXT: gen2: read: line 4 (after the last restore)
// CHECK-NEXT: gen2: 4 lines
// CHECK-NEXT: gen2: exit 0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void checkpoint(int n)
{
	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc >= 0, "checkpoint failed: %d", rc);
	if (rc == 0) {
		// A forked checkpoint returns before the image is complete.
		TESTING_ASSERT(ckpt_wait() == 0, "ckpt_wait");
		printf("checkpointed\n");
		exit(0);
	}
	printf("restored %d\n", n);
}

int main(void)
{
	testing_start();
	FILE *f = tmpfile();
	TESTING_ASSERT(f, "tmpfile");
	fprintf(f, "line 1 (before any checkpoint)\n");
	fflush(f);
	fprintf(f, "line 2 (buffered at checkpoint 1)\n");
	checkpoint(1);
	fprintf(f, "line 3 (flushed before checkpoint 2)\n");
	fflush(f);
	checkpoint(2);
	fprintf(f, "line 4 (after the last restore)\n");
	rewind(f);
	char line[128];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		printf("read: %s", line);
		n++;
	}
	printf("%d lines\n", n);
	return 0;
}
