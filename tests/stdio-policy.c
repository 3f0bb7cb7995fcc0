// restorer --stdio=inherit|image: where a restored process's fds 0-2 go.
// The app ran with stdin /dev/null and stdout and stderr a file (out).
// By default (today's rule) a regular file is reopened and a device
// inherited: the output goes on in out, stdin is the restorer's. With
// --stdio=inherit all three are the restorer's, whatever the image says:
// the output goes where the restorer's caller sends it, out is left
// alone. With --stdio=image all three come back from the image as other
// descriptors do: stdin is /dev/null again, not the restorer's
// (stdio-cli.test: ckpt restore passes the option on).
// RUN: %cc %s %runtime -o %t
// RUN: printf 'from the caller\n' > %t.in
// RUN: rm -f %t.ckpt && env CKPT_IMAGE=%t.ckpt %run %t < /dev/null > %t.out 2>&1
// RUN: cp %t.out %t.out0
//
// RUN: %run %restorer --stdio=inherit %t.ckpt < %t.in > %t.inherit 2>&1
// RUN: FileCheck --check-prefix=INHERIT %s < %t.inherit
// RUN: cmp %t.out %t.out0
//
// RUN: %run %restorer --stdio=image %t.ckpt < %t.in > %t.image 2>&1
// RUN: FileCheck --check-prefix=EMPTY --allow-empty %s < %t.image
// RUN: FileCheck --check-prefix=IMAGE %s < %t.out
// RUN: cp %t.out0 %t.out
//
// RUN: %run %restorer %t.ckpt < %t.in > %t.default 2>&1
// RUN: FileCheck --check-prefix=EMPTY --allow-empty %s < %t.default
// RUN: FileCheck --check-prefix=DEFAULT %s < %t.out
//
// RUN: { %run %restorer --stdio=terminal %t.ckpt; echo "exit $?"; } 2>&1 | FileCheck --check-prefix=BAD %s
// RUN: %run %restorer --help | FileCheck --check-prefix=HELP %s
//
// INHERIT: stdin: from the caller
// INHERIT-NEXT: stdout after
// INHERIT-NEXT: stderr after
// INHERIT-NOT: {{.}}
// EMPTY-NOT: {{.}}
// IMAGE: stdout before
// IMAGE-NEXT: stderr before
// IMAGE-NEXT: stdin: (end of file)
// IMAGE-NEXT: stdout after
// IMAGE-NEXT: stderr after
// IMAGE-NOT: {{.}}
// DEFAULT: stdout before
// DEFAULT-NEXT: stderr before
// DEFAULT-NEXT: stdin: from the caller
// DEFAULT-NEXT: stdout after
// DEFAULT-NEXT: stderr after
// DEFAULT-NOT: {{.}}
// BAD: restorer: --stdio takes inherit or image: terminal
// BAD: exit 1
// HELP: --stdio=inherit|image
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
	char line[256];
	if (fgets(line, sizeof line, stdin))
		printf("stdin: %s", line);
	else
		printf("stdin: (end of file)\n");
	printf("stdout after\n");
	fprintf(stderr, "stderr after\n");
	return 0;
}
