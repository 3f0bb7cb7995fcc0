// The forked writer holds none of the app's pipes: when the app closes its
// end of a pipe during a forked checkpoint, the reader at the other end
// sees EOF at once, while the (large) image is still being written.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_FORK=1 timeout -s KILL 60 %run %t %t.ckpt | FileCheck %s
// CHECK: reader saw EOF; image already written: no
// CHECK-NEXT: wait: 0, image there: yes
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "Inputs/testing.h"

#define LEN (384UL << 20)

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	char *data = malloc(LEN);
	memset(data, 1, LEN);
	int p[2];
	if (pipe(p))
		return 2;
	pid_t reader = fork();
	if (reader == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	if (ckpt_checkpoint(argv[1]) != 0)
		return 1;
	close(p[1]);
	waitpid(reader, NULL, 0);
	printf("reader saw EOF; image already written: %s\n",
	       access(argv[1], F_OK) == 0 ? "yes" : "no");
	int w = ckpt_wait();
	printf("wait: %d, image there: %s\n", w,
	       access(argv[1], F_OK) == 0 ? "yes" : "no");
	return 0;
}
