// The settings are read from an environment of any size: with 200 KiB of
// other variables before it, CKPT_IMAGE still names the image.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.custom %t.ckpt
// RUN: env BIG1=$(%python -c "print('x' * 100000)") \
// RUN:     BIG2=$(%python -c "print('y' * 100000)") CKPT_IMAGE=%t.custom \
// RUN:     %run %t %t.custom | FileCheck %s
// CHECK: checkpoint: 0, image at CKPT_IMAGE: yes
#include <stdio.h>
#include <unistd.h>

#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	int rc = ckpt_checkpoint(NULL);
	printf("checkpoint: %d, image at CKPT_IMAGE: %s\n", rc,
	       access(argv[1], R_OK) == 0 ? "yes" : "no");
	return 0;
}
