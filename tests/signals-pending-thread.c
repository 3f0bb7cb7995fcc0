// A thread other than the main one takes the checkpoint with a real-time
// signal pending for itself alone, and another thread, stopped by it, has
// one of its own: after the restore each is still its thread's,
// delivered to it (not to the main thread) with its value.
// UNSUPPORTED: emulated
// (qemu-user keeps the guest's pending signals in queues of its own: see
// signals-pending.c.)
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: value 99 in the thread that took it
// CHECK-NEXT: gen1: value 42 in the stopped thread
// CHECK-NEXT: gen1: exit 0
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "Inputs/testing.h"

static volatile pid_t got_in, got_in4;
static volatile int got_value, got_value4, waiter_ready, waiter_done;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (sig == SIGRTMIN + 4) {
		got_value4 = si->si_value.sival_int;
		got_in4 = gettid();
		return;
	}
	got_value = si->si_value.sival_int;
	got_in = gettid();
}

static void queue_to_self(int sig, int value)
{
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, sig);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	TESTING_ASSERT(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), sig,
			       &si) == 0,
		       "rt_tgsigqueueinfo");
}

static void *waiter(void *arg)
{
	(void)arg;
	queue_to_self(SIGRTMIN + 4, 42);
	waiter_ready = 1;
	while (!testing_restored())
		testing_nap(5);
	pid_t self = gettid();
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGRTMIN + 4);
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
	double t0 = testing_now();
	while (!got_in4 && testing_now() - t0 < 2)
		testing_nap(5);
	waiter_done = got_in4 == self && got_value4 == 42 ? 1 : -1;
	return NULL;
}

static void *taker(void *arg)
{
	(void)arg;
	while (!waiter_ready)
		testing_nap(5);
	queue_to_self(SIGRTMIN + 3, 99);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGRTMIN + 3);
	testing_checkpoint_or_exit();
	pid_t self = gettid();
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
	double t0 = testing_now();
	while (!got_in && testing_now() - t0 < 2)
		testing_nap(5);
	TESTING_ASSERT(got_in == self && got_value == 99,
		       "value %d in %d, not %d", got_value, (int)got_in,
		       (int)self);
	printf("value 99 in the thread that took it\n");
	t0 = testing_now();
	while (!waiter_done && testing_now() - t0 < 3)
		testing_nap(5);
	TESTING_ASSERT(waiter_done == 1, "the stopped thread got value %d in "
		       "%d", got_value4, (int)got_in4);
	printf("value 42 in the stopped thread\n");
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
	sigaction(SIGRTMIN + 4, &sa, NULL);
	// The main thread may take it too, if it comes back process-wide.
	pthread_t t, w;
	pthread_create(&w, NULL, waiter, NULL);
	pthread_create(&t, NULL, taker, NULL);
	pthread_join(t, NULL);
	return 1;
}
