// Without CKPT_IMAGE, ckpt_checkpoint(NULL) writes <program name>.ckpt in
// the working directory, and leaves no temporary file next to it.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: cd %t.dir && %run %t | FileCheck --check-prefix=APP %s
// RUN: ls %t.dir | FileCheck --check-prefix=LS %s
// RUN: cd %t.dir && %run %restorer default-path.c.tmp.ckpt | FileCheck --check-prefix=RESTORED %s
//
// APP: rc=0
// LS: default-path.c.tmp.ckpt
// LS-NOT: tmp.ckpt.tmp
// RESTORED: rc=1
#include <stdio.h>

#include "ckpt.h"

int main(void)
{
	int rc = ckpt_checkpoint(NULL);
	printf("rc=%d\n", rc);
	return 0;
}
