// The flags of each end come back as they were: a blocking read end and
// a nonblocking write end, FD_CLOEXEC on one only, a dup of the write end
// sharing its open file (and its O_NONBLOCK); an eventfd in semaphore
// mode, blocking, counts down by one; an empty nonblocking eventfd says
// EAGAIN; an epoll with no watches is one still.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen1: restored
// CHECK-NEXT: gen1: fd 10 flags 0 cloexec 1
// CHECK-NEXT: gen1: fd 11 flags 4001 cloexec 0
// CHECK-NEXT: gen1: fd 12 flags 4001 cloexec 0
// CHECK-NEXT: gen1: fd 13 flags 2 cloexec 0
// CHECK-NEXT: gen1: fd 14 flags 4002 cloexec 1
// CHECK-NEXT: gen1: fd 15 flags 2 cloexec 0
// CHECK-NEXT: gen1: dup shares O_NONBLOCK: 1
// CHECK-NEXT: gen1: semaphore reads 1 1 1
// CHECK-NEXT: gen1: empty eventfd: EAGAIN
// CHECK-NEXT: gen1: epoll without watches: 0 events
// CHECK-NEXT: gen1: pipe: 'abc'
// CHECK-NEXT: gen1: exit 0
// ERR-NOT: is not restored
//
// INFO: fd 12 dup fifo w nonblock shares fd 11
// INFO: fd 13 recreate eventfd rw anon_inode:[eventfd] count 3 semaphore
// INFO: fd 14 recreate eventfd rw nonblock cloexec anon_inode:[eventfd] count 0
// INFO: fd 15 recreate epoll rw anon_inode:[eventpoll] watches 0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void move_to(int fd, int want, int cloexec)
{
	TESTING_ASSERT(fd >= 0, "create fd %d", want);
	TESTING_ASSERT(dup3(fd, want, cloexec) == want, "dup3");
	close(fd);
}

int main(void)
{
	testing_start();
	int p[2];
	TESTING_ASSERT(pipe(p) == 0, "pipe");
	move_to(p[0], 10, O_CLOEXEC);
	move_to(p[1], 11, 0);
	TESTING_ASSERT(fcntl(11, F_SETFL, O_NONBLOCK) == 0, "nonblock");
	TESTING_ASSERT(dup2(11, 12) == 12, "dup2");
	move_to(eventfd(3, EFD_SEMAPHORE), 13, 0);
	move_to(eventfd(0, EFD_NONBLOCK), 14, O_CLOEXEC);
	move_to(epoll_create1(0), 15, 0);
	TESTING_ASSERT(write(11, "abc", 3) == 3, "write");

	testing_checkpoint_or_exit();
	for (int fd = 10; fd <= 15; fd++)
		printf("fd %d flags %o cloexec %d\n", fd,
		       fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK),
		       fcntl(fd, F_GETFD) & FD_CLOEXEC);
	TESTING_ASSERT(fcntl(12, F_SETFL, 0) == 0, "F_SETFL");
	printf("dup shares O_NONBLOCK: %d\n", !(fcntl(11, F_GETFL) & O_NONBLOCK));
	uint64_t v[3];
	for (int i = 0; i < 3; i++)
		TESTING_ASSERT(read(13, &v[i], 8) == 8, "semaphore read");
	printf("semaphore reads %llu %llu %llu\n", (unsigned long long)v[0],
	       (unsigned long long)v[1], (unsigned long long)v[2]);
	TESTING_ASSERT(read(14, &v[0], 8) == -1, "empty eventfd");
	printf("empty eventfd: %s\n", errno == EAGAIN ? "EAGAIN" : "other");
	struct epoll_event ev;
	printf("epoll without watches: %d events\n", epoll_wait(15, &ev, 1, 0));
	char buf[8] = {0};
	TESTING_ASSERT(read(10, buf, 3) == 3, "read");
	printf("pipe: '%s'\n", buf);
	return 0;
}
