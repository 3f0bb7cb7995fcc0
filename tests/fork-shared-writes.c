// CKPT_FORK=1 while another process keeps writing MAP_SHARED anonymous
// memory: the forked writer's private memory is a stable copy on write,
// shared memory is not. Every image must check out and restore: the
// checksum covers the bytes written (staged), whatever the writer did.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_FORK=1 %run %t %t.d | FileCheck --check-prefix=APP %s
// RUN: for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do \
// RUN:   %run %restorer %t.d/img.$i || echo "image $i: exit $?"; \
// RUN: done | FileCheck --check-prefix=RESTORED %s
// APP: 20 checkpoints, every ckpt_wait() 0
// RESTORED-COUNT-20: restored: shared memory readable, scribbler's marks seen
// RESTORED-NOT: exit
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define LEN (4UL << 20)

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: fork-shared-writes DIR");
	volatile unsigned char *mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
					   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TESTING_ASSERT(mem != MAP_FAILED, "mmap");
	memset((void *)mem, 1, LEN);
	pid_t scribbler = fork();
	TESTING_ASSERT(scribbler >= 0, "fork");
	if (scribbler == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (unsigned char v = 2;; v = v == 255 ? 2 : v + 1)
			for (size_t i = 0; i < LEN; i += 64)
				mem[i] = v;
	}
	int bad = 0;
	for (int i = 0; i < 20; i++) {
		char path[4096 + 32];
		snprintf(path, sizeof path, "%s/img.%d", argv[1], i);
		int rc = ckpt_checkpoint(path);
		if (rc == 1) {
			// Restored: the scribbler is not (another process).
			printf("restored: shared memory readable, scribbler's "
			       "marks %s\n", mem[0] >= 1 ? "seen" : "lost");
			return 0;
		}
		TESTING_ASSERT(rc == 0, "checkpoint %d: %d", i, rc);
		int w = ckpt_wait();
		if (w != 0) {
			printf("checkpoint %d: ckpt_wait() %d\n", i, w);
			bad++;
		}
	}
	kill(scribbler, SIGKILL);
	printf("20 checkpoints, every ckpt_wait() %s\n", bad ? "not 0" : "0");
	return 0;
}
