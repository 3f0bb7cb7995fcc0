// The shutdown state of unix sockets comes back: a stream whose one end
// was shut for writing after its last words (the other end reads them,
// then end of file; the shut end's send fails with EPIPE, the other way
// still works), one shut for reading (its peer cannot send to it), a
// stream whose peer has closed with bytes still queued (they come, then
// end of file), and a seqpacket pair shut both ways by one end.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen1: restored
// CHECK-NEXT: gen1: fd 10: 'last words', then end of file
// CHECK-NEXT: gen1: fd 11: send: EPIPE
// CHECK-NEXT: gen1: fd 10 to 11: 'still'
// CHECK-NEXT: gen1: fd 13: send: EPIPE
// CHECK-NEXT: gen1: fd 12 to 13: 'still'
// CHECK-NEXT: gen1: fd 14: 'bye', then end of file
// CHECK-NEXT: gen1: fd 14: send: EPIPE
// CHECK-NEXT: gen1: fd 16: end of file
// CHECK-NEXT: gen1: fd 15: send: EPIPE
// CHECK-NEXT: gen1: exit 0
//
// ERR-NOT: is not restored
// ERR-NOT: will not come back
//
// INFO: fd 10 recreate socket rw socket:[{{[0-9]+}}] unix stream pair with fd 11, 10 bytes queued shut-rd{{$}}
// INFO-NEXT: fd 11 recreate socket rw socket:[{{[0-9]+}}] unix stream pair with fd 10, 0 bytes queued shut-wr{{$}}
// INFO-NEXT: fd 12 recreate socket rw socket:[{{[0-9]+}}] unix stream pair with fd 13, 0 bytes queued shut-rd{{$}}
// INFO-NEXT: fd 13 recreate socket rw socket:[{{[0-9]+}}] unix stream pair with fd 12, 0 bytes queued shut-wr{{$}}
// INFO-NEXT: fd 14 recreate socket rw socket:[{{[0-9]+}}] unix stream peer-closed, 3 bytes queued shut-rd shut-wr{{$}}
// Shut both ways, the seqpacket pair is the same to the app as two
// sockets whose peers have closed, which is what qemu-user (no sock_diag:
// no probe gets through) makes of it.
// INFO-NEXT: fd 15 recreate socket rw socket:[{{[0-9]+}}] unix seqpacket {{pair with fd 16|peer-closed}}, 0 messages queued (0 bytes) shut-rd shut-wr{{$}}
// INFO-NEXT: fd 16 recreate socket rw socket:[{{[0-9]+}}] unix seqpacket {{pair with fd 15|peer-closed}}, 0 messages queued (0 bytes) shut-rd shut-wr{{$}}
#include <errno.h>
#include <signal.h>
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

static void pair(int type, int a, int b)
{
	int sv[2];
	TESTING_ASSERT(socketpair(AF_UNIX, type, 0, sv) == 0, "pair");
	move_to(sv[0], a);
	move_to(sv[1], b);
}

static void read_to_end(int fd)
{
	char buf[32] = {0};
	size_t got = 0;
	ssize_t n;
	while ((n = recv(fd, buf + got, sizeof buf - 1 - got, MSG_DONTWAIT)) > 0)
		got += n;
	TESTING_ASSERT(n == 0, "fd %d: no end of file: errno %d", fd, errno);
	printf("fd %d: '%s', then end of file\n", fd, buf);
}

static void send_fails(int fd)
{
	ssize_t n = send(fd, "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	printf("fd %d: send: %s\n", fd, n < 0 && errno == EPIPE ? "EPIPE" : "WORKED");
}

static void still(int from, int to)
{
	char buf[8] = {0};
	TESTING_ASSERT(send(from, "still", 5, 0) == 5 &&
			       recv(to, buf, sizeof buf, MSG_DONTWAIT) == 5,
		       "fd %d to %d", from, to);
	printf("fd %d to %d: '%s'\n", from, to, buf);
}

int main(void)
{
	testing_start();
	pair(SOCK_STREAM, 10, 11);
	TESTING_ASSERT(send(11, "last words", 10, 0) == 10, "send");
	TESTING_ASSERT(shutdown(11, SHUT_WR) == 0, "shutdown");
	pair(SOCK_STREAM, 12, 13);
	TESTING_ASSERT(shutdown(12, SHUT_RD) == 0, "shutdown");
	pair(SOCK_STREAM, 14, 20);
	TESTING_ASSERT(send(20, "bye", 3, 0) == 3, "send");
	close(20);
	pair(SOCK_SEQPACKET, 15, 16);
	TESTING_ASSERT(shutdown(15, SHUT_RDWR) == 0, "shutdown");

	testing_checkpoint_or_exit();
	read_to_end(10);
	send_fails(11);
	still(10, 11);
	send_fails(13);
	still(12, 13);
	read_to_end(14);
	send_fails(14);
	char buf[4];
	TESTING_ASSERT(recv(16, buf, sizeof buf, MSG_DONTWAIT) == 0,
		       "fd 16: errno %d", errno);
	printf("fd 16: end of file\n");
	send_fails(15);
	return 0;
}
