// A checkpoint signal that lands while the app runs on a small stack of
// its own (a 16 KiB fiber or coroutine stack, with a guard page below):
// the checkpoint's work runs on the runtime's stack, so only the kernel's
// signal frame and a few words land on the fiber's, and the restored
// fiber goes on where it was.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: fiber: checkpointed
// APP-NEXT: main: fiber done
// RESTORED: fiber: restored, depth 16 intact
// RESTORED-NEXT: main: fiber done
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "Inputs/testing.h"

#define FIBER_STACK (16 << 10)

static ucontext_t main_ctx, fiber_ctx;
static const char *image;

// Uses some of the fiber's stack, as real fiber code would, then takes
// the checkpoint signal at the bottom.
static int descend(int depth)
{
	volatile char frame[256];
	memset((char *)frame, depth, sizeof frame);
	if (depth < 16) {
		int r = descend(depth + 1);
		return frame[0] == depth ? r : -1;
	}
	kill(getpid(), SIGUSR2);
	return testing_restored() ? depth : 0;
}

static void fiber(void)
{
	int depth = descend(1);
	if (depth > 0)
		printf("fiber: restored, depth %d intact\n", depth);
	else
		printf("fiber: %s\n", depth == 0 && access(image, R_OK) == 0
					     ? "checkpointed"
					     : "FAILED: no image");
	swapcontext(&fiber_ctx, &main_ctx);
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	image = argv[1];
	long page = sysconf(_SC_PAGESIZE);
	// A guard page below the stack: an overflow faults, never corrupts.
	char *mem = mmap(NULL, FIBER_STACK + page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TESTING_ASSERT(mem != MAP_FAILED, "mmap");
	mprotect(mem, page, PROT_NONE);
	getcontext(&fiber_ctx);
	fiber_ctx.uc_stack.ss_sp = mem + page;
	fiber_ctx.uc_stack.ss_size = FIBER_STACK;
	fiber_ctx.uc_link = &main_ctx;
	makecontext(&fiber_ctx, fiber, 0);
	swapcontext(&main_ctx, &fiber_ctx);
	printf("main: fiber done\n");
	return 0;
}
