// A seccomp filter that makes statx fail (ENOSYS, as on an old kernel or
// in a sandbox) must not cost the app its descriptors: the checkpoint
// falls back to fstat, and the open file comes back at its offset.
// qemu-user refuses seccomp filters (they would see the host's system
// calls):
// UNSUPPORTED: aarch64
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d && printf 'abcdefgh' > %t.d/data
// RUN: %drive --image %t.ckpt -- %t %t.d/data 2>&1 | FileCheck %s
// CHECK: gen0: statx: ENOSYS
// CHECK-NOT: will not come back
// CHECK-NOT: is not restored
// CHECK: gen1: restored: fd 3 reads efgh
// CHECK-NEXT: gen1: exit 0
//
// With fstatat refused too, the descriptors are recorded as lost, and
// both the checkpoint and the restore say so (fd 0-2 are the restorer's).
// The driver merges two streams, so the restored app's line may come
// before or after the restorer's warnings:
// RUN: %drive --image %t.ckpt -- %t %t.d/data both 2>&1 | FileCheck --check-prefix=LOST %s
// LOST: gen0! ckpt: fd 3 ({{.*}}/data): cannot read its state: ENOSYS {{.*}}, it will not come back
// LOST-DAG: gen1! restorer: {{.*}}: fd 1 ({{.*}}) is not restored: its state could not be read at checkpoint; the restorer's own takes its place
// LOST-DAG: gen1! restorer: {{.*}}: fd 3 ({{.*}}/data) is not restored: its state could not be read at checkpoint
// LOST-DAG: gen1: restored: fd 3 is held by a placeholder
// LOST: gen1: exit 0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc >= 2, "usage: statx-seccomp FILE [both]");
	int both = argc > 2;
	int fd = open(argv[1], O_RDONLY);
	TESTING_ASSERT(fd == 3, "open %s", argv[1]);
	char buf[8] = {0};
	TESTING_ASSERT(read(fd, buf, 4) == 4, "read");

	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_statx, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			 both ? __NR_newfstatat : __NR_statx, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog fprog = {sizeof prog / sizeof prog[0], prog};
	TESTING_ASSERT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
	TESTING_ASSERT(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) == 0,
		       "PR_SET_SECCOMP");
	struct statx st;
	long r = syscall(__NR_statx, fd, "", AT_EMPTY_PATH, STATX_SIZE, &st);
	printf("statx: %s\n", r < 0 && errno == ENOSYS ? "ENOSYS" : "works");

	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc >= 0, "checkpoint failed: %d", rc);
	if (rc == 0)
		for (;;)
			pause();
	if (both) {
		printf("restored: fd 3 is %s\n",
		       testing_placeholder(fd) ? "held by a placeholder"
					       : "something else");
		return 0;
	}
	TESTING_ASSERT(read(fd, buf, 4) == 4, "read after the restore");
	printf("restored: fd 3 reads %s\n", buf);
	return 0;
}
