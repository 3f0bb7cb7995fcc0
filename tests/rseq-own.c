// The rseq registration the thread had is the one that comes back (zdtm
// rseq00): after the app unregistered glibc's area, the restored thread
// has none (a registration request succeeds), not glibc's again; an area
// of the app's own, which the runtime cannot find without ptrace, makes
// the checkpoint fail with a message instead of restoring glibc's.
// UNSUPPORTED: emulated
// (qemu-user has no rseq.)
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.none.ckpt %t.own.ckpt %t.glibc.ckpt
// RUN: %run %t none %t.none.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.none.ckpt | FileCheck --check-prefix=NONE %s
// RUN: %run %t own %t.own.ckpt 2>&1 | FileCheck --check-prefix=OWN %s
// RUN: %run %t glibc %t.glibc.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.glibc.ckpt | FileCheck --check-prefix=GLIBC %s
// APP: checkpoint: 0
// NONE: restored: no rseq area registered
// OWN: the thread has an rseq area registered that is not glibc's
// OWN: checkpoint: -95
// GLIBC: restored: glibc's rseq area registered
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static struct rseq own __attribute__((aligned(32)));

static void *glibc_area(void)
{
	return (char *)__builtin_thread_pointer() + __rseq_offset;
}

static unsigned glibc_len(void)
{
	return __rseq_size < 32 ? 32 : __rseq_size;
}

static long rseq_call(void *area, unsigned len, int flags)
{
	return syscall(SYS_rseq, area, len, flags, RSEQ_SIG) ? -errno : 0;
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
	if (!strcmp(argv[1], "own") && rseq_call(&own, sizeof own, 0)) {
		printf("cannot register an area\n");
		return 1;
	}
	int rc = ckpt_checkpoint(argv[2]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc > 0;
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
