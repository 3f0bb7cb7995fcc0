// ckpt_checkpoint() returns 0 in the app once the image is complete and 1
// in the restored process, where locals (in callee-saved registers at -O1)
// and globals have their values of the moment of the call. A path that
// cannot be written gives a negative errno and no image.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 7 | FileCheck %s
//
// CHECK: gen0: bad path: rc=-2 (No such file or directory)
// CHECK-NEXT: gen0: rc=0 a=7000021 b=6960416 c=21000070 d=1.75 global=77 text=before
// CHECK-NEXT: gen0: image complete, no temporary file left
// CHECK-NEXT: gen0: scribbled over the globals
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: rc=1 a=7000021 b=6960416 c=21000070 d=1.75 global=77 text=before
// CHECK-NEXT: gen1: exit 0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"

long global_value;
char global_text[32];

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2)
		return 2;
	// From argv, so the compiler keeps them in registers, not constants.
	long n = atol(argv[1]);
	long a = n * 1000003;
	long b = a ^ 0xfaf5;
	long c = a * 3 + n;
	double d = n / 4.0;
	global_value = n * 11;
	strcpy(global_text, "before");

	int bad = ckpt_checkpoint("/nonexistent-ckpt-dir/x.ckpt");
	printf("bad path: rc=%d (%s)\n", bad, bad < 0 ? strerror(-bad) : "?");

	int rc = ckpt_checkpoint(NULL); // CKPT_IMAGE, set by the driver
	printf("rc=%d a=%ld b=%ld c=%ld d=%g global=%ld text=%s\n", rc, a, b,
	       c, d, global_value, global_text);
	if (rc != 0)
		return rc == 1 ? 0 : 1;

	const char *image = getenv("CKPT_IMAGE");
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", image, (int)getpid());
	if (access(image, R_OK) == 0 && access(tmp, F_OK) != 0)
		printf("image complete, no temporary file left\n");
	// The image holds the values of the moment of the checkpoint.
	global_value = -1;
	strcpy(global_text, "after");
	printf("scribbled over the globals\n");
	return 0;
}
