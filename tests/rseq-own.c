// The rseq registration the thread had is the one that comes back (zdtm
// rseq00): after the app unregistered glibc's area, the restored thread
// has none (a registration request succeeds), not glibc's again; an area
// of the app's own (found through ptrace) comes back with its signature:
// registering it again gives EBUSY, glibc's EINVAL, and the kernel keeps
// its cpu_id up to date.
// UNSUPPORTED: emulated
// (qemu-user has no rseq.)
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.none.ckpt %t.own.ckpt %t.glibc.ckpt
// RUN: %run %t none %t.none.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.none.ckpt | FileCheck --check-prefix=NONE %s
// RUN: %run %t own %t.own.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.own.ckpt | FileCheck --check-prefix=OWN %s
// RUN: %run %t glibc %t.glibc.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.glibc.ckpt | FileCheck --check-prefix=GLIBC %s
// APP: checkpoint: 0
// NONE: restored: no rseq area registered
// OWN: restored: own rseq area registered
// OWN-NEXT: glibc's area: EINVAL
// OWN-NEXT: cpu_id updated: yes
// GLIBC: restored: glibc's rseq area registered
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static struct rseq own __attribute__((aligned(32)));
// Not glibc's RSEQ_SIG: the restorer must register with the app's.
#define OWN_SIG 0x0badc0deu

static void nothing(int sig)
{
	(void)sig;
}

static void *glibc_area(void)
{
	return (char *)__builtin_thread_pointer() + __rseq_offset;
}

static unsigned glibc_len(void)
{
	return __rseq_size < 32 ? 32 : __rseq_size;
}

static long rseq_sig(void *area, unsigned len, int flags, unsigned sig)
{
	return syscall(SYS_rseq, area, len, flags, sig) ? -errno : 0;
}

static long rseq_call(void *area, unsigned len, int flags)
{
	return rseq_sig(area, len, flags, RSEQ_SIG);
}

// The kernel writes cpu_id when it delivers a signal (rseq_signal_deliver).
static int cpu_id_updated(void)
{
	unsigned cpu;
	own.cpu_id = 0xfffffff0u;
	signal(SIGUSR1, nothing);
	raise(SIGUSR1);
	return syscall(SYS_getcpu, &cpu, NULL, NULL) == 0 &&
	       own.cpu_id == cpu;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	if (!__rseq_size) {
		printf("glibc registered no rseq area\n");
		return 1;
	}
	if (strcmp(argv[1], "glibc")) {
		long ret = rseq_call(glibc_area(), glibc_len(),
				     RSEQ_FLAG_UNREGISTER);
		if (ret) {
			printf("cannot unregister glibc's area: %ld\n", ret);
			return 1;
		}
	}
	if (!strcmp(argv[1], "own") &&
	    rseq_sig(&own, sizeof own, 0, OWN_SIG)) {
		printf("cannot register an area\n");
		return 1;
	}
	int rc = ckpt_checkpoint(argv[2]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc > 0;
	}
	if (!strcmp(argv[1], "own")) {
		long ret = rseq_sig(&own, sizeof own, 0, OWN_SIG);
		if (ret == -EBUSY)
			printf("restored: own rseq area registered\n");
		else
			printf("restored: own rseq area not registered "
			       "(%ld)\n", ret);
		ret = rseq_call(glibc_area(), glibc_len(), 0);
		printf("glibc's area: %s\n",
		       ret == -EINVAL ? "EINVAL" : strerror((int)-ret));
		printf("cpu_id updated: %s\n",
		       cpu_id_updated() ? "yes" : "no");
		return 0;
	}
	// EBUSY: this area is registered; 0: none was (undo it).
	long ret = rseq_call(glibc_area(), glibc_len(), 0);
	if (ret == 0) {
		rseq_call(glibc_area(), glibc_len(), RSEQ_FLAG_UNREGISTER);
		printf("restored: no rseq area registered\n");
	} else if (ret == -EBUSY) {
		printf("restored: glibc's rseq area registered\n");
	} else {
		printf("restored: another rseq area registered (%ld)\n", ret);
	}
	return 0;
}
