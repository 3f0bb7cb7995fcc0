// An epoll that watches sockets (and a timerfd) comes back with its
// watches, once they are back at their numbers: one event for the socket
// that holds a queued message, with its data, one for the expired
// timerfd, none for the empty socket, and the watches are of the app's
// numbers (EPOLL_CTL_DEL of them works: no watch is left behind at a
// number the restorer used for a moment).
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
//
// CHECK: gen1: restored
// CHECK-NEXT: gen1: event: data 0x1234 events 0x1
// CHECK-NEXT: gen1: event: data 0x9abc events 0x1
// CHECK-NEXT: gen1: got 'ping'
// CHECK-NEXT: gen1: no event left
// CHECK-NEXT: gen1: watches deleted
// CHECK-NEXT: gen1: exit 0
//
// ERR-NOT: is not restored
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
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
	move_to(timerfd_create(CLOCK_MONOTONIC, 0), 13);
	ev.data.u64 = 0x9abc;
	TESTING_ASSERT(epoll_ctl(12, EPOLL_CTL_ADD, 13, &ev) == 0, "watch 13");
	struct itimerspec once = {{0, 0}, {0, 1000000}};
	TESTING_ASSERT(timerfd_settime(13, 0, &once, NULL) == 0, "arm");
	TESTING_ASSERT(send(11, "ping", 4, 0) == 4, "send");
	testing_nap(10); // the timer expires

	testing_checkpoint_or_exit();
	struct epoll_event got[8];
	int n = epoll_wait(12, got, 8, 5000);
	TESTING_ASSERT(n == 2, "%d events: errno %d", n, errno);
	if (got[0].data.u64 > got[1].data.u64) {
		struct epoll_event e = got[0];
		got[0] = got[1];
		got[1] = e;
	}
	for (int k = 0; k < n; k++)
		printf("event: data 0x%llx events 0x%x\n",
		       (unsigned long long)got[k].data.u64, got[k].events);
	char buf[8] = {0};
	TESTING_ASSERT(recv(10, buf, sizeof buf, 0) == 4, "recv");
	uint64_t ticks;
	TESTING_ASSERT(read(13, &ticks, 8) == 8, "read the timerfd");
	printf("got '%s'\n", buf);
	n = epoll_wait(12, got, 8, 0);
	TESTING_ASSERT(n == 0, "%d events left", n);
	printf("no event left\n");
	TESTING_ASSERT(epoll_ctl(12, EPOLL_CTL_DEL, 10, NULL) == 0 &&
			       epoll_ctl(12, EPOLL_CTL_DEL, 11, NULL) == 0 &&
			       epoll_ctl(12, EPOLL_CTL_DEL, 13, NULL) == 0,
		       "delete: errno %d", errno);
	TESTING_ASSERT(send(11, "ping", 4, 0) == 4, "send");
	TESTING_ASSERT(timerfd_settime(13, 0, &once, NULL) == 0, "arm");
	testing_nap(10);
	n = epoll_wait(12, got, 8, 0);
	TESTING_ASSERT(n == 0, "%d events after delete", n);
	printf("watches deleted\n");
	return 0;
}
