// Guard pages cut one mapping into regions that /proc/self/maps does not
// show: 16,000 guard ranges in one mapping make 32,000 regions, 2 MiB of
// region table, near image::max_regions. The image must restore exactly:
// every page its value, every guard page still faulting. (A writer that
// lays out its data before the scan, from the maps and the kernel's
// counters, would get this one wrong first.)
// qemu-user 7.2 ignores madvise (it installs no guard page):
// UNSUPPORTED: aarch64
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && %t %t.ckpt | FileCheck --check-prefix=APP %s
// (32,000 regions: not inside lazy-map-count.c's lowered vm.max_map_count.)
// RUN: %python %S/lib/with_sysctl.py vm.max_map_count - -- %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: guards: 16000
// APP-NEXT: checkpoint: 0
// RESTORED: restored: 16000 pages intact, 16000 guard pages fault
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

#define GUARDS 16000

static sigjmp_buf jump;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

static int faults(volatile const char *p)
{
	if (sigsetjmp(jump, 1))
		return 1;
	(void)*p;
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: guard-pages-many IMAGE");
	const long page = sysconf(_SC_PAGESIZE);
	// Data pages at even indices, guard pages at odd ones.
	char *m = mmap(NULL, 2 * GUARDS * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TESTING_ASSERT(m != MAP_FAILED, "mmap");
	int guards = 0;
	for (long i = 0; i < GUARDS; i++) {
		*(unsigned long long *)(m + 2 * i * page) = testing_value(i);
		guards += madvise(m + (2 * i + 1) * page, page,
				  MADV_GUARD_INSTALL) == 0;
	}
	printf("guards: %d\n", guards);
	fflush(stdout);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc != 0;
	}
	signal(SIGSEGV, on_segv);
	int intact = 0, faulting = 0;
	for (long i = 0; i < GUARDS; i++) {
		intact += *(unsigned long long *)(m + 2 * i * page) ==
			  testing_value(i);
		faulting += faults(m + (2 * i + 1) * page);
	}
	printf("restored: %d pages intact, %d guard pages fault\n", intact,
	       faulting);
	return 0;
}
