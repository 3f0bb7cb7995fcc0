// Threads in the kernel when the checkpoint signal lands: in
// futex(FUTEX_WAIT), nanosleep() and poll() (with no descriptors: pipes
// are not restored yet), and one reading a regular file (its own program)
// over and over. After the restore each is still waiting for its event
// (none returns before it: the futex word is set only then) and wakes when
// it comes, or, the sleeper, when its time is up; the reader finds the
// same bytes in every pass; each says so from its own thread and the main
// thread joins all four within a bound.
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
// CHECK-DAG: gen1: reader: {{[1-9][0-9]*}} passes, all the same
// CHECK-DAG: gen1: poller: woke, word 1
// CHECK: gen1: joined 4 of 4
// CHECK-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "Inputs/testing.h"

static int word;                   // the futex: 0 until the main thread posts
static pid_t tids[4];

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
	int fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0) {
		printf("reader: open: %s\n", strerror(errno));
		return NULL;
	}
	unsigned long first = 0, passes = 0, differ = 0;
	while (!__atomic_load_n(&word, __ATOMIC_SEQ_CST)) {
		char buf[4096];
		unsigned long sum = 0;
		ssize_t n;
		for (off_t off = 0;
		     (n = pread(fd, buf, sizeof buf, off)) > 0; off += n)
			for (ssize_t i = 0; i < n; i++)
				sum = sum * 31 + (unsigned char)buf[i];
		if (n < 0) {
			printf("reader: pread: %s\n", strerror(errno));
			return NULL;
		}
		if (!passes++)
			first = sum;
		differ += sum != first;
	}
	if (differ)
		printf("reader: %lu of %lu passes differ\n", differ, passes);
	else
		printf("reader: %lu passes, all the same\n", passes);
	return NULL;
}

static void *poller(void *arg)
{
	(void)arg;
	tids[3] = syscall(SYS_gettid);
	int n;
	while (!__atomic_load_n(&word, __ATOMIC_SEQ_CST))
		if ((n = poll(NULL, 0, 50)) != 0 && errno != EINTR) {
			printf("poller: poll %d: %s\n", n, strerror(errno));
			return NULL;
		}
	printf("poller: woke, word %d\n", word);
	return NULL;
}

int main(void)
{
	testing_start();
	void *(*fns[4])(void *) = {futex_waiter, sleeper, reader, poller};
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		TESTING_ASSERT(pthread_create(&t[i], NULL, fns[i], NULL) == 0,
			       "thread %d", i);
	// Until the three that wait are blocked and the reader reads
	// (bounded: 10 s).
	int blocked = 0;
	for (int round = 0; round < 10000 && blocked < 4; round++) {
		testing_nap(1);
		blocked = tids[2] != 0;
		for (int i = 0; i < 4; i++)
			blocked += i != 2 && tids[i] && testing_thread_state(tids[i]) == 'S';
	}
	TESTING_ASSERT(blocked == 4, "only %d of 4 threads ready", blocked);
	printf("READY\n");
	double start = testing_now();
	while (!testing_restored()) {
		testing_nap(5);
		TESTING_ASSERT(testing_now() - start < 60, "no restore in 60 s");
	}
	printf("restored; waking the threads\n");
	testing_nap(100); // they go back to waiting first
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
