// ckpt_wait() cannot wait for ever on a writer that died: here the app is
// a child subreaper, so the killed writer stays its zombie (kill(pid, 0)
// still finds it) and is never reaped. ckpt_wait() returns an error, and
// the earlier image is left as it was.
// qemu-user 7.2 refuses PR_SET_CHILD_SUBREAPER (EINVAL), so no zombie
// writer can be made there; pidfd_open and ppoll, which ckpt_wait() uses,
// do work under it (checked by hand: a killed child's pidfd polls
// readable).
// UNSUPPORTED: aarch64
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_FORK=1 timeout -s KILL 60 %run %t %t.ckpt | FileCheck %s
// CHECK: first: 0 0
// CHECK-NEXT: writer killed
// CHECK-NEXT: wait: error, image as before: yes
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "Inputs/testing.h"

#define LEN (256UL << 20)

// The writer: our only child once the intermediate one is gone.
static pid_t find_child(void)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(),
		 (int)getpid());
	for (int i = 0; i < 10000; i++) {
		FILE *f = fopen(path, "r");
		int pid = 0;
		if (f && fscanf(f, "%d", &pid) != 1)
			pid = 0;
		if (f)
			fclose(f);
		if (pid > 0)
			return pid;
		testing_nap(1);
	}
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2 || prctl(PR_SET_CHILD_SUBREAPER, 1))
		return 2;
	int rc = ckpt_checkpoint(argv[1]);
	printf("first: %d %d\n", rc, ckpt_wait());
	waitpid(-1, NULL, 0); // its writer, ours as we are the subreaper
	struct stat before, after;
	stat(argv[1], &before);
	char *data = malloc(LEN);
	memset(data, 1, LEN);
	if (ckpt_checkpoint(argv[1]) != 0)
		return 1;
	pid_t writer = find_child();
	if (writer <= 0 || kill(writer, SIGKILL))
		return 1;
	printf("writer killed\n");
	int w = ckpt_wait();
	stat(argv[1], &after);
	printf("wait: %s, image as before: %s\n", w < 0 ? "error" : "0",
	       before.st_ino == after.st_ino ? "yes" : "no");
	return 0;
}
