// A worker thread, not the main one, leads the checkpoint:
// api:    the worker calls ckpt_checkpoint(): 0 in the running process,
//         then 1 in the restored one, in that same worker (its pthread_t,
//         not the group leader's tid), while the main thread waits in
//         pthread_join() and a third thread naps;
// tgkill: the checkpoint signal is sent to a worker's tid with tgkill();
//         the image is written and every thread resumes from it.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.api.ckpt --no-kill -- %t api \
// RUN:   | FileCheck --check-prefix=API %s
// RUN: %drive --timeout 30 --image %t.sig.ckpt -- %t tgkill \
// RUN:   | FileCheck --check-prefix=SIG %s
//
// API: gen0: worker: checkpoint 0, in the worker
// API-NEXT: gen0: main: joined the worker
// API-NEXT: gen0: exit 0
// API-DAG: gen1: worker: checkpoint 1, in the worker
// API-DAG: gen1: bystander: restored
// API-DAG: gen1: main: joined the worker
// API: gen1: main: joined the bystander
// API-NEXT: gen1: exit 0
//
// SIG: gen0: sending the checkpoint signal to the worker
// SIG-NEXT: gen0: signal KILL
// SIG-DAG: gen1: worker: restored
// SIG-DAG: gen1: main: restored
// SIG: gen1: main: joined the worker
// SIG-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "Inputs/testing.h"

static pthread_t worker_thread;
static pid_t worker_tid;

static int wait_restored(void)
{
	double start = testing_now();
	while (!testing_restored()) {
		if (testing_now() - start > 60)
			return 0;
		testing_nap(5);
	}
	return 1;
}

static void timed_join(pthread_t t, const char *what)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 20;
	int rc = pthread_timedjoin_np(t, NULL, &deadline);
	if (rc)
		printf("main: %s not joined in 20 s: %s\n", what, strerror(rc));
	else
		printf("main: joined the %s\n", what);
}

static void *api_worker(void *arg)
{
	(void)arg;
	int rc = ckpt_checkpoint(NULL);
	int here = pthread_equal(pthread_self(), worker_thread) &&
		   syscall(SYS_gettid) != getpid();
	printf("worker: checkpoint %d, %s\n", rc,
	       here ? "in the worker" : "NOT in the worker");
	return NULL;
}

static void *bystander(void *arg)
{
	(void)arg;
	if (wait_restored())
		printf("bystander: restored\n");
	return NULL;
}

static int api(void)
{
	pthread_t other;
	TESTING_ASSERT(pthread_create(&other, NULL, bystander, NULL) == 0,
		       "bystander");
	TESTING_ASSERT(pthread_create(&worker_thread, NULL, api_worker, NULL)
			       == 0, "worker");
	timed_join(worker_thread, "worker");
	if (!testing_restored())
		exit(0); // the bystander waits for a restore, not this process
	timed_join(other, "bystander");
	return 0;
}

static void *sig_worker(void *arg)
{
	(void)arg;
	worker_tid = syscall(SYS_gettid);
	if (wait_restored())
		printf("worker: restored\n");
	return NULL;
}

static int by_tgkill(void)
{
	TESTING_ASSERT(pthread_create(&worker_thread, NULL, sig_worker, NULL)
			       == 0, "worker");
	for (int i = 0; i < 10000 && !__atomic_load_n(&worker_tid,
						      __ATOMIC_SEQ_CST); i++)
		testing_nap(1);
	TESTING_ASSERT(worker_tid, "the worker did not start");
	printf("sending the checkpoint signal to the worker\n");
	TESTING_ASSERT(syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR2) == 0,
		       "tgkill: %s", strerror(errno));
	// The driver kills this process once the image is there.
	if (wait_restored())
		printf("main: restored\n");
	timed_join(worker_thread, "worker");
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc == 2 && strcmp(argv[1], "api") == 0)
		return api();
	if (argc == 2 && strcmp(argv[1], "tgkill") == 0)
		return by_tgkill();
	return 2;
}
