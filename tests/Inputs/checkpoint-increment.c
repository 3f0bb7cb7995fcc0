/* A program that checkpoints itself twice with CKPT_INCREMENTAL=1 (it
 * runs itself again with it set): the second image, at the path given, is
 * an increment of the first (its parent, PATH.0), with inherited runs, a
 * region new since the parent and pages dropped in between. A seed for
 * the image fuzzer, so that mutations start from sections 26 and 27.
 * Where the kernel has no tracking (qemu-user), both are full images. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	if (!getenv("CKPT_INCREMENTAL")) {
		setenv("CKPT_INCREMENTAL", "1", 1);
		execv("/proc/self/exe", argv); /* else: two full images */
	}
	const size_t size = 64 << 12;
	char *old = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (old == MAP_FAILED)
		return 2;
	memset(old, 1, size);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 0)
		return rc == 1 ? 0 : 1;
	for (size_t i = 0; i < size; i += 8 << 12)
		old[i] = 2; /* every eighth page written since */
	madvise(old + (16 << 12), 4 << 12, MADV_DONTNEED);
	char *fresh = mmap(NULL, 4 << 12, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh != MAP_FAILED)
		memset(fresh, 3, 4 << 12);
	rc = ckpt_checkpoint(argv[1]);
	if (rc == 1)
		puts("restored");
	else if (rc != 0)
		printf("checkpoint failed: %d\n", rc);
	return rc < 0;
}
