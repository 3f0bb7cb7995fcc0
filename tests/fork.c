// CKPT_FORK=1: a copy-on-write child writes the image. ckpt_checkpoint()
// returns 0 at once, ckpt_wait() returns 0 when the image is complete,
// the image holds memory as it was at the call (not what the app wrote
// after it), and the app never sees a child of its own.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_FORK=1 %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: checkpoint: 0
// APP-NEXT: wait: 0, image there: yes
// APP-NEXT: children: none
// APP-NEXT: second wait: 0
// RESTORED: restored: value 1, data as at the call
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define LEN (32UL << 20)

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	static volatile int value = 1;
	char *data = malloc(LEN);
	memset(data, 'a', LEN);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 1) {
		size_t bad = 0;
		for (size_t i = 0; i < LEN; i++)
			bad += data[i] != 'a';
		printf("restored: value %d, data %s\n", value,
		       bad ? "changed" : "as at the call");
		return 0;
	}
	// Written while the child may still be writing: not in the image.
	value = 2;
	memset(data, 'b', LEN);
	printf("checkpoint: %d\n", rc);
	int w = ckpt_wait();
	printf("wait: %d, image there: %s\n", w,
	       access(argv[1], R_OK) == 0 ? "yes" : "no");
	int r = waitpid(-1, NULL, WNOHANG | __WALL);
	printf("children: %s\n", r < 0 && errno == ECHILD ? "none" : "some");
	printf("second wait: %d\n", ckpt_wait());
	return 0;
}
