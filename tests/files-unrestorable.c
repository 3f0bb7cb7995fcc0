// Descriptors the restorer cannot bring back (pipes whose other end is
// not the process's, a netlink socket) are recorded: --info lists them, and the restorer names each on
// stderr ("fd N (what) is not restored"); the restored process finds them
// held by placeholders (reads and writes fail with EBADF, but no later
// open() gets their numbers). A dup of an inherited stdout is a dup of the new stdout.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 2>&1 | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: checkpointed
// CHECK-DAG: gen1! restorer: {{.*}}.ckpt: fd 10 (pipe:[{{[0-9]+}}]) is not restored: the pipe's other end was not the process's
// CHECK-DAG: gen1! restorer: {{.*}}.ckpt: fd 11 (pipe:[{{[0-9]+}}]) is not restored: the pipe's other end was not the process's
// CHECK-DAG: gen1! restorer: {{.*}}.ckpt: fd 12 (socket:[{{[0-9]+}}]) is not restored: the checkpoint could not save this socket (it said why)
// CHECK-DAG: gen1: restored
// CHECK-DAG: gen1: fd 10 held
// CHECK-DAG: gen1: fd 11 held
// CHECK-DAG: gen1: fd 12 held
// CHECK-DAG: gen1: written through fd 20
// CHECK: gen1: exit 0
// CHECK-NOT: fd 20 {{.*}} is not restored
//
// INFO: fds: {{[0-9]+}}
// INFO: fd 1 inherit fifo w pipe:[{{[0-9]+}}]
// INFO: fd 10 lost fifo r pipe:[{{[0-9]+}}]
// INFO-NEXT: fd 11 lost fifo w pipe:[{{[0-9]+}}]
// INFO-NEXT: fd 12 lost socket rw socket:[{{[0-9]+}}]
// INFO-NEXT: fd 20 dup fifo w shares fd 1 pipe:[{{[0-9]+}}]
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void move_to(int fd, int want)
{
	TESTING_ASSERT(fd >= 0, "create fd %d", want);
	TESTING_ASSERT(dup3(fd, want, fcntl(fd, F_GETFD) ? O_CLOEXEC : 0) ==
			       want,
		       "dup3");
	close(fd);
}

int main(void)
{
	testing_start();
	int p[2], q[2];
	// One end of each: the other one is no longer the process's.
	TESTING_ASSERT(pipe(p) == 0 && pipe(q) == 0, "pipe");
	move_to(p[0], 10);
	close(p[1]);
	move_to(q[1], 11);
	close(q[0]);
	// A netlink socket: no kind of socket that comes back.
	move_to(socket(AF_NETLINK, SOCK_DGRAM, 0), 12);
	TESTING_ASSERT(dup2(1, 20) == 20, "dup2");

	testing_checkpoint_or_exit();
	for (int fd = 10; fd <= 12; fd++) {
		TESTING_ASSERT(testing_placeholder(fd), "fd %d should be held",
			       fd);
		printf("fd %d held\n", fd);
	}
	const char msg[] = "written through fd 20\n";
	TESTING_ASSERT(write(20, msg, strlen(msg)) == (ssize_t)strlen(msg),
		       "write to fd 20");
	return 0;
}
