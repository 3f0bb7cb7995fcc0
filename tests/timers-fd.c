// A timerfd armed with an interval and a signalfd come back at their
// numbers, with their flags: the timerfd keeps its clock, time left and
// interval and fires after the restore; the signalfd keeps its mask and
// reads a signal sent after the restore. An unread expiration is kept.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: armed
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: timerfd: nonblock, interval 20 ms
// CHECK-NEXT: gen1: idle timerfd: disarmed, 1 unread expiration
// CHECK-NEXT: gen1: timerfd fired after the restore
// CHECK-NEXT: gen1: signalfd: nonblock, read SIGUSR1 from us
// CHECK-NEXT: gen1: exit 0
//
// INFO: fd {{[0-9]+}} recreate timerfd rw nonblock cloexec clock 1 {{[0-9.]+}} s left, interval 0.020000000 s
// INFO: fd {{[0-9]+}} recreate timerfd rw clock 0 disarmed ticks 1
// INFO: fd {{[0-9]+}} recreate signalfd rw nonblock mask 0x{{0*}}200
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "Inputs/testing.h"

int main(void)
{
	testing_start();
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	TESTING_ASSERT(tfd >= 0, "timerfd_create");
	struct itimerspec every = {{0, 20000000}, {0, 200000000}};
	TESTING_ASSERT(timerfd_settime(tfd, 0, &every, NULL) == 0, "settime");
	// Fired once and disarmed: the expiration waits to be read.
	int idle = timerfd_create(CLOCK_REALTIME, 0);
	struct itimerspec once = {{0, 0}, {0, 1000000}};
	TESTING_ASSERT(idle >= 0 && timerfd_settime(idle, 0, &once, NULL) == 0,
		       "idle timerfd");
	testing_nap(20);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_NONBLOCK);
	TESTING_ASSERT(sfd >= 0, "signalfd");
	printf("armed\n");
	testing_checkpoint_or_exit();

	struct itimerspec now;
	TESTING_ASSERT(timerfd_gettime(tfd, &now) == 0, "timerfd_gettime");
	TESTING_ASSERT(now.it_interval.tv_sec == 0 &&
			       now.it_interval.tv_nsec == 20000000,
		       "interval %ld.%09ld", (long)now.it_interval.tv_sec,
		       now.it_interval.tv_nsec);
	TESTING_ASSERT(fcntl(tfd, F_GETFL) & O_NONBLOCK, "timerfd blocks");
	TESTING_ASSERT(fcntl(tfd, F_GETFD) & FD_CLOEXEC, "timerfd cloexec");
	printf("timerfd: nonblock, interval 20 ms\n");
	TESTING_ASSERT(timerfd_gettime(idle, &now) == 0 &&
			       !now.it_value.tv_sec && !now.it_value.tv_nsec,
		       "idle timerfd armed");
	uint64_t n = 0;
	TESTING_ASSERT(read(idle, &n, sizeof n) == sizeof n && n == 1,
		       "idle timerfd read %llu", (unsigned long long)n);
	printf("idle timerfd: disarmed, 1 unread expiration\n");
	struct pollfd p = {tfd, POLLIN, 0};
	TESTING_ASSERT(poll(&p, 1, 5000) == 1, "timerfd never fired");
	TESTING_ASSERT(read(tfd, &n, sizeof n) == sizeof n && n >= 1,
		       "timerfd read");
	printf("timerfd fired after the restore\n");

	TESTING_ASSERT(fcntl(sfd, F_GETFL) & O_NONBLOCK, "signalfd blocks");
	kill(getpid(), SIGUSR1);
	struct signalfd_siginfo si;
	p.fd = sfd;
	TESTING_ASSERT(poll(&p, 1, 5000) == 1, "signalfd not readable");
	TESTING_ASSERT(read(sfd, &si, sizeof si) == sizeof si, "signalfd read");
	TESTING_ASSERT(si.ssi_signo == SIGUSR1 && (pid_t)si.ssi_pid == getpid(),
		       "read signal %u from %u", si.ssi_signo, si.ssi_pid);
	printf("signalfd: nonblock, read SIGUSR1 from us\n");
	return 0;
}
