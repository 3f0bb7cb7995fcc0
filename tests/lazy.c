// restorer --lazy maps region data straight from the image: the restored
// process sees exactly the memory it had (heap, mmap'd, read-only and
// PROT_NONE regions), can write it, and can checkpoint again; that second
// image restores (eagerly and lazily) with the changes made after the
// lazy restore.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.1.ckpt %t.2.ckpt
// RUN: %run %t %t.1.ckpt %t.2.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer --lazy %t.1.ckpt | FileCheck --check-prefix=LAZY %s
// RUN: %run %restorer %t.2.ckpt | FileCheck --check-prefix=SECOND %s
// RUN: %run %restorer --lazy %t.2.ckpt | FileCheck --check-prefix=SECOND %s
// APP: first checkpoint: 0
// LAZY: restored from the first image: memory intact
// LAZY-NEXT: second checkpoint: 0
// SECOND: restored from the second image: changes there, memory intact
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define BIG (8UL << 20)

static unsigned long long *heap, *big, *ro, *none;

static unsigned long long sum(const unsigned long long *p, size_t n)
{
	unsigned long long s = 0;
	for (size_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

static unsigned long long all_sums(void)
{
	mprotect(none, 8192, PROT_READ);
	unsigned long long s = sum(heap, 512) ^ sum(big, BIG / 8) ^
			       sum(ro, 1024) ^ (sum(none, 1024) << 1);
	mprotect(none, 8192, PROT_NONE);
	return s;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	heap = malloc(4096);
	big = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < 512; i++)
		heap[i] = testing_value(i);
	for (size_t i = 0; i < BIG / 8; i++)
		big[i] = testing_value(i + 1000);
	for (size_t i = 0; i < 1024; i++) {
		ro[i] = testing_value(i + 7);
		none[i] = testing_value(i + 9);
	}
	mprotect(ro, 8192, PROT_READ);
	mprotect(none, 8192, PROT_NONE);
	const unsigned long long want = all_sums();

	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("first checkpoint: %d\n", rc);
		return rc != 0;
	}
	printf("restored from the first image: memory %s\n",
	       all_sums() == want ? "intact" : "differs");
	// Written after a lazy restore: copy-on-write pages of the image.
	big[12345] = 42;
	heap[7] = 43;
	rc = ckpt_checkpoint(argv[2]);
	if (rc != 1) {
		printf("second checkpoint: %d\n", rc);
		return rc != 0;
	}
	int changes = big[12345] == 42 && heap[7] == 43;
	big[12345] = testing_value(12345 + 1000);
	heap[7] = testing_value(7);
	printf("restored from the second image: changes %s, memory %s\n",
	       changes ? "there" : "missing",
	       all_sums() == want ? "intact" : "differs");
	return 0;
}
