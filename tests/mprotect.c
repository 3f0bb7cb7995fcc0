// Page protections survive a restore: a read-only page keeps its data and
// a write to it still faults, a PROT_NONE page still faults on a read and
// has its old data once made readable again, and the app's own SIGSEGV
// handler (which siglongjmps out) still catches the faults.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: before: read-only page faults on write, PROT_NONE page faults on read
// CHECK-NEXT: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: read-only page: data intact, faults on write
// CHECK-NEXT: gen1: PROT_NONE page: faults on read
// CHECK-NEXT: gen1: PROT_NONE page made read-write: data intact, writable
// CHECK-NEXT: gen1: read-only page made read-write: writable
// CHECK-NEXT: gen1: read-write page: data intact
// CHECK-NEXT: gen1: exit 0
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static sigjmp_buf env;
static volatile sig_atomic_t faults;
static size_t page;
static unsigned char *base; // page 0 read-only, 1 PROT_NONE, 2 read-write

static void on_segv(int sig)
{
	(void)sig;
	faults++;
	siglongjmp(env, 1);
}

// 1 if touching p (a write if write, else a read) faults.
static int faults_on(volatile unsigned char *p, int write)
{
	int before = faults;
	if (sigsetjmp(env, 1) == 0) {
		if (write)
			*p = 0x5a;
		else
			(void)*p;
	}
	return faults != before;
}

static int intact(const unsigned char *p, int seed)
{
	for (size_t i = 0; i < page; i++)
		if (p[i] != (unsigned char)(seed + i * 13))
			return 0;
	return 1;
}

int main(void)
{
	testing_start();
	page = (size_t)sysconf(_SC_PAGESIZE);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	base = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TESTING_ASSERT(base != MAP_FAILED, "mmap");
	for (int p = 0; p < 3; p++)
		for (size_t i = 0; i < page; i++)
			base[p * page + i] = (unsigned char)(p * 50 + i * 13);
	mprotect(base, page, PROT_READ);
	mprotect(base + page, page, PROT_NONE);
	TESTING_ASSERT(faults_on(base, 1) && !faults_on(base, 0) &&
			       faults_on(base + page, 0) &&
			       !faults_on(base + 2 * page, 1),
		       "the faults do not happen even before the checkpoint");
	base[2 * page] = 100; // undo the probe write (2 * 50 + 0 * 13)
	printf("before: read-only page faults on write, PROT_NONE page "
	       "faults on read\n");

	testing_checkpoint_or_exit();
	TESTING_ASSERT(intact(base, 0), "read-only page data");
	TESTING_ASSERT(faults_on(base, 1), "write to the read-only page");
	TESTING_ASSERT(intact(base, 0), "read-only page data after a write");
	printf("read-only page: data intact, faults on write\n");
	TESTING_ASSERT(faults_on(base + page, 0), "read of the PROT_NONE page");
	TESTING_ASSERT(faults_on(base + page, 1),
		       "write to the PROT_NONE page");
	printf("PROT_NONE page: faults on read\n");
	TESTING_ASSERT(mprotect(base + page, page, PROT_READ | PROT_WRITE) == 0,
		       "mprotect");
	TESTING_ASSERT(intact(base + page, 50), "PROT_NONE page data");
	TESTING_ASSERT(!faults_on(base + page, 1), "write to the page");
	printf("PROT_NONE page made read-write: data intact, writable\n");
	TESTING_ASSERT(mprotect(base, page, PROT_READ | PROT_WRITE) == 0,
		       "mprotect");
	TESTING_ASSERT(!faults_on(base, 1), "write to the page");
	printf("read-only page made read-write: writable\n");
	TESTING_ASSERT(intact(base + 2 * page, 100), "read-write page data");
	printf("read-write page: data intact\n");
	return 0;
}
