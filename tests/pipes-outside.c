// A pipe to another process cannot come back: its other end is a child's.
// The restorer names it and why, the restored process finds its number held by a placeholder;
// a self-pipe next to it comes back. An epoll watching the lost pipe
// cannot come back either, and says so; one watching the self-pipe does.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 2>&1 | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: checkpointed
// CHECK-DAG: gen1! restorer: {{.*}}.ckpt: fd 10 (pipe:[{{[0-9]+}}]) is not restored: the pipe's other end was not the process's
// CHECK-DAG: gen1! restorer: {{.*}}.ckpt: fd 11 (pipe:[{{[0-9]+}}]) is not restored: the pipe's other end was not the process's
// CHECK-DAG: gen1! restorer: {{.*}}.ckpt: fd 14 (anon_inode:[eventpoll]) is not restored: a file it watches does not come back
// CHECK-DAG: gen1: restored
// CHECK-DAG: gen1: fd 10 held
// CHECK-DAG: gen1: fd 11 held
// CHECK-DAG: gen1: fd 14 held
// CHECK-DAG: gen1: epoll 15: 1 event, data 7
// CHECK-DAG: gen1: self-pipe 'x'
// CHECK: gen1: exit 0
//
// INFO: fd 10 lost fifo r pipe:[{{[0-9]+}}]
// INFO-NEXT: fd 11 lost fifo w pipe:[{{[0-9]+}}]
// INFO-NEXT: fd 12 recreate fifo r pipe:[{{[0-9]+}}] size 65536, 1 bytes buffered, write end fd 13
// INFO-NEXT: fd 13 recreate fifo w pipe:[{{[0-9]+}}] read end fd 12
// INFO-NEXT: fd 14 lost epoll rw anon_inode:[eventpoll] watches 1
// INFO-NEXT: watch fd 10 events 0x19 data 0x5
// INFO-NEXT: fd 15 recreate epoll rw anon_inode:[eventpoll] watches 1
// INFO-NEXT: watch fd 12 events 0x19 data 0x7
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(void)
{
	testing_start();
	int in[2], out[2], self[2];
	TESTING_ASSERT(pipe(in) == 0 && pipe(out) == 0 && pipe(self) == 0,
		       "pipe");
	pid_t child = fork();
	TESTING_ASSERT(child >= 0, "fork");
	if (child == 0) {
		// Holds the other ends until the parent is done.
		close(in[0]);
		close(out[1]);
		char c;
		while (read(out[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(in[1]);
	close(out[0]);
	TESTING_ASSERT(dup2(in[0], 10) == 10 && dup2(out[1], 11) == 11 &&
			       dup2(self[0], 12) == 12 && dup2(self[1], 13) == 13,
		       "dup2");
	close(in[0]);
	close(out[1]);
	close(self[0]);
	close(self[1]);
	TESTING_ASSERT(write(13, "x", 1) == 1, "write");
	struct epoll_event ev = {EPOLLIN, {.u64 = 5}};
	int ep = epoll_create1(0);
	TESTING_ASSERT(dup2(ep, 14) == 14 && close(ep) == 0 &&
			       epoll_ctl(14, EPOLL_CTL_ADD, 10, &ev) == 0,
		       "epoll 14");
	ev.data.u64 = 7;
	ep = epoll_create1(0);
	TESTING_ASSERT(dup2(ep, 15) == 15 && close(ep) == 0 &&
			       epoll_ctl(15, EPOLL_CTL_ADD, 12, &ev) == 0,
		       "epoll 15");
	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc == 0 || rc == 1, "checkpoint failed: %d", rc);
	if (rc == 0) {
		close(11); // the child sees the end and exits
		waitpid(child, NULL, 0);
		printf("checkpointed\n");
		return 0;
	}
	printf("restored\n");
	for (int fd = 10; fd <= 14; fd += fd == 11 ? 3 : 1) {
		TESTING_ASSERT(testing_placeholder(fd), "fd %d should be held",
			       fd);
		printf("fd %d held\n", fd);
	}
	int n = epoll_wait(15, &ev, 1, 5000);
	printf("epoll 15: %d event, data %llu\n", n,
	       (unsigned long long)ev.data.u64);
	char c = 0;
	TESTING_ASSERT(read(12, &c, 1) == 1, "self-pipe");
	printf("self-pipe '%c'\n", c);
	return 0;
}
