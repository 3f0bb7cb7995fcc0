// CKPT_INCREMENTAL=1 in a process that forks: the child has none of the
// parent's write-protection (userfaultfd registrations are not inherited),
// so its first image is a full one, while the parent's chain goes on
// (depth 2 after the fork). Both restore byte-exact, and neither image
// holds the runtime's userfaultfd (no warning about a descriptor).
// REQUIRES: native-run
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_INCREMENTAL=1 %run %t %t.d/parent.ckpt %t.d/child.ckpt 2>&1 \
// RUN:   | FileCheck --check-prefix=APP %s
// RUN: %run %restorer --info %t.d/parent.ckpt | FileCheck --check-prefix=PINFO %s
// RUN: %run %restorer --info %t.d/child.ckpt | FileCheck --check-prefix=CINFO %s
// RUN: %run %restorer %t.d/parent.ckpt 2>&1 | FileCheck --check-prefix=PARENT %s
// RUN: %run %restorer %t.d/child.ckpt 2>&1 | FileCheck --check-prefix=CHILD %s
//
// APP: child: checkpoint 0
// APP: parent: checkpoints 0 0 0
// PINFO: parent: parent.ckpt.1, depth 2
// CINFO-NOT: parent:
// PARENT-NOT: fd
// PARENT: parent restored: memory intact
// CHILD-NOT: fd
// CHILD: child restored: memory intact
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define PAGES 64
#define PAGE 4096

static unsigned char *mem;

static void put(int page, int v)
{
	memset(mem + page * PAGE, v, PAGE);
}

// Each page holds its expected byte: want[p].
static int intact(const unsigned char *want)
{
	for (int p = 0; p < PAGES; p++)
		for (int i = 0; i < PAGE; i++)
			if (mem[p * PAGE + i] != want[p])
				return 0;
	return 1;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	mem = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char want[PAGES];
	for (int p = 0; p < PAGES; p++)
		put(p, want[p] = (unsigned char)(p + 1));
	int a = ckpt_checkpoint(argv[1]); // full
	put(1, want[1] = 101);
	int b = ckpt_checkpoint(argv[1]); // depth 1
	pid_t pid = fork();
	if (pid == 0) {
		put(2, want[2] = 102);
		int rc = ckpt_checkpoint(argv[2]);
		if (rc == 1) {
			printf("child restored: memory %s\n",
			       intact(want) ? "intact" : "differs");
			return 0;
		}
		printf("child: checkpoint %d\n", rc);
		return rc;
	}
	int status;
	waitpid(pid, &status, 0);
	put(3, want[3] = 103);
	int c = ckpt_checkpoint(argv[1]); // depth 2
	if (c == 1) {
		printf("parent restored: memory %s\n",
		       intact(want) ? "intact" : "differs");
		return 0;
	}
	printf("parent: checkpoints %d %d %d\n", a, b, c);
	return 0;
}
