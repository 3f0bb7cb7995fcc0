// An image cut short (a copy interrupted, a full disk) is refused with a
// message and exit status 1, before anything of the restorer's own process
// is replaced: it does not crash, and the intact image still restores.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t | FileCheck --check-prefix=APP %s
// RUN: head -c 100 %t.ckpt > %t.head
// RUN: { %run %restorer %t.head 2>&1; echo "exit $?"; } | FileCheck --check-prefix=BAD %s
// RUN: %python -c "import os, sys; n = os.path.getsize(sys.argv[1]); open(sys.argv[2], 'wb').write(open(sys.argv[1], 'rb').read(n - n // 3))" %t.ckpt %t.cut
// RUN: { %run %restorer %t.cut 2>&1; echo "exit $?"; } | FileCheck --check-prefix=BAD %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=GOOD %s
//
// APP: rc=0 value=4242
// BAD: restorer: {{.*}}: {{.+}}
// BAD-NOT: value=
// BAD: exit 1
// GOOD: rc=1 value=4242
#include <stdio.h>
#include <stdlib.h>

#include "ckpt.h"

int main(void)
{
	static char big[1 << 20]; // enough data that a cut lands in it
	for (int i = 0; i < (int)sizeof big; i += 4096)
		big[i] = (char)i;
	int value = 4242;
	int rc = ckpt_checkpoint(NULL);
	printf("rc=%d value=%d\n", rc, value);
	return 0;
}
