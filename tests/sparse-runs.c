// A region touched in thousands of single pages, none beside another
// (3000 runs: the writer's vectored writes and the restorer's vectored
// reads split them into batches of at most 1024), and a shared region
// of 600 KiB (copied through the writer's staging buffer, across batch
// boundaries): restored byte for byte, eagerly and lazily, with zeros
// in every hole.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// RUN: %run %restorer --lazy %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: checkpoint: 0
// RESTORED: restored: 3000 pages and the shared region as written, the rest zero
#include <stdio.h>
#include <sys/mman.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define LEN (1UL << 30)
#define PAGE 4096UL
#define PAGES 3000UL
#define SHARED (600UL << 10)
#define WORDS (PAGE / 8)

// Page i of the sparse region: one in each 64, never next to another.
static unsigned long page_of(unsigned long i)
{
	return i * 64 + testing_value(i) % 63;
}

int main(int argc, char **argv)
{
	testing_start();
	unsigned long long *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS |
					     MAP_NORESERVE, -1, 0);
	unsigned long long *s = mmap(NULL, SHARED, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || s == MAP_FAILED || argc != 2)
		return 2;
	for (unsigned long i = 0; i < PAGES; i++)
		for (unsigned long k = 0; k < WORDS; k++)
			p[page_of(i) * WORDS + k] = testing_value(i * WORDS + k);
	for (unsigned long k = 0; k < SHARED / 8; k++)
		s[k] = ~testing_value(k);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc != 0;
	}
	unsigned long bad = 0;
	for (unsigned long i = 0; i < PAGES; i++) {
		unsigned long long *q = p + page_of(i) * WORDS;
		for (unsigned long k = 0; k < WORDS; k++) {
			bad += q[k] != testing_value(i * WORDS + k);
			q[k] = 0; // so the sweep below finds only zeros
		}
	}
	for (unsigned long k = 0; k < SHARED / 8; k++)
		bad += s[k] != ~testing_value(k);
	// A word of every page: the holes read as zeros.
	for (unsigned long off = 0; off < LEN / 8; off += WORDS)
		bad += p[off + off / WORDS % WORDS] != 0;
	if (bad)
		printf("restored: %lu words differ\n", bad);
	else
		printf("restored: %lu pages and the shared region as written, "
		       "the rest zero\n", PAGES);
	return bad != 0;
}
