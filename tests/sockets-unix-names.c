// Unix sockets with abstract names come back with them: a stream listener
// (a new client connects to its name and is accepted after the restore),
// a datagram socket bound to a name (it receives what is sent there), and
// the pair a connect() to the listener made, both of whose ends the
// process holds: a pair again, with the bytes queued in it (its names are
// not kept: a pair made again is unnamed), and a datagram socket
// connected to the bound one's name, at a lower number (the bound one is
// made first), which sends to it again.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen1: restored
// CHECK-NEXT: gen1: listener: accepted, got 'new client'
// CHECK-NEXT: gen1: dgram: got 'to the name'
// CHECK-NEXT: gen1: pair: got 'queued'
// CHECK-NEXT: gen1: pair: got 'both ways'
// CHECK-NEXT: gen1: connected: got 'one way'
// CHECK-NEXT: gen1: exit 0
//
// ERR-NOT: is not restored
// ERR-NOT: will not come back
//
// INFO: fd 9 recreate socket rw socket:[{{[0-9]+}}] unix dgram connected to @ckpt-dgram-{{[0-9]+}}{{$}}
// INFO-NEXT: fd 10 recreate socket rw socket:[{{[0-9]+}}] unix stream listening @ckpt-listen-{{[0-9]+}}{{$}}
// INFO-NEXT: fd 11 recreate socket rw socket:[{{[0-9]+}}] unix stream pair with fd 12, 0 bytes queued{{$}}
// INFO-NEXT: fd 12 recreate socket rw socket:[{{[0-9]+}}] unix stream pair with fd 11 @ckpt-listen-{{[0-9]+}}, 6 bytes queued{{$}}
// INFO-NEXT: fd 13 recreate socket rw socket:[{{[0-9]+}}] unix dgram bound @ckpt-dgram-{{[0-9]+}}{{$}}
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static struct sockaddr_un listen_name, dgram_name;
static socklen_t listen_len, dgram_len;

static void move_to(int fd, int want)
{
	TESTING_ASSERT(fd >= 0, "create fd %d (errno %d)", want, errno);
	TESTING_ASSERT(dup2(fd, want) == want, "dup2");
	close(fd);
}

static socklen_t abstract(struct sockaddr_un *a, const char *what)
{
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "ckpt-%s-%d",
			 what, (int)getpid());
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

int main(void)
{
	testing_start();
	listen_len = abstract(&listen_name, "listen");
	dgram_len = abstract(&dgram_name, "dgram");
	move_to(socket(AF_UNIX, SOCK_STREAM, 0), 10);
	TESTING_ASSERT(bind(10, (struct sockaddr *)&listen_name, listen_len) == 0 &&
			       listen(10, 4) == 0, "listen: errno %d", errno);
	move_to(socket(AF_UNIX, SOCK_STREAM, 0), 11);
	TESTING_ASSERT(connect(11, (struct sockaddr *)&listen_name, listen_len) == 0,
		       "connect");
	move_to(accept(10, NULL, NULL), 12);
	TESTING_ASSERT(send(11, "queued", 6, 0) == 6, "send");
	move_to(socket(AF_UNIX, SOCK_DGRAM, 0), 13);
	TESTING_ASSERT(bind(13, (struct sockaddr *)&dgram_name, dgram_len) == 0,
		       "bind dgram");
	move_to(socket(AF_UNIX, SOCK_DGRAM, 0), 9);
	TESTING_ASSERT(connect(9, (struct sockaddr *)&dgram_name, dgram_len) == 0,
		       "connect dgram");

	testing_checkpoint_or_exit();
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	TESTING_ASSERT(connect(c, (struct sockaddr *)&listen_name, listen_len) == 0,
		       "connect again: errno %d", errno);
	TESTING_ASSERT(send(c, "new client", 10, 0) == 10, "send");
	int a = accept(10, NULL, NULL);
	char buf[32] = {0};
	TESTING_ASSERT(a >= 0 && recv(a, buf, sizeof buf, 0) == 10, "accept");
	printf("listener: accepted, got '%s'\n", buf);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	TESTING_ASSERT(sendto(d, "to the name", 11, 0, (struct sockaddr *)&dgram_name,
			      dgram_len) == 11, "sendto: errno %d", errno);
	memset(buf, 0, sizeof buf);
	TESTING_ASSERT(recv(13, buf, sizeof buf, 0) == 11, "dgram recv");
	printf("dgram: got '%s'\n", buf);
	memset(buf, 0, sizeof buf);
	TESTING_ASSERT(recv(12, buf, sizeof buf, MSG_DONTWAIT) == 6, "pair recv");
	printf("pair: got '%s'\n", buf);
	memset(buf, 0, sizeof buf);
	TESTING_ASSERT(send(12, "both ways", 9, 0) == 9 &&
			       recv(11, buf, sizeof buf, 0) == 9, "pair back");
	printf("pair: got '%s'\n", buf);
	memset(buf, 0, sizeof buf);
	TESTING_ASSERT(send(9, "one way", 7, 0) == 7 &&
			       recv(13, buf, sizeof buf, 0) == 7, "one way");
	printf("connected: got '%s'\n", buf);
	return 0;
}
