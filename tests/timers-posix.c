// A POSIX timer (timer_create) firing every 10 ms comes back with its id,
// clock, signal, value and interval: its handler keeps counting after the
// restore. A second, disarmed timer on another clock keeps its id and
// settings too, and the gap below it (a deleted timer) stays free.
// UNSUPPORTED: emulated
// (qemu-user gives the guest timer ids of its own and lists the host's in
// /proc/self/timers; it refuses PR_TIMER_CREATE_RESTORE_IDS.)
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: ticking
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: same ids, interval 10 ms, disarmed one disarmed
// CHECK-NEXT: gen1: 20 more ticks, value 77
// CHECK-NEXT: gen1: exit 0
//
// INFO: posix timer {{[0-9]+}}: clock 1, signal {{[0-9]+}}, value 0x4d, notify process, {{[0-9.]+}} s left, interval 0.010000000 s
// INFO: posix timer {{[0-9]+}}: clock 0, signal 10, value 0x0, notify process, disarmed
#include <signal.h>
#include <string.h>
#include <time.h>

#include "Inputs/testing.h"

static volatile sig_atomic_t ticks, bad_value;

static void on_tick(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	if (si->si_value.sival_int != 77)
		bad_value = 1;
	ticks++;
}

int main(void)
{
	testing_start();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_tick;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGRTMIN + 1, &sa, NULL);
	signal(SIGUSR1, SIG_IGN);

	timer_t gap, tick, idle;
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	TESTING_ASSERT(timer_create(CLOCK_REALTIME, &sev, &gap) == 0, "gap");
	sev.sigev_signo = SIGRTMIN + 1;
	sev.sigev_value.sival_int = 77;
	TESTING_ASSERT(timer_create(CLOCK_MONOTONIC, &sev, &tick) == 0,
		       "timer_create");
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 0;
	TESTING_ASSERT(timer_create(CLOCK_REALTIME, &sev, &idle) == 0, "idle");
	TESTING_ASSERT(timer_delete(gap) == 0, "timer_delete");
	struct itimerspec every = {{0, 10000000}, {0, 10000000}};
	TESTING_ASSERT(timer_settime(tick, 0, &every, NULL) == 0, "settime");
	while (ticks < 5)
		testing_nap(5);
	printf("ticking\n");
	testing_checkpoint_or_exit();

	struct itimerspec now;
	TESTING_ASSERT(timer_gettime(tick, &now) == 0, "timer_gettime");
	TESTING_ASSERT(now.it_interval.tv_sec == 0 &&
			       now.it_interval.tv_nsec == 10000000,
		       "interval %ld.%09ld", (long)now.it_interval.tv_sec,
		       now.it_interval.tv_nsec);
	TESTING_ASSERT(timer_gettime(idle, &now) == 0 &&
			       now.it_value.tv_sec == 0 &&
			       now.it_value.tv_nsec == 0,
		       "idle timer");
	// The deleted one's id is not there.
	TESTING_ASSERT(timer_gettime(gap, &now) == -1 && errno == EINVAL,
		       "gap timer exists");
	printf("same ids, interval 10 ms, disarmed one disarmed\n");
	int start = ticks;
	double t0 = testing_now();
	while (ticks - start < 20 && testing_now() - t0 < 5)
		testing_nap(5);
	TESTING_ASSERT(ticks - start >= 20, "only %d ticks in 5 s",
		       ticks - start);
	TESTING_ASSERT(!bad_value, "a tick with another value");
	printf("20 more ticks, value 77\n");
	return 0;
}
