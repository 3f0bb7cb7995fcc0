// CKPT_INTERVAL shorter than a checkpoint does not starve the app: the
// next periodic checkpoint is timed from the end of the last one, so the
// app runs between any two. Here an interval of 1 ms and 48 MiB of
// memory (a checkpoint takes longer than that): the app sees the image
// replaced 5 times and did work between each. Starved, it would never
// get to print (SIGKILL: the checkpoint signal, lower, always comes
// before a SIGTERM).
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_INTERVAL=0.001 CKPT_IMAGE=%t.ckpt timeout -s KILL 30 %run %t %t.ckpt | FileCheck %s
// CHECK: 5 images, work done between each: yes
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "Inputs/testing.h"

#define LEN (48UL << 20)

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	char *data = malloc(LEN);
	memset(data, 1, LEN);
	struct stat st;
	ino_t last = 0;
	unsigned long work = 0, work_at_last = 0;
	int images = 0, worked = 1;
	while (images < 5) {
		work++;
		if (stat(argv[1], &st) != 0 || st.st_ino == last)
			continue;
		if (last) {
			images++;
			worked &= work - work_at_last > 1;
		}
		last = st.st_ino;
		work_at_last = work;
	}
	printf("%d images, work done between each: %s\n", images,
	       worked ? "yes" : "no");
	return 0;
}
