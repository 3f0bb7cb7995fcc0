// A TCP connection cannot come back without privilege: each of its
// sockets comes back as one that was reset, at its number. The first
// read fails with ECONNRESET, the next reads give end of file, a write
// fails (ECONNRESET or EPIPE); the number is the socket's, not free for
// a later open(). The checkpoint says that the bytes queued in one do not
// come back.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen1: restored
// CHECK-NEXT: gen1: fd 10: read: ECONNRESET
// CHECK-NEXT: gen1: fd 10: read again: 0
// CHECK-NEXT: gen1: fd 10: write: failed
// CHECK-NEXT: gen1: fd 11: write: ECONNRESET
// CHECK-NEXT: gen1: open() gives another number
// CHECK-NEXT: gen1: exit 0
//
// ERR: gen0! ckpt: fd 11 (socket:[{{[0-9]+}}]): the bytes queued in it do not come back
// ERR-NOT: is not restored
//
// INFO: fd 10 recreate socket rw socket:[{{[0-9]+}}] tcp reset 127.0.0.1:[[CLIENT:[0-9]+]] was connected to 127.0.0.1:[[SERVER:[0-9]+]]
// INFO-NEXT: fd 11 recreate socket rw socket:[{{[0-9]+}}] tcp reset 127.0.0.1:[[SERVER]] was connected to 127.0.0.1:[[CLIENT]]
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
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

static const char *error_name(int e)
{
	return e == ECONNRESET ? "ECONNRESET" : e == EPIPE ? "EPIPE"
						    : strerror(e);
}

int main(void)
{
	testing_start();
	signal(SIGPIPE, SIG_IGN);
	struct sockaddr_in lo = {.sin_family = AF_INET};
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof lo;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	TESTING_ASSERT(bind(l, (struct sockaddr *)&lo, sizeof lo) == 0 &&
			       listen(l, 1) == 0 &&
			       getsockname(l, (struct sockaddr *)&lo, &len) == 0,
		       "listen");
	move_to(socket(AF_INET, SOCK_STREAM, 0), 10);
	TESTING_ASSERT(connect(10, (struct sockaddr *)&lo, sizeof lo) == 0,
		       "connect");
	move_to(accept(l, NULL, NULL), 11);
	close(l);
	TESTING_ASSERT(send(10, "unread", 6, 0) == 6, "send");
	testing_nap(50); // the bytes reach fd 11's queue

	testing_checkpoint_or_exit();
	char buf[16];
	ssize_t n = read(10, buf, sizeof buf);
	printf("fd 10: read: %s\n", n < 0 ? error_name(errno) : "data");
	n = read(10, buf, sizeof buf);
	printf("fd 10: read again: %zd\n", n);
	n = write(10, "x", 1);
	printf("fd 10: write: %s\n", n < 0 ? "failed" : "WORKED");
	n = write(11, "x", 1);
	printf("fd 11: write: %s\n", n < 0 ? error_name(errno) : "WORKED");
	int fd = open("/dev/null", O_RDONLY);
	TESTING_ASSERT(fd >= 0 && fd != 10 && fd != 11, "open gave %d", fd);
	printf("open() gives another number\n");
	return 0;
}
