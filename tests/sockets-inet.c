// Listening and bound internet sockets come back on the same address and
// port with their options: a TCP listener on 127.0.0.1 (SO_REUSEADDR)
// that accepts a connection after the restore, an IPv6 one on ::1
// (IPV6_V6ONLY), a UDP socket bound on 127.0.0.1 that receives a datagram
// sent to its port after the restore, and a UDP socket connected to it,
// which sends there again. Options come back too: TCP_NODELAY and
// SO_KEEPALIVE of the listener, SO_RCVTIMEO and SO_BROADCAST of the UDP
// sockets. The original is killed first: its ports are
// free again.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --at '^listening' -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: listening
// CHECK: gen1: restored
// CHECK-NEXT: gen1: tcp: same port, reuseaddr 1
// CHECK-NEXT: gen1: tcp: accepted, got 'hello tcp'
// CHECK-NEXT: gen1: tcp6: same port, v6only 1
// CHECK-NEXT: gen1: tcp6: accepted, got 'hello tcp6'
// CHECK-NEXT: gen1: udp: same port, got 'hello udp'
// CHECK-NEXT: gen1: udp connected: got 'again'
// CHECK-NEXT: gen1: options: nodelay 1 keepalive 1 rcvtimeo 2.500000 broadcast 1
// CHECK-NEXT: gen1: exit 0
//
// ERR-NOT: is not restored
// ERR-NOT: will not come back
//
// INFO: fd 10 recreate socket rw socket:[{{[0-9]+}}] tcp listening 127.0.0.1:{{[0-9]+}} reuseaddr keepalive nodelay{{$}}
// INFO-NEXT: fd 11 recreate socket rw socket:[{{[0-9]+}}] tcp6 listening [0:0:0:0:0:0:0:1]:{{[0-9]+}} v6only{{$}}
// INFO-NEXT: fd 12 recreate socket rw socket:[{{[0-9]+}}] udp bound 127.0.0.1:{{[0-9]+}} rcvtimeo 2500ms{{$}}
// INFO-NEXT: fd 13 recreate socket rw socket:[{{[0-9]+}}] udp connected 127.0.0.1:{{[0-9]+}} to 127.0.0.1:{{[0-9]+}} broadcast{{$}}
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static struct sockaddr_storage saved[4];

static void move_to(int fd, int want)
{
	TESTING_ASSERT(fd >= 0, "create fd %d (errno %d)", want, errno);
	TESTING_ASSERT(dup2(fd, want) == want, "dup2");
	close(fd);
}

static void name_of(int fd, struct sockaddr_storage *a)
{
	socklen_t len = sizeof *a;
	TESTING_ASSERT(getsockname(fd, (struct sockaddr *)a, &len) == 0,
		       "getsockname %d", fd);
}

static int same_name(int fd)
{
	struct sockaddr_storage now = {0};
	name_of(fd, &now);
	return memcmp(&now, &saved[fd - 10], sizeof now) == 0;
}

static int option(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof v;
	TESTING_ASSERT(getsockopt(fd, level, name, &v, &len) == 0, "getsockopt");
	return v;
}

static void accept_one(int fd, const char *what)
{
	int c = socket(saved[fd - 10].ss_family, SOCK_STREAM, 0);
	socklen_t len = saved[fd - 10].ss_family == AF_INET
				? sizeof(struct sockaddr_in)
				: sizeof(struct sockaddr_in6);
	TESTING_ASSERT(connect(c, (struct sockaddr *)&saved[fd - 10], len) == 0,
		       "%s: connect: errno %d", what, errno);
	TESTING_ASSERT(send(c, "hello ", 6, 0) == 6 &&
			       send(c, what, strlen(what), 0) == (ssize_t)strlen(what),
		       "%s: send", what);
	close(c);
	int a = accept(fd, NULL, NULL);
	TESTING_ASSERT(a >= 0, "%s: accept: errno %d", what, errno);
	char buf[32] = {0};
	size_t got = 0;
	ssize_t n;
	while ((n = recv(a, buf + got, sizeof buf - 1 - got, 0)) > 0)
		got += n;
	printf("%s: accepted, got '%s'\n", what, buf);
	close(a);
}

