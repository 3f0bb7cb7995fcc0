// Interval timers come back with the time they had left and their
// interval: ITIMER_REAL (and alarm(), which is ITIMER_REAL) fires as late
// after the restore as it would have after the checkpoint, then every
// interval; ITIMER_VIRTUAL and ITIMER_PROF keep their values. Bounds are
// generous: they catch a timer that is lost, reset or never fires.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t itimer | FileCheck %s
// RUN: %drive --image %t.alarm.ckpt --no-kill -- %t alarm | FileCheck --check-prefix=ALARM %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: REAL: remaining ok, interval 0.300000
// CHECK-NEXT: gen1: VIRTUAL: remaining ok, interval 10.000000
// CHECK-NEXT: gen1: PROF: remaining ok, interval 5.000000
// CHECK-NEXT: gen1: first SIGALRM in time
// CHECK-NEXT: gen1: second SIGALRM one interval later
// CHECK-NEXT: gen1: exit 0
//
// ALARM: gen0: checkpointed
// ALARM: gen1: restored
// ALARM-NEXT: gen1: REAL: remaining ok, interval 0.000000
// ALARM-NEXT: gen1: first SIGALRM in time
// ALARM-NEXT: gen1: exit 0
//
// INFO: itimer REAL: 1.{{[0-9]+}} s, interval 0.300000 s
// INFO: itimer VIRTUAL: {{99|100}}.{{[0-9]+}} s, interval 10.000000 s
// INFO: itimer PROF: {{49|50}}.{{[0-9]+}} s, interval 5.000000 s
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static double secs(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec * 1e-6;
}

static void check(int which, const char *name, double start,
		  long interval_us)
{
	struct itimerval it;
	TESTING_ASSERT(getitimer(which, &it) == 0, "getitimer %s", name);
	double left = secs(it.it_value);
	// Not much less than at the start: it ran only in the process's own
	// life (the downtime aside). CPU-time timers read a tick or so more.
	TESTING_ASSERT(left > start - 1.5 && left <= start + 0.1,
		       "%s: %f s left of %f", name, left, start);
	TESTING_ASSERT(it.it_interval.tv_sec * 1000000L +
				       it.it_interval.tv_usec == interval_us,
		       "%s interval %f", name, secs(it.it_interval));
	printf("%s: remaining ok, interval %f\n", name, secs(it.it_interval));
}

// Waits for the count-th SIGALRM; the seconds it took.
static double wait_alarm(int count)
{
	double t0 = testing_now();
	while (alarms < count && testing_now() - t0 < 10)
		testing_nap(5);
	TESTING_ASSERT(alarms >= count, "no SIGALRM #%d in 10 s", count);
	return testing_now() - t0;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: itimers itimer|alarm");
	int use_alarm = strcmp(argv[1], "alarm") == 0;
	signal(SIGALRM, on_alarm);
	signal(SIGVTALRM, SIG_IGN);
	signal(SIGPROF, SIG_IGN);
	if (use_alarm) {
		alarm(2);
	} else {
		struct itimerval real = {{0, 300000}, {2, 0}};
		struct itimerval virt = {{10, 0}, {100, 0}};
		struct itimerval prof = {{5, 0}, {50, 0}};
		TESTING_ASSERT(setitimer(ITIMER_REAL, &real, NULL) == 0 &&
				       setitimer(ITIMER_VIRTUAL, &virt, NULL) == 0 &&
				       setitimer(ITIMER_PROF, &prof, NULL) == 0,
			       "setitimer");
	}
	testing_checkpoint_or_exit();
	check(ITIMER_REAL, "REAL", 2, use_alarm ? 0 : 300000);
	if (!use_alarm) {
		check(ITIMER_VIRTUAL, "VIRTUAL", 100, 10000000);
		check(ITIMER_PROF, "PROF", 50, 5000000);
	}
	double first = wait_alarm(1);
	TESTING_ASSERT(first > 0.5 && first < 4, "first SIGALRM after %f s",
		       first);
	printf("first SIGALRM in time\n");
	if (!use_alarm) {
		double second = wait_alarm(2);
		TESTING_ASSERT(second < 2, "second SIGALRM after %f s", second);
		printf("second SIGALRM one interval later\n");
	}
	return 0;
}
