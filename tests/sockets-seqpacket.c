// A unix seqpacket pair comes back with the messages queued in both
// directions, each whole and apart: a receive with a small buffer takes
// the start of one message and drops the rest of it (MSG_TRUNC), the next
// receive gets the next message.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen1: restored
// CHECK-NEXT: gen1: fd 10: 'alpha' 'bravo charlie' 'delta'
// CHECK-NEXT: gen1: fd 10: 'a long messa' truncated
// CHECK-NEXT: gen1: fd 11: 'reply one' 'reply two'
// CHECK-NEXT: gen1: fd 10: nothing more
// CHECK-NEXT: gen1: again: 'after'
// CHECK-NEXT: gen1: exit 0
//
// ERR-NOT: is not restored
// ERR-NOT: will not come back
//
// INFO: fd 10 recreate socket rw socket:[{{[0-9]+}}] unix seqpacket pair with fd 11, 4 messages queued (42 bytes)
// INFO-NEXT: fd 11 recreate socket rw socket:[{{[0-9]+}}] unix seqpacket pair with fd 10, 2 messages queued (18 bytes)
#include <errno.h>
#include <stdio.h>
#include <string.h>
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

static void take(int fd, int count)
{
	printf("fd %d:", fd);
	for (int k = 0; k < count; k++) {
		char buf[32] = {0};
		TESTING_ASSERT(recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0,
			       "fd %d: message %d: errno %d", fd, k, errno);
		printf(" '%s'", buf);
	}
	printf("\n");
}

int main(void)
{
	testing_start();
	int sv[2];
	TESTING_ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "pair");
	move_to(sv[0], 10);
	move_to(sv[1], 11);
	const char *to10[] = {"alpha", "bravo charlie", "delta",
			      "a long message, cut"};
	for (int k = 0; k < 4; k++)
		TESTING_ASSERT(send(11, to10[k], strlen(to10[k]), 0) > 0, "send");
	TESTING_ASSERT(send(10, "reply one", 9, 0) == 9 &&
			       send(10, "reply two", 9, 0) == 9, "reply");

	testing_checkpoint_or_exit();
	take(10, 3);
	char small[13] = {0};
	struct iovec iov = {small, 12};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	TESTING_ASSERT(recvmsg(10, &m, MSG_DONTWAIT) == 12, "small");
	printf("fd 10: '%s'%s\n", small, m.msg_flags & MSG_TRUNC ? " truncated" : "");
	take(11, 2);
	char buf[8];
	TESTING_ASSERT(recv(10, buf, sizeof buf, MSG_DONTWAIT) < 0 &&
			       errno == EAGAIN, "fd 10 holds more");
	printf("fd 10: nothing more\n");
	char again[8] = {0};
	TESTING_ASSERT(send(11, "after", 5, 0) == 5 &&
			       recv(10, again, sizeof again, 0) == 5, "again");
	printf("again: '%s'\n", again);
	return 0;
}
