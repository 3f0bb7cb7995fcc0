// Threads blocked in the kernel when the checkpoint signal lands: in
// futex(FUTEX_WAIT), nanosleep(), read() of an empty pipe and poll() of
// another. After the restore each is still waiting for its event (none
// returns before it: the pipes are written, the futex word set, only
// then) and wakes when it comes, or, the sleeper, when its time is up;
// each says so from its own thread and the main thread joins all four
// within a bound.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --at '^READY$' --delay 50 -- %t \
// RUN:   | FileCheck %s
//
// CHECK: gen0: READY
// CHECK-NOT: gen0: {{futex|sleeper|reader|poller}}
// CHECK: gen0: signal KILL
// CHECK-NEXT: gen1: restored; waking the threads
// CHECK-DAG: gen1: futex waiter: woke, word 1
// CHECK-DAG: gen1: sleeper: woke after the restore
// CHECK-DAG: gen1: reader: read 'r'
// CHECK-DAG: gen1: poller: POLLIN, read 'p'
// CHECK: gen1: joined 4 of 4
// CHECK-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "Inputs/testing.h"

static int word;                   // the futex: 0 until the main thread posts
static int events_posted;          // set just before the events
static int reader_pipe[2], poller_pipe[2];
static pid_t tids[4];

static void early(const char *who, const char *what)
{
	if (!__atomic_load_n(&events_posted, __ATOMIC_SEQ_CST))
		printf("%s: returned before its event: %s\n", who, what);
}

static void *futex_waiter(void *arg)
{
	(void)arg;
	tids[0] = syscall(SYS_gettid);
	while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0)
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	printf("futex waiter: woke, word %d\n", word);
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	tids[1] = syscall(SYS_gettid);
	struct timespec ts = {2, 0};
	while (nanosleep(&ts, &ts) != 0)
		if (errno != EINTR) {
			printf("sleeper: nanosleep: %s\n", strerror(errno));
			return NULL;
		}
	printf("sleeper: woke %s the restore\n",
	       testing_restored() ? "after" : "before");
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	tids[2] = syscall(SYS_gettid);
	char c;
	ssize_t n;
	while ((n = read(reader_pipe[0], &c, 1)) < 0 && errno == EINTR)
		;
	early("reader", n == 1 ? "a byte" : n == 0 ? "EOF" : strerror(errno));
	if (n == 1)
		printf("reader: read '%c'\n", c);
	return NULL;
}

static void *poller(void *arg)
{
	(void)arg;
	tids[3] = syscall(SYS_gettid);
	struct pollfd p = {poller_pipe[0], POLLIN, 0};
	int n;
	while ((n = poll(&p, 1, -1)) < 0 && errno == EINTR)
		;
	early("poller", n < 0 ? strerror(errno) : "ready");
	char c = '?';
	if (n == 1 && (p.revents & POLLIN) && read(poller_pipe[0], &c, 1) == 1)
		printf("poller: POLLIN, read '%c'\n", c);
	else
		printf("poller: poll %d, revents %#x\n", n, p.revents);
	return NULL;
}

// Whether thread tid sleeps in the kernel ('S' in /proc/self/task/T/stat).
static int sleeping(pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *end = strrchr(buf, ')');
	return end && end[1] == ' ' && end[2] == 'S';
}

int main(void)
{
	testing_start();
	TESTING_ASSERT(pipe(reader_pipe) == 0 && pipe(poller_pipe) == 0,
		       "pipe");
	void *(*fns[4])(void *) = {futex_waiter, sleeper, reader, poller};
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		TESTING_ASSERT(pthread_create(&t[i], NULL, fns[i], NULL) == 0,
			       "thread %d", i);
	// Until all four are blocked (bounded: 10 s).
	int blocked = 0;
	for (int round = 0; round < 10000 && blocked < 4; round++) {
		testing_nap(1);
		blocked = 0;
		for (int i = 0; i < 4; i++)
			blocked += tids[i] && sleeping(tids[i]);
	}
	TESTING_ASSERT(blocked == 4, "only %d of 4 threads blocked", blocked);
	printf("READY\n");
	double start = testing_now();
	while (!testing_restored()) {
		testing_nap(5);
		TESTING_ASSERT(testing_now() - start < 60, "no restore in 60 s");
	}
	printf("restored; waking the threads\n");
	testing_nap(100); // they go back to waiting first
	__atomic_store_n(&events_posted, 1, __ATOMIC_SEQ_CST);
	write(reader_pipe[1], "r", 1);
	write(poller_pipe[1], "p", 1);
	__atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	int joined = 0;
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	for (int i = 0; i < 4; i++) {
		int rc = pthread_timedjoin_np(t[i], NULL, &deadline);
		if (rc == 0)
			joined++;
		else
			printf("thread %d not joined in 10 s: %s\n", i,
			       strerror(rc));
	}
	printf("joined %d of 4\n", joined);
	return joined == 4 ? 0 : 1;
}
