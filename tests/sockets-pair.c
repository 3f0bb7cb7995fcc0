// Unix socket pairs come back with what is queued in them: a stream with
// 100 KiB unread in one direction and a few bytes in the other, and a
// datagram pair with queued datagrams of several sizes (one empty) in
// both directions. The original still reads every byte and datagram (the
// checkpoint peeks, it does not take); the restored process reads them
// all again, datagram boundaries kept, and the pairs work on.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: original: stream 102400 bytes, sum 0x[[SUM:[0-9a-f]+]]
// CHECK-NEXT: gen0: original: stream back 'reply'
// CHECK-NEXT: gen0: original: dgram 'one' 'three' '' 'fourteen bytes'
// CHECK-NEXT: gen0: original: dgram back 'x' 'yz'
// CHECK-NEXT: gen0: exit 0
// CHECK: gen1: restored
// CHECK-NEXT: gen1: restored: stream 102400 bytes, sum 0x[[SUM]]
// CHECK-NEXT: gen1: restored: stream back 'reply'
// CHECK-NEXT: gen1: restored: dgram 'one' 'three' '' 'fourteen bytes'
// CHECK-NEXT: gen1: restored: dgram back 'x' 'yz'
// CHECK-NEXT: gen1: restored: stream again 'more'
// CHECK-NEXT: gen1: restored: dgram again 'again'
// CHECK-NEXT: gen1: exit 0
//
// ERR-NOT: is not restored
// ERR-NOT: will not come back
//
// INFO: fd 10 recreate socket rw cloexec socket:[{{[0-9]+}}] unix stream pair with fd 11, 102400 bytes queued
// INFO-NEXT: fd 11 recreate socket rw socket:[{{[0-9]+}}] unix stream pair with fd 10, 5 bytes queued
// INFO-NEXT: fd 12 recreate socket rw nonblock socket:[{{[0-9]+}}] unix dgram pair with fd 13, 4 messages queued (22 bytes)
// INFO-NEXT: fd 13 recreate socket rw socket:[{{[0-9]+}}] unix dgram pair with fd 12, 2 messages queued (3 bytes)
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

enum { big = 100 << 10 };
static char buf[big + 1];

static void move_to(int fd, int want)
{
	TESTING_ASSERT(fd >= 0, "create fd %d", want);
	int cloexec = fcntl(fd, F_GETFD) & FD_CLOEXEC ? O_CLOEXEC : 0;
	TESTING_ASSERT(dup3(fd, want, cloexec) == want, "dup3");
	close(fd);
}

static void read_all(const char *who)
{
	size_t got = 0;
	while (got < big) {
		ssize_t n = recv(10, buf + got, big - got, MSG_DONTWAIT);
		TESTING_ASSERT(n > 0, "%s: stream: %zd after %zu (errno %d)",
			       who, n, got, errno);
		got += n;
	}
	TESTING_ASSERT(recv(10, buf, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN,
		       "%s: stream holds more", who);
	unsigned long long sum = 0;
	for (size_t i = 0; i < got; i++) {
		TESTING_ASSERT((unsigned char)buf[i] == (unsigned char)(i * 7 + i / 251),
			       "%s: byte %zu", who, i);
		sum = sum * 31 + (unsigned char)buf[i];
	}
	printf("%s: stream %zu bytes, sum 0x%llx\n", who, got, sum);
	char small[16] = {0};
	TESTING_ASSERT(recv(11, small, sizeof small, MSG_DONTWAIT) == 5,
		       "%s: stream back", who);
	printf("%s: stream back '%s'\n", who, small);

	printf("%s: dgram", who);
	for (int k = 0; k < 4; k++) {
		char d[32] = {0};
		ssize_t n = recv(12, d, sizeof d, 0);
		TESTING_ASSERT(n >= 0, "%s: dgram %d: errno %d", who, k, errno);
		printf(" '%s'", d);
	}
	printf("\n");
	TESTING_ASSERT(recv(12, buf, 1, 0) < 0 && errno == EAGAIN,
		       "%s: dgram holds more", who);
	printf("%s: dgram back", who);
	for (int k = 0; k < 2; k++) {
		char d[32] = {0};
		TESTING_ASSERT(recv(13, d, sizeof d, MSG_DONTWAIT) > 0,
			       "%s: dgram back %d", who, k);
		printf(" '%s'", d);
	}
	printf("\n");
}

int main(void)
{
	testing_start();
	int sv[2], dv[2];
	TESTING_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "pair");
	move_to(sv[0], 10);
	TESTING_ASSERT(fcntl(10, F_SETFD, FD_CLOEXEC) == 0, "cloexec");
	move_to(sv[1], 11);
	TESTING_ASSERT(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv) == 0, "pair");
	move_to(dv[0], 12);
	move_to(dv[1], 13);
	TESTING_ASSERT(fcntl(12, F_SETFL, O_NONBLOCK) == 0, "nonblock");

	for (size_t i = 0; i < big; i++)
		buf[i] = (char)(i * 7 + i / 251);
	// In pieces: the queue holds many writes.
	for (size_t off = 0; off < big; off += 4096)
		TESTING_ASSERT(send(11, buf + off, 4096, 0) == 4096, "send");
	TESTING_ASSERT(send(10, "reply", 5, 0) == 5, "reply");
	const char *dgrams[] = {"one", "three", "", "fourteen bytes"};
	for (int k = 0; k < 4; k++)
		TESTING_ASSERT(send(13, dgrams[k], strlen(dgrams[k]), 0) ==
				       (ssize_t)strlen(dgrams[k]),
			       "dgram %d", k);
	TESTING_ASSERT(send(12, "x", 1, 0) == 1 && send(12, "yz", 2, 0) == 2,
		       "dgram back");

	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc == 0 || rc == 1, "checkpoint failed: %d", rc);
	const char *who = rc == 0 ? "original" : "restored";
	if (rc == 1)
		printf("restored\n");
	read_all(who);
	if (rc == 0)
		return 0;
	char d[16] = {0};
	TESTING_ASSERT(send(11, "more", 4, 0) == 4 &&
			       recv(10, d, sizeof d, 0) == 4,
		       "stream again");
	printf("%s: stream again '%s'\n", who, d);
	memset(d, 0, sizeof d);
	TESTING_ASSERT(send(12, "again", 5, 0) == 5 &&
			       recv(13, d, sizeof d, 0) == 5,
		       "dgram again");
	printf("%s: dgram again '%s'\n", who, d);
	return 0;
}
