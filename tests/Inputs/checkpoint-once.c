/* Writes one image to argv[1] and exits: a seed for tests that only need
 * a real image. A restore of it prints "restored". */
#include <stdio.h>

#include "ckpt.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 1)
		puts("restored");
	else if (rc != 0)
		printf("checkpoint failed: %d\n", rc);
	return rc < 0;
}
