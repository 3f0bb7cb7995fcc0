// fd 0-2: a terminal, /dev/null, a pipe or a socket is inherited from the
// restorer's caller; a regular file is reopened at its offset. With
// `> out 2>&1` (one open file for both) the restored process's output goes
// on in that file, after what was there and in order, and its stdin is
// what the restorer was given. With stdout a pipe, the restored process
// writes to the restorer's stdout.
// RUN: %cc %s %runtime -o %t
// RUN: printf 'from the caller\n' > %t.in
// RUN: rm -f %t.ckpt %t.pipe.ckpt
//
// RUN: env CKPT_IMAGE=%t.ckpt %run %t < /dev/null > %t.out 2>&1
// RUN: %run %restorer %t.ckpt < %t.in > %t.caller 2>&1
// RUN: FileCheck --check-prefix=FILE %s < %t.out
// RUN: FileCheck --check-prefix=CALLER --allow-empty %s < %t.caller
//
// RUN: env CKPT_IMAGE=%t.pipe.ckpt %run %t < /dev/null 2>&1 | cat > %t.pipe-out
// RUN: FileCheck --check-prefix=PIPE0 %s < %t.pipe-out
// RUN: %run %restorer %t.pipe.ckpt < %t.in 2>&1 | FileCheck --check-prefix=PIPE1 %s
//
// FILE: stdout before
// FILE-NEXT: stderr before
// FILE-NEXT: stdin: from the caller
// FILE-NEXT: stdout after
// FILE-NEXT: stderr after
// FILE-NOT: {{.}}
// CALLER-NOT: {{.}}
// PIPE0: stdout before
// PIPE0-NEXT: stderr before
// PIPE0-NOT: {{.}}
// PIPE1: stdin: from the caller
// PIPE1-NEXT: stdout after
// PIPE1-NEXT: stderr after
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(void)
{
	testing_start();
	printf("stdout before\n");
	fprintf(stderr, "stderr before\n");
	int rc = ckpt_checkpoint(NULL);
	if (rc == 0)
		return 0;
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	char line[256] = "(nothing)";
	if (fgets(line, sizeof line, stdin))
		line[strcspn(line, "\n")] = 0;
	printf("stdin: %s\n", line);
	printf("stdout after\n");
	fprintf(stderr, "stderr after\n");
	return 0;
}
