// An event loop's kernel objects come back: epoll over a self-pipe that
// holds bytes and over an eventfd with a count, checkpointed with both
// pending. The original still finds every byte and the count (the
// checkpoint reads them without taking them); the restored process gets
// every event with its data, every byte and the count, and its objects
// work on (the pipe takes and gives new bytes, the eventfd counts).
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: original: event data 0xabcdef events 0x1
// CHECK-NEXT: gen0: original: event data 0x1111222233334444 events 0x1
// CHECK-NEXT: gen0: original: pipe holds 'pending bytes'
// CHECK-NEXT: gen0: original: eventfd count 5
// CHECK-NEXT: gen0: exit 0
// CHECK: gen1: restored
// CHECK-NEXT: gen1: restored: event data 0xabcdef events 0x1
// CHECK-NEXT: gen1: restored: event data 0x1111222233334444 events 0x1
// CHECK-NEXT: gen1: restored: pipe holds 'pending bytes'
// CHECK-NEXT: gen1: restored: eventfd count 5
// CHECK-NEXT: gen1: restored: no event left
// CHECK-NEXT: gen1: restored: pipe again 'more'
// CHECK-NEXT: gen1: restored: eventfd again 7
// CHECK-NEXT: gen1: exit 0
//
// ERR-NOT: is not restored
//
// INFO: fd 10 recreate fifo r nonblock cloexec pipe:[[[PIPE:[0-9]+]]] size 65536, 13 bytes buffered, write end fd 11
// INFO-NEXT: fd 11 recreate fifo w cloexec pipe:[[[PIPE]]] read end fd 10
// INFO-NEXT: fd 12 recreate eventfd rw nonblock anon_inode:[eventfd] count 5
// INFO-NEXT: fd 13 recreate epoll rw cloexec anon_inode:[eventpoll] watches 2
// The kernel adds EPOLLERR and EPOLLHUP (0x18) to every watch.
// INFO-DAG: watch fd 10 events 0x19 data 0x1111222233334444
// INFO-DAG: watch fd 12 events 0x19 data 0xabcdef
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void move_to(int fd, int want)
{
	TESTING_ASSERT(fd >= 0, "create fd %d", want);
	int cloexec = fcntl(fd, F_GETFD) & FD_CLOEXEC ? O_CLOEXEC : 0;
	TESTING_ASSERT(dup3(fd, want, cloexec) == want, "dup3");
	close(fd);
}

static int by_data(const void *a, const void *b)
{
	uint64_t x = ((const struct epoll_event *)a)->data.u64;
	uint64_t y = ((const struct epoll_event *)b)->data.u64;
	return x < y ? -1 : x > y;
}

static void drain(const char *who)
{
	struct epoll_event ev[8];
	int n = epoll_wait(13, ev, 8, 5000);
	TESTING_ASSERT(n == 2, "%s: 2 events, got %d (errno %d)", who, n, errno);
	qsort(ev, n, sizeof ev[0], by_data);
	for (int i = 0; i < n; i++)
		printf("%s: event data 0x%llx events 0x%x\n", who,
		       (unsigned long long)ev[i].data.u64, ev[i].events);
	char buf[64] = {0};
	ssize_t got = read(10, buf, sizeof buf - 1);
	TESTING_ASSERT(got > 0, "%s: read the pipe: errno %d", who, errno);
	printf("%s: pipe holds '%s'\n", who, buf);
	uint64_t count = 0;
	TESTING_ASSERT(read(12, &count, 8) == 8, "%s: read the eventfd", who);
	printf("%s: eventfd count %llu\n", who, (unsigned long long)count);
}

int main(void)
{
	testing_start();
	int p[2];
	TESTING_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe");
	move_to(p[0], 10);
	move_to(p[1], 11);
	TESTING_ASSERT(fcntl(10, F_SETFL, O_NONBLOCK) == 0, "nonblock");
	move_to(eventfd(0, EFD_NONBLOCK), 12);
	move_to(epoll_create1(EPOLL_CLOEXEC), 13);
	struct epoll_event ev = {EPOLLIN, {.u64 = 0x1111222233334444ull}};
	TESTING_ASSERT(epoll_ctl(13, EPOLL_CTL_ADD, 10, &ev) == 0, "watch pipe");
	ev.data.u64 = 0xabcdef;
	TESTING_ASSERT(epoll_ctl(13, EPOLL_CTL_ADD, 12, &ev) == 0, "watch eventfd");

	TESTING_ASSERT(write(11, "pending bytes", 13) == 13, "write the pipe");
	uint64_t two = 2, three = 3;
	TESTING_ASSERT(write(12, &two, 8) == 8 && write(12, &three, 8) == 8,
		       "count");

	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc == 0 || rc == 1, "checkpoint failed: %d", rc);
	if (rc == 0) {
		drain("original");
		return 0;
	}
	printf("restored\n");
	drain("restored");
	struct epoll_event none[8];
	int n = epoll_wait(13, none, 8, 0);
	TESTING_ASSERT(n == 0, "restored: %d events left", n);
	printf("restored: no event left\n");
	char buf[16] = {0};
	TESTING_ASSERT(write(11, "more", 4) == 4 && read(10, buf, 15) == 4,
		       "pipe again");
	printf("restored: pipe again '%s'\n", buf);
	uint64_t seven = 7, count = 0;
	TESTING_ASSERT(write(12, &seven, 8) == 8 && read(12, &count, 8) == 8,
		       "eventfd again");
	printf("restored: eventfd again %llu\n", (unsigned long long)count);
	return 0;
}
