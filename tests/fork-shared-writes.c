// CKPT_FORK=1 while other processes keep writing MAP_SHARED anonymous
// memory, and the file under a MAP_PRIVATE mapping (its pages not copied
// on write are the file's): the forked writer's private memory is a
// stable copy on write, those are not. Every image must check out and
// restore: the checksum covers the bytes written (staged), whatever the
// writer did. The file has changed since: the private mapping comes back
// from it only with --allow-changed-files.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_FORK=1 %run %t %t.d | FileCheck --check-prefix=APP %s
// RUN: for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do \
// RUN:   %run %restorer --allow-changed-files %t.d/img.$i 2>/dev/null || echo "image $i: exit $?"; \
// RUN: done | FileCheck --check-prefix=RESTORED %s
// APP: 20 checkpoints, every ckpt_wait() 0
// RESTORED-COUNT-20: restored: shared memory readable, scribbler's marks seen
// RESTORED-NOT: exit
#include <fcntl.h>
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
	char path[4096 + 32];
	snprintf(path, sizeof path, "%s/file", argv[1]);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	TESTING_ASSERT(fd >= 0 && ftruncate(fd, LEN) == 0, "create %s", path);
	const char *priv = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE, fd, 0);
	TESTING_ASSERT(priv != MAP_FAILED, "mmap the file");
	pid_t rewriter = fork();
	TESTING_ASSERT(rewriter >= 0, "fork");
	if (rewriter == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		static char block[1 << 16];
		for (unsigned char v = 0;; v++) {
			memset(block, v, sizeof block);
			for (off_t off = 0; off < (off_t)LEN; off += sizeof block)
				pwrite(fd, block, sizeof block, off);
		}
	}
	int bad = 0;
	for (int i = 0; i < 20; i++) {
		snprintf(path, sizeof path, "%s/img.%d", argv[1], i);
		int rc = ckpt_checkpoint(path);
		if (rc == 1) {
			// Restored: the scribbler is not (another process).
			// The private file mapping must read, whatever byte
			// the rewriter left there (255 included).
			volatile char first = priv[0];
			(void)first;
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
	kill(rewriter, SIGKILL);
	printf("20 checkpoints, every ckpt_wait() %s\n", bad ? "not 0" : "0");
	return 0;
}
