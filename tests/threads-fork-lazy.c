// CKPT_FORK=1 with 8 threads: the copy-on-write child is taken while every
// thread is parked, and they run again as soon as it exists: each
// rewrites its 4 MiB buffer while the image is written, ckpt_wait()
// returns 0, and the image holds every buffer and the phase as they were
// at the call. The image restores, with --lazy (memory mapped from the
// image) and without: every thread finds its buffer as at the call.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: rm -f %t.ckpt
// RUN: env CKPT_FORK=1 %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: timeout 60 %run %restorer --lazy %t.ckpt | FileCheck --check-prefix=RESTORED %s
// RUN: timeout 60 %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
//
// APP: checkpoint: 0
// APP-NEXT: wait: 0, image there: yes
// APP-NEXT: 8 of 8 threads rewrote their buffers after the call
//
// RESTORED-COUNT-8: thread {{[0-7]}}: restored, buffer as at the call
// RESTORED-NEXT: restored: 8 of 8 threads joined
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "Inputs/testing.h"

#define THREADS 8
#define LEN (4UL << 20)

static char *buffers[THREADS];
static int phase; // 0: before the call; 1: after it; 2: restored
static int rewrote;

static int all(const char *buf, char c)
{
	for (size_t i = 0; i < LEN; i++)
		if (buf[i] != c)
			return 0;
	return 1;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	char *buf = buffers[id];
	double start = testing_now();
	int p;
	while ((p = __atomic_load_n(&phase, __ATOMIC_SEQ_CST)) == 0) {
		if (testing_now() - start > 60)
			return NULL;
		testing_nap(1);
	}
	if (p == 1) {
		memset(buf, 'b', LEN);
		__atomic_add_fetch(&rewrote, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	printf("thread %ld: restored, buffer %s\n", id,
	       all(buf, 'a' + id) ? "as at the call" : "changed");
	return NULL;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++) {
		buffers[i] = malloc(LEN);
		TESTING_ASSERT(buffers[i], "no memory");
		memset(buffers[i], 'a' + i, LEN);
		TESTING_ASSERT(pthread_create(&t[i], NULL, worker, (void *)i)
				       == 0, "thread %ld", i);
	}
	int rc = ckpt_checkpoint(argv[1]);
	__atomic_store_n(&phase, rc == 1 ? 2 : 1, __ATOMIC_SEQ_CST);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		int w = ckpt_wait();
		printf("wait: %d, image there: %s\n", w,
		       access(argv[1], R_OK) == 0 ? "yes" : "no");
	}
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 20;
	int joined = 0;
	for (int i = 0; i < THREADS; i++)
		joined += pthread_timedjoin_np(t[i], NULL, &deadline) == 0;
	if (rc == 1)
		printf("restored: %d of %d threads joined\n", joined, THREADS);
	else
		printf("%d of %d threads rewrote their buffers after the call\n",
		       rewrote, THREADS);
	return 0;
}
