// Kernel objects that cannot come back (a pidfd of another process, a
// namespace descriptor) are named at checkpoint, one line each, and the
// checkpoint succeeds; --info lists them as lost kernel objects, the
// restorer names each again, and the restored process finds their numbers
// held by placeholders (reads fail with EBADF), so that its next open()
// does not silently get one of them.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 2> %t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: fd 3 held
// CHECK-NEXT: gen1: fd 4 held
// CHECK-NEXT: gen1: open() gets fd 5
// CHECK-NEXT: gen1: exit 0
//
// ERR: gen0! ckpt: fd 3 (anon_inode:[pidfd]): a pidfd cannot be restored, it will not come back
// ERR-NEXT: gen0! ckpt: fd 4 (net:[{{[0-9]+}}]): a namespace cannot be restored, it will not come back
// ERR: gen1! restorer: {{.*}}.ckpt: fd 3 (anon_inode:[pidfd]) is not restored: a pidfd cannot be restored
// ERR-NEXT: gen1! restorer: {{.*}}.ckpt: fd 4 (net:[{{[0-9]+}}]) is not restored: a namespace cannot be restored
//
// INFO: fd 3 lost kobject {{.*}} anon_inode:[pidfd] [a pidfd cannot be restored]
// INFO-NEXT: fd 4 lost kobject r net:[{{[0-9]+}}] [a namespace cannot be restored]
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "Inputs/testing.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static void move_to(int fd, int want)
{
	TESTING_ASSERT(fd >= 0 && dup2(fd, want) == want, "fd %d", want);
	if (fd != want)
		close(fd);
}

int main(void)
{
	testing_start();
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	move_to(syscall(SYS_pidfd_open, child, 0), 3);
	move_to(open("/proc/self/ns/net", O_RDONLY), 4);
	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc == 0 || rc == 1, "checkpoint failed: %d", rc);
	if (rc == 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		printf("checkpointed\n");
		return 0;
	}
	printf("restored\n");
	for (int fd = 3; fd <= 4; fd++) {
		TESTING_ASSERT(testing_placeholder(fd), "fd %d should be held",
			       fd);
		printf("fd %d held\n", fd);
	}
	int fd = open("/dev/null", O_RDONLY);
	printf("open() gets fd %d\n", fd);
	return 0;
}
