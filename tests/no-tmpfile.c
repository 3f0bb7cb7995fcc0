// Where the file system has no O_TMPFILE (a seccomp filter here makes
// openat with O_TMPFILE fail with EOPNOTSUPP, as vfat or an old NFS
// would), the image is written to <image>.tmp.<pid> and renamed into
// place: it restores, no temporary stays, and one a dead writer left
// before is removed.
// qemu-user refuses seccomp filters:
// UNSUPPORTED: aarch64
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d && echo stale > %t.d/img.tmp.99999
// RUN: %run %t %t.d/img | FileCheck --check-prefix=APP %s
// RUN: ls %t.d | FileCheck --check-prefix=LS %s
// RUN: %run %restorer %t.d/img | FileCheck --check-prefix=RESTORED %s
// APP: O_TMPFILE: EOPNOTSUPP
// APP-NEXT: checkpoint: 0
// LS: img{{$}}
// LS-NOT: tmp
// RESTORED: restored
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: no-tmpfile IMAGE");
	// openat(dirfd, path, flags, mode): flags is args[2] (its low word
	// here); the kernel's O_TMPFILE bit without O_DIRECTORY (glibc's
	// __O_TMPFILE includes that).
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 020000000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EOPNOTSUPP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = {sizeof prog / sizeof prog[0], prog};
	TESTING_ASSERT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
	TESTING_ASSERT(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) == 0,
		       "PR_SET_SECCOMP");
	int fd = open(".", O_TMPFILE | O_WRONLY, 0600);
	printf("O_TMPFILE: %s\n",
	       fd < 0 && errno == EOPNOTSUPP ? "EOPNOTSUPP" : "works");
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 1) {
		printf("restored\n");
		return 0;
	}
	printf("checkpoint: %d\n", rc);
	return rc != 0;
}
