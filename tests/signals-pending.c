// Signals pending at the checkpoint are delivered after the restore, with
// their siginfo: a blocked SIGUSR1 sent to the process, and two queued
// real-time signals with their values (one to the process, one to the
// thread). The original process still has them too. The order in which
// signals of two queues arrive is the kernel's (the thread's are taken
// first, and each handler frame lands on the one before), so not checked.
// UNSUPPORTED: emulated
// (qemu-user keeps the guest's pending signals in queues of its own and
// renumbers real-time ones: /proc/thread-self/status shows the host's.)
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: pending
// CHECK-NEXT: gen0: checkpointed, still pending: USR1 RT
// CHECK: gen1: restored
// CHECK-DAG: gen1: SIGUSR1 code 0
// CHECK-DAG: gen1: RT value 1234 code -1
// CHECK-DAG: gen1: RT value 5678 code -1
// CHECK: gen1: exit 0
//
// INFO: pending signal 10 (process): code 0
// INFO-DAG: pending signal {{[0-9]+}} (process): code -1, value 0x4d2
// INFO-DAG: pending signal {{[0-9]+}} (thread 0): code -1, value 0x162e
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "Inputs/testing.h"

static volatile sig_atomic_t got;
static char lines[4][64];

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (got >= 4)
		return;
	if (sig == SIGUSR1)
		snprintf(lines[got], sizeof lines[got], "SIGUSR1 code %d",
			 si->si_code);
	else
		snprintf(lines[got], sizeof lines[got], "RT value %d code %d",
			 si->si_value.sival_int, si->si_code);
	got++;
}

int main(void)
{
	testing_start();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGRTMIN + 3, &sa, NULL);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &block, NULL);

	kill(getpid(), SIGUSR1);
	union sigval v = {.sival_int = 1234};
	TESTING_ASSERT(sigqueue(getpid(), SIGRTMIN + 3, v) == 0, "sigqueue");
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGRTMIN + 3;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 5678;
	TESTING_ASSERT(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(),
			       SIGRTMIN + 3, &si) == 0,
		       "rt_tgsigqueueinfo");
	printf("pending\n");
	int rc = ckpt_checkpoint(NULL);
	if (rc == 0) {
		sigset_t p;
		sigpending(&p);
		printf("checkpointed, still pending:%s%s\n",
		       sigismember(&p, SIGUSR1) ? " USR1" : "",
		       sigismember(&p, SIGRTMIN + 3) ? " RT" : "");
		exit(0);
	}
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	printf("restored\n");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	double t0 = testing_now();
	while (got < 3 && testing_now() - t0 < 2)
		testing_nap(5);
	for (int i = 0; i < got; i++)
		printf("%s\n", lines[i]);
	TESTING_ASSERT(got == 3, "%d signals after the restore", got);
	return 0;
}
