// A priority-inheritance mutex works after a restore, contended: glibc
// locks it by writing its cached tid into the futex word, and a waiter's
// FUTEX_LOCK_PI asks the kernel to find the owner by that tid. A stale tid
// (the checkpointed process's) names no thread, and the waiter fails or
// hangs; the restorer writes the new tid into glibc's cache (found with
// PR_GET_TID_ADDRESS) and registers it again with set_tid_address().
// UNSUPPORTED: emulated
// (qemu-user refuses PR_GET_TID_ADDRESS, so the cache cannot be found.)
// RUN: %cc -pthread %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: main locked
// CHECK-NEXT: gen1: waiter got it after main unlocked
// CHECK-NEXT: gen1: main locked again
// CHECK-NEXT: gen1: exit 0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static pthread_mutex_t mutex;
static volatile int released, acquired;

static void *waiter(void *arg)
{
	(void)arg;
	int err = pthread_mutex_lock(&mutex);
	if (err) {
		printf("FAILED: waiter: pthread_mutex_lock: %s\n",
		       strerror(err));
		_exit(1);
	}
	acquired = released;
	pthread_mutex_unlock(&mutex);
	return NULL;
}

int main(void)
{
	testing_start();
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	TESTING_ASSERT(pthread_mutexattr_setprotocol(&attr,
						     PTHREAD_PRIO_INHERIT) == 0,
		       "PTHREAD_PRIO_INHERIT");
	TESTING_ASSERT(pthread_mutex_init(&mutex, &attr) == 0, "init");
	TESTING_ASSERT(pthread_mutex_lock(&mutex) == 0 &&
			       pthread_mutex_unlock(&mutex) == 0,
		       "lock before");

	testing_checkpoint_or_exit();
	alarm(20); // a hang ends the test with SIGALRM

	TESTING_ASSERT(pthread_mutex_lock(&mutex) == 0, "main lock");
	printf("main locked\n");
	pthread_t t;
	TESTING_ASSERT(pthread_create(&t, NULL, waiter, NULL) == 0, "thread");
	testing_nap(200); // the waiter blocks in FUTEX_LOCK_PI meanwhile
	released = 1;
	TESTING_ASSERT(pthread_mutex_unlock(&mutex) == 0, "main unlock");
	TESTING_ASSERT(pthread_join(t, NULL) == 0, "join");
	TESTING_ASSERT(acquired, "the waiter got the mutex before the unlock");
	printf("waiter got it after main unlocked\n");
	TESTING_ASSERT(pthread_mutex_lock(&mutex) == 0 &&
			       pthread_mutex_unlock(&mutex) == 0,
		       "lock again");
	printf("main locked again\n");
	return 0;
}
