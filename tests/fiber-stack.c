// A checkpoint signal that lands on a small fiber stack (16 KiB, 4 KiB of
// it in use, a guard page below) does its work on a stack of the
// runtime's: only the kernel's signal frame and a few words go on the
// fiber's. The image restores and the fiber goes on.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: fiber goes on: restored 0, sum 2016
// APP-NEXT: back in main
// RESTORED: fiber goes on: restored 1, sum 2016
// RESTORED-NEXT: back in main
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "Inputs/testing.h"

#define FIBER_STACK (16 << 10)

static ucontext_t main_ctx, fiber_ctx;

static void fiber(void)
{
	volatile char used[4096];
	int sum = 0;
	for (int i = 0; i < 64; i++)
		used[i * 64] = (char)i;
	kill(getpid(), SIGUSR2); // checkpoint here, on this stack
	for (int i = 0; i < 64; i++)
		sum += used[i * 64];
	printf("fiber goes on: restored %d, sum %d\n", testing_restored(), sum);
	swapcontext(&fiber_ctx, &main_ctx);
}

int main(void)
{
	testing_start();
	long page = sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, FIBER_STACK + page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || mprotect(mem, page, PROT_NONE))
		return 2;
	getcontext(&fiber_ctx);
	fiber_ctx.uc_stack.ss_sp = mem + page;
	fiber_ctx.uc_stack.ss_size = FIBER_STACK;
	fiber_ctx.uc_link = &main_ctx;
	makecontext(&fiber_ctx, fiber, 0);
	swapcontext(&main_ctx, &fiber_ctx);
	printf("back in main\n");
	return 0;
}
