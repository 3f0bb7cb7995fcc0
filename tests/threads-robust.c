// A thread holds a robust mutex (PTHREAD_MUTEX_ROBUST) and an
// error-checking one across the checkpoint. After the restore it unlocks
// the robust one (0: the owner tid in the lock word is its new tid), and
// another thread then locks and unlocks it (0, 0: not EOWNERDEAD, not a
// wait for a thread that is gone). The documented limit: the
// error-checking mutex stores the owner's old tid where ckpt cannot find
// it, so its unlock after an ordinary restore fails with EPERM.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: holder: locked both
// CHECK-NEXT: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: holder: robust unlock: 0
// CHECK-NEXT: gen1: holder: errorcheck unlock: EPERM
// CHECK-NEXT: gen1: other thread: robust lock: 0, unlock: 0
// CHECK-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "Inputs/testing.h"

static pthread_mutex_t robust, errorcheck;
static int locked, go;

static const char *name(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case EBUSY: return "EBUSY";
	case EDEADLK: return "EDEADLK";
	case EINVAL: return "EINVAL";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EOWNERDEAD: return "EOWNERDEAD";
	case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
	default: return strerror(e);
	}
}

static void *holder(void *arg)
{
	(void)arg;
	int a = pthread_mutex_lock(&robust), b = pthread_mutex_lock(&errorcheck);
	printf("holder: locked both%s\n", a || b ? " NOT" : "");
	__atomic_store_n(&locked, 1, __ATOMIC_SEQ_CST);
	double start = testing_now();
	while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST)) {
		if (testing_now() - start > 60)
			return NULL;
		testing_nap(5);
	}
	printf("holder: robust unlock: %s\n",
	       name(pthread_mutex_unlock(&robust)));
	printf("holder: errorcheck unlock: %s\n",
	       name(pthread_mutex_unlock(&errorcheck)));
	return NULL;
}

static void *other(void *arg)
{
	(void)arg;
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 5;
	int rc = pthread_mutex_timedlock(&robust, &deadline);
	printf("other thread: robust lock: %s, unlock: %s\n", name(rc),
	       rc == 0 || rc == EOWNERDEAD ? name(pthread_mutex_unlock(&robust))
					   : "-");
	return NULL;
}

static int timed_join(pthread_t t)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	return pthread_timedjoin_np(t, NULL, &deadline);
}

int main(void)
{
	testing_start();
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	TESTING_ASSERT(pthread_mutex_init(&robust, &attr) == 0, "robust mutex");
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	TESTING_ASSERT(pthread_mutex_init(&errorcheck, &attr) == 0,
		       "error-checking mutex");

	pthread_t h;
	TESTING_ASSERT(pthread_create(&h, NULL, holder, NULL) == 0, "holder");
	for (int i = 0; i < 10000 && !__atomic_load_n(&locked, __ATOMIC_SEQ_CST);
	     i++)
		testing_nap(1);
	testing_checkpoint_or_exit();
	__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
	TESTING_ASSERT(timed_join(h) == 0, "holder not joined in 10 s");
	pthread_t o;
	TESTING_ASSERT(pthread_create(&o, NULL, other, NULL) == 0, "other");
	TESTING_ASSERT(timed_join(o) == 0, "other thread not joined in 10 s");
	return 0;
}
