// Worker threads that block every signal (what thread pools do, so that
// signals go to the main thread) can still be stopped for a checkpoint:
// the runtime's pthread_sigmask() and sigprocmask() leave the checkpoint
// signal out of what an app blocks while the app has no handler of its own
// for it. Everything else stays blocked: after the restore each worker
// still blocks SIGUSR1 and SIGTERM, and the main thread's mask is as it
// set it.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --at '^READY$' -- %t | FileCheck %s
// CHECK: gen0: READY
// CHECK: gen0: signal KILL
// CHECK-DAG: gen1: worker 0: restored, SIGUSR1 blocked: yes, SIGTERM blocked: yes
// CHECK-DAG: gen1: worker 1: restored, SIGUSR1 blocked: yes, SIGTERM blocked: yes
// CHECK-DAG: gen1: main: SIGUSR1 blocked: yes, SIGINT blocked: no
// CHECK: gen1: joined 2
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>

#include "Inputs/testing.h"

static int ready;

static const char *blocked(int sig)
{
	sigset_t now;
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	return sigismember(&now, sig) ? "yes" : "no";
}

static void *worker(void *arg)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	while (!testing_restored())
		testing_nap(5);
	printf("worker %ld: restored, SIGUSR1 blocked: %s, SIGTERM blocked: %s\n",
	       (long)arg, blocked(SIGUSR1), blocked(SIGTERM));
	return NULL;
}

int main(void)
{
	testing_start();
	sigset_t some;
	sigemptyset(&some);
	sigaddset(&some, SIGUSR1);
	sigprocmask(SIG_BLOCK, &some, NULL);
	pthread_t t[2];
	for (long i = 0; i < 2; i++)
		TESTING_ASSERT(pthread_create(&t[i], NULL, worker, (void *)i) == 0,
			       "thread %ld", i);
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 2)
		testing_nap(1);
	printf("READY\n");
	double start = testing_now();
	while (!testing_restored()) {
		testing_nap(5);
		TESTING_ASSERT(testing_now() - start < 60, "no restore in 60 s");
	}
	printf("main: SIGUSR1 blocked: %s, SIGINT blocked: %s\n",
	       blocked(SIGUSR1), blocked(SIGINT));
	int joined = 0;
	for (int i = 0; i < 2; i++)
		joined += pthread_join(t[i], NULL) == 0;
	printf("joined %d\n", joined);
	return 0;
}
