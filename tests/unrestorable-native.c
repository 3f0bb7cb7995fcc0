// More kernel objects that cannot come back, named at checkpoint and at
// restore: a userfaultfd, an io_uring instance and an AIO context
// (io_setup), which has no descriptor but a mapping ("/[aio] (deleted)"),
// so it is named by its address; --info marks its region.
// qemu-user implements none of userfaultfd, io_uring_setup and io_setup.
// UNSUPPORTED: emulated
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 2> %t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: aio context at 0x{{[0-9a-f]+}}
// CHECK: gen1: restored
// CHECK-NEXT: gen1: fd 10 held
// CHECK-NEXT: gen1: fd 11 held
// CHECK-NEXT: gen1: exit 0
//
// ERR-DAG: gen0! ckpt: fd 10 (anon_inode:[userfaultfd]): a userfaultfd cannot be restored, it will not come back
// ERR-DAG: gen0! ckpt: fd 11 (anon_inode:[io_uring]): an io_uring instance cannot be restored, it will not come back
// ERR-DAG: gen0! ckpt: an AIO context (io_setup) at 0x{{0*}}[[CTX:[0-9a-f]+]] (/[aio] (deleted)) cannot be restored, it comes back as plain memory
// ERR-DAG: gen1! restorer: {{.*}}.ckpt: fd 10 (anon_inode:[userfaultfd]) is not restored: a userfaultfd cannot be restored
// ERR-DAG: gen1! restorer: {{.*}}.ckpt: fd 11 (anon_inode:[io_uring]) is not restored: an io_uring instance cannot be restored
// ERR-DAG: gen1! restorer: {{.*}}.ckpt: region {{[0-9]+}} at 0x[[CTX]]: /[aio] (deleted): an AIO context (io_setup) cannot be restored; it comes back as plain memory
//
// INFO: {{[0-9a-f]+}}-{{.*}} /[aio] (deleted) [an AIO context (io_setup): not restored]
// INFO: fd 10 lost kobject {{.*}} anon_inode:[userfaultfd] [a userfaultfd cannot be restored]
// INFO: fd 11 lost kobject {{.*}} anon_inode:[io_uring] [an io_uring instance cannot be restored]
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <sys/syscall.h>

#include "Inputs/testing.h"

static void move_to(long fd, int want, const char *what)
{
	TESTING_ASSERT(fd >= 0 && dup2((int)fd, want) == want, "%s", what);
	if (fd != want)
		close((int)fd);
}

int main(void)
{
	testing_start();
	move_to(syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* USER_MODE_ONLY */),
		10, "userfaultfd");
	char params[120] = {0}; // struct io_uring_params
	move_to(syscall(425 /* io_uring_setup */, 4, params), 11,
		"io_uring_setup");
	aio_context_t ctx = 0;
	TESTING_ASSERT(syscall(SYS_io_setup, 4, &ctx) == 0, "io_setup");
	printf("aio context at 0x%llx\n", (unsigned long long)ctx);
	testing_checkpoint_or_exit();
	for (int fd = 10; fd <= 11; fd++) {
		TESTING_ASSERT(testing_placeholder(fd), "fd %d should be held",
			       fd);
		printf("fd %d held\n", fd);
	}
	return 0;
}
