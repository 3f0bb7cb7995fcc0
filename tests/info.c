// restorer --info describes an image without restoring it: a header
// (format, arch), a region table with the stack, the heap (natively:
// qemu-user has no [heap] label) and the app's own file, and its one
// thread, the group leader that took the checkpoint.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t | FileCheck --check-prefix=APP %s
// RUN: %run %restorer --info %t.ckpt \
// RUN:   | FileCheck --check-prefixes=CHECK,CHECK-%arch %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=QUIET %s
//
// APP: rc=0
// CHECK-DAG: format: 2
// CHECK-x86_64-DAG: arch: x86_64
// CHECK-aarch64-DAG: arch: aarch64
// CHECK-DAG: [stack]
// CHECK-x86_64-DAG: [heap]
// CHECK-DAG: info.c.tmp
// CHECK-DAG: threads: 1
// CHECK-DAG: thread {{[0-9]+}} group leader taker: context 0x{{[0-9a-f]+}}, frame none, mask 0x0, altstack none,
// --info must not resume the app.
// QUIET-NOT: rc=
#include <stdio.h>
#include <stdlib.h>

#include "ckpt.h"

char *volatile heap; // volatile: the malloc below must happen

int main(void)
{
	heap = malloc(100000); // below the mmap threshold: a [heap] for sure
	heap[0] = 1;
	int rc = ckpt_checkpoint(NULL);
	printf("rc=%d\n", rc);
	return 0;
}