int main(void)
{
	testing_start();
	struct sockaddr_in lo = {.sin_family = AF_INET};
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct sockaddr_in6 lo6 = {.sin6_family = AF_INET6};
	lo6.sin6_addr = in6addr_loopback;
	int one = 1;

	move_to(socket(AF_INET, SOCK_STREAM, 0), 10);
	TESTING_ASSERT(setsockopt(10, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "reuseaddr");
	TESTING_ASSERT(bind(10, (struct sockaddr *)&lo, sizeof lo) == 0 &&
			       listen(10, 8) == 0, "tcp listen");
	move_to(socket(AF_INET6, SOCK_STREAM, 0), 11);
	TESTING_ASSERT(setsockopt(11, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0, "v6only");
	TESTING_ASSERT(bind(11, (struct sockaddr *)&lo6, sizeof lo6) == 0 &&
			       listen(11, 8) == 0, "tcp6 listen");
	move_to(socket(AF_INET, SOCK_DGRAM, 0), 12);
	TESTING_ASSERT(bind(12, (struct sockaddr *)&lo, sizeof lo) == 0, "udp bind");
	for (int fd = 10; fd <= 12; fd++)
		name_of(fd, &saved[fd - 10]);
	move_to(socket(AF_INET, SOCK_DGRAM, 0), 13);
	TESTING_ASSERT(connect(13, (struct sockaddr *)&saved[2], sizeof lo) == 0,
		       "udp connect");
	name_of(13, &saved[3]);
	TESTING_ASSERT(setsockopt(10, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0 &&
			       setsockopt(10, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) == 0 &&
			       setsockopt(13, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) == 0,
		       "options");
	struct timeval tv = {2, 500000}; // whole jiffies at any HZ
	TESTING_ASSERT(setsockopt(12, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0,
		       "rcvtimeo");

	printf("listening\n");
	while (!testing_restored())
		testing_nap(10);
	printf("restored\n");
	printf("tcp: %s port, reuseaddr %d\n", same_name(10) ? "same" : "OTHER",
	       option(10, SOL_SOCKET, SO_REUSEADDR));
	accept_one(10, "tcp");
	printf("tcp6: %s port, v6only %d\n", same_name(11) ? "same" : "OTHER",
	       option(11, IPPROTO_IPV6, IPV6_V6ONLY));
	accept_one(11, "tcp6");

	int u = socket(AF_INET, SOCK_DGRAM, 0);
	TESTING_ASSERT(sendto(u, "hello udp", 9, 0, (struct sockaddr *)&saved[2],
			      sizeof lo) == 9, "udp send");
	char buf[32] = {0};
	TESTING_ASSERT(recv(12, buf, sizeof buf, 0) == 9, "udp recv");
	printf("udp: %s port, got '%s'\n", same_name(12) ? "same" : "OTHER", buf);
	TESTING_ASSERT(same_name(13), "udp connected: another port");
	TESTING_ASSERT(send(13, "again", 5, 0) == 5, "udp connected: send");
	memset(buf, 0, sizeof buf);
	TESTING_ASSERT(recv(12, buf, sizeof buf, 0) == 5, "udp connected: recv");
	printf("udp connected: got '%s'\n", buf);
	struct timeval now = {0};
	socklen_t len = sizeof now;
	TESTING_ASSERT(getsockopt(12, SOL_SOCKET, SO_RCVTIMEO, &now, &len) == 0,
		       "rcvtimeo");
	printf("options: nodelay %d keepalive %d rcvtimeo %ld.%06ld broadcast %d\n",
	       option(10, IPPROTO_TCP, TCP_NODELAY),
	       option(10, SOL_SOCKET, SO_KEEPALIVE), (long)now.tv_sec,
	       (long)now.tv_usec, option(13, SOL_SOCKET, SO_BROADCAST));
	return 0;
}
