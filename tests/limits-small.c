// Small limits: the restorer runs on its own stack and maps its tables at
// the size the image needs, so `ulimit -s 12` no longer kills it; an image
// that cannot fit RLIMIT_AS, RLIMIT_DATA or RLIMIT_STACK is refused before
// the point of no return, naming the limit. capsh drops CAP_SYS_RESOURCE,
// without which the restorer cannot raise a hard limit (as any user).
// REQUIRES: native-run, root
// (qemu-user does not apply a guest's RLIMIT_AS/DATA/STACK, and needs far
// more address space than these limits itself.)
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: sh -c 'ulimit -S -s 12 && exec %restorer %t.ckpt' | FileCheck --check-prefix=GOOD %s
// RUN: { capsh --drop=cap_sys_resource -- -c 'ulimit -s 12 && exec %restorer %t.ckpt' 2>&1; echo "exit $?"; } | FileCheck --check-prefix=STACK %s
// RUN: { capsh --drop=cap_sys_resource -- -c 'ulimit -v 16384 && exec %restorer %t.ckpt' 2>&1; echo "exit $?"; } | FileCheck --check-prefix=AS %s
// RUN: { capsh --drop=cap_sys_resource -- -c 'ulimit -d 16384 && exec %restorer %t.ckpt' 2>&1; echo "exit $?"; } | FileCheck --check-prefix=DATA %s
// RUN: capsh --drop=cap_sys_resource -- -c 'ulimit -v 200000 && ulimit -d 200000 && exec %restorer %t.ckpt' | FileCheck --check-prefix=GOOD %s
// APP: checkpoint: 0
// GOOD: restored: 32 MiB intact
// STACK: restorer: {{.*}}: RLIMIT_STACK: the app's stack is {{[0-9]+}} KiB, the limit it would have is 12 KiB (hard 12 KiB)
// STACK-NEXT: exit 1
// AS: restorer: {{.*}}: RLIMIT_AS: the restore needs {{[0-9]+}} KiB of address space, the limit is 16384 KiB (hard 16384 KiB)
// AS-NEXT: exit 1
// DATA: restorer: {{.*}}: RLIMIT_DATA: the restore needs {{[0-9]+}} KiB of private writable memory, the limit is 16384 KiB (hard 16384 KiB)
// DATA-NEXT: exit 1
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define LEN (32UL << 20)

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	unsigned long *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < LEN / 8; i += 4096)
		p[i] = testing_value(i);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc != 0;
	}
	size_t bad = 0;
	for (size_t i = 0; i < LEN / 8; i += 4096)
		bad += p[i] != testing_value(i);
	printf("restored: 32 MiB %s\n", bad ? "damaged" : "intact");
	return 0;
}
