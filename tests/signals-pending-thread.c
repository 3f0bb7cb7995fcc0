// A thread other than the main one takes the checkpoint with a real-time
// signal pending for itself alone: after the restore it is still that
// thread's, delivered to it (not to the main thread) with its value.
// UNSUPPORTED: emulated
// (qemu-user keeps the guest's pending signals in queues of its own: see
// signals-pending.c.)
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: value 99 in the thread that took it
// CHECK-NEXT: gen1: exit 0
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "Inputs/testing.h"

static volatile pid_t got_in;
static volatile int got_value;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	got_value = si->si_value.sival_int;
	got_in = gettid();
}

static void *taker(void *arg)
{
	(void)arg;
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGRTMIN + 3);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGRTMIN + 3;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 99;
	TESTING_ASSERT(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(),
			       SIGRTMIN + 3, &si) == 0,
		       "rt_tgsigqueueinfo");
	int rc = ckpt_checkpoint(NULL);
	if (rc == 0) {
		printf("checkpointed\n");
		exit(0);
	}
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	printf("restored\n");
	pid_t self = gettid();
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
	double t0 = testing_now();
	while (!got_in && testing_now() - t0 < 2)
		testing_nap(5);
	TESTING_ASSERT(got_in == self && got_value == 99,
		       "value %d in %d, not %d", got_value, (int)got_in,
		       (int)self);
	printf("value 99 in the thread that took it\n");
	exit(0);
}

int main(void)
{
	testing_start();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN + 3, &sa, NULL);
	// The main thread may take it too, if it comes back process-wide.
	pthread_t t;
	pthread_create(&t, NULL, taker, NULL);
	pthread_join(t, NULL);
	return 1;
}
