// An epoll that watches sockets comes back with its watches, once the
// sockets are back at their numbers: one event for the socket that holds
// a queued message, with its data, none for the empty one, and the
// watches are of the app's numbers (EPOLL_CTL_DEL of them works).
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
//
// CHECK: gen1: restored
// CHECK-NEXT: gen1: 1 event: data 0x1234 events 0x1
// CHECK-NEXT: gen1: got 'ping'
// CHECK-NEXT: gen1: no event left
// CHECK-NEXT: gen1: watches deleted
// CHECK-NEXT: gen1: exit 0
//
// ERR-NOT: is not restored
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void move_to(int fd, int want)
{
	TESTING_ASSERT(fd >= 0, "create fd %d (errno %d)", want, errno);
	TESTING_ASSERT(dup2(fd, want) == want, "dup2");
	close(fd);
}

int main(void)
{
	testing_start();
	int sv[2];
	TESTING_ASSERT(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "pair");
	move_to(sv[0], 10);
	move_to(sv[1], 11);
	move_to(epoll_create1(0), 12);
	struct epoll_event ev = {EPOLLIN, {.u64 = 0x1234}};
	TESTING_ASSERT(epoll_ctl(12, EPOLL_CTL_ADD, 10, &ev) == 0, "watch 10");
	ev.data.u64 = 0x5678;
	TESTING_ASSERT(epoll_ctl(12, EPOLL_CTL_ADD, 11, &ev) == 0, "watch 11");
	TESTING_ASSERT(send(11, "ping", 4, 0) == 4, "send");

	testing_checkpoint_or_exit();
	struct epoll_event got[8];
	int n = epoll_wait(12, got, 8, 5000);
	TESTING_ASSERT(n >= 1, "no event: errno %d", errno);
	printf("%d event: data 0x%llx events 0x%x\n", n,
	       (unsigned long long)got[0].data.u64, got[0].events);
	char buf[8] = {0};
	TESTING_ASSERT(recv(10, buf, sizeof buf, 0) == 4, "recv");
	printf("got '%s'\n", buf);
	n = epoll_wait(12, got, 8, 0);
	TESTING_ASSERT(n == 0, "%d events left", n);
	printf("no event left\n");
	TESTING_ASSERT(epoll_ctl(12, EPOLL_CTL_DEL, 10, NULL) == 0 &&
			       epoll_ctl(12, EPOLL_CTL_DEL, 11, NULL) == 0,
		       "delete: errno %d", errno);
	TESTING_ASSERT(send(11, "ping", 4, 0) == 4, "send");
	n = epoll_wait(12, got, 8, 0);
	TESTING_ASSERT(n == 0, "%d events after delete", n);
	printf("watches deleted\n");
	return 0;
}
