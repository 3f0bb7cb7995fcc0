// What the kernel would refuse of the signal state, the robust list and
// the timers is refused before the point of no return, naming it: an
// alternate signal stack below AT_MINSIGSTKSZ (sigaltstack's ENOMEM), a
// robust list of the wrong size, or one whose head is in no saved memory
// (the image's check: the restorer would read it). The image
// as written restores, its altstack in place.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: cp %t.ckpt %t.ss.ckpt && %python %S/lib/patch_image.py %t.ss.ckpt --altstack-size 512
// RUN: { %run %restorer %t.ss.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=SS %s
// A head in saved memory (qemu-user saves none: the context's place).
// RUN: cp %t.ckpt %t.rl.ckpt && %python %S/lib/patch_image.py %t.rl.ckpt --robust-list $(%python %S/lib/patch_image.py %t.ckpt --print-context-addr)=8
// RUN: { %run %restorer %t.rl.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=RL %s
// RUN: cp %t.ckpt %t.rh.ckpt && %python %S/lib/patch_image.py %t.rh.ckpt --robust-list 0x1000=24
// RUN: { %run %restorer %t.rh.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=RH %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=GOOD %s
// APP: checkpoint: 0
// SS: restorer: {{.*}}: the alternate signal stack (512 bytes) is smaller than this system's minimum (AT_MINSIGSTKSZ {{[0-9]+}})
// SS-NEXT: exit 1
// RL: restorer: {{.*}}: robust futex list of 8 bytes: the kernel takes only 24
// RL-NEXT: exit 1
// RH: restorer: {{.*}}: thread 0 (tid {{[0-9]+}}): thread state is missing or not in writable saved memory
// RH-NEXT: exit 1
// GOOD: restored, altstack of 65536 bytes
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536};
	sigaltstack(&ss, NULL);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc != 0;
	}
	stack_t now;
	sigaltstack(NULL, &now);
	printf("restored, altstack of %zu bytes\n", now.ss_size);
	return 0;
}
