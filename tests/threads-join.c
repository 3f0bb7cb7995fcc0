// pthread_join() of threads that existed before the checkpoint: one that
// ends while the main thread waits in pthread_join() (the kernel must
// clear and wake glibc's tid word at its exit), one that has ended before
// the join; then threads created after the restore, one of which creates
// and joins its own, and 50 more one after the other (glibc reuses the
// stacks of threads that ended).
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-DAG: gen1: restored
// CHECK-DAG: gen1: old thread A: exiting after the restore
// CHECK-DAG: gen1: old thread B: exiting after the restore
// CHECK-DAG: gen1: joined old thread B: 43
// CHECK: gen1: joined old thread A: 42
// CHECK-DAG: gen1: new thread 0: running
// CHECK-DAG: gen1: new thread 1: running
// CHECK-DAG: gen1: new thread 2: running
// CHECK-DAG: gen1: nested thread: running
// CHECK: gen1: joined new threads: 0 10 20, nested 7
// CHECK-NEXT: gen1: 50 more threads created and joined
// CHECK-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "Inputs/testing.h"

static void wait_restored(void)
{
	double start = testing_now();
	while (!testing_restored() && testing_now() - start < 60)
		testing_nap(5);
}

static void *old_a(void *arg)
{
	(void)arg;
	wait_restored();
	printf("old thread A: exiting after the restore\n");
	return (void *)42L;
}

static void *old_b(void *arg)
{
	(void)arg;
	wait_restored();
	testing_nap(300); // the main thread waits in pthread_join() meanwhile
	printf("old thread B: exiting after the restore\n");
	return (void *)43L;
}

static void *nested(void *arg)
{
	(void)arg;
	printf("nested thread: running\n");
	return (void *)7L;
}

static void *fresh(void *arg)
{
	long k = (long)arg;
	printf("new thread %ld: running\n", k);
	if (k == 0) {
		pthread_t t;
		void *ret = NULL;
		if (pthread_create(&t, NULL, nested, NULL) == 0 &&
		    pthread_join(t, &ret) == 0)
			return ret == (void *)7L ? (void *)0L : (void *)-1L;
		return (void *)-1L;
	}
	return (void *)(k * 10);
}

static void *nothing(void *arg)
{
	return arg;
}

// pthread_join with a bound: prints why it failed, returns -1 then.
static long join(pthread_t t, const char *what)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	void *ret;
	int rc = pthread_timedjoin_np(t, &ret, &deadline);
	if (rc) {
		printf("%s: not joined within 10 s: %s\n", what, strerror(rc));
		return -1;
	}
	return (long)ret;
}

int main(void)
{
	testing_start();
	pthread_t a, b;
	TESTING_ASSERT(pthread_create(&a, NULL, old_a, NULL) == 0, "A");
	TESTING_ASSERT(pthread_create(&b, NULL, old_b, NULL) == 0, "B");
	testing_checkpoint_or_exit();

	testing_nap(100); // A has ended by now
	printf("joined old thread B: %ld\n", join(b, "old thread B"));
	printf("joined old thread A: %ld\n", join(a, "old thread A"));

	pthread_t t[3];
	for (long k = 0; k < 3; k++)
		TESTING_ASSERT(pthread_create(&t[k], NULL, fresh, (void *)k) == 0,
			       "new thread %ld", k);
	long r[3];
	for (int k = 0; k < 3; k++)
		r[k] = join(t[k], "new thread");
	printf("joined new threads: %ld %ld %ld, nested %d\n", r[0], r[1], r[2],
	       r[0] == 0 ? 7 : -1);

	int more = 0;
	for (long i = 0; i < 50; i++) {
		pthread_t x;
		if (pthread_create(&x, NULL, nothing, (void *)i) == 0 &&
		    join(x, "one of 50 more") == i)
			more++;
	}
	printf("%d more threads created and joined\n", more);
	return 0;
}
