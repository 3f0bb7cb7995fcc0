// Sparse images: 1 GiB mapped, 64 scattered pages touched. The image holds
// about the touched bytes, not the mapping; the restored process has the
// touched pages byte for byte and zeros everywhere else.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %python -c "import os, sys; n = os.path.getsize(sys.argv[1]); \
// RUN:     print('image under 16 MiB' if n < 16 << 20 else 'image %d bytes' % n)" \
// RUN:     %t.ckpt | FileCheck --check-prefix=SIZE %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: checkpoint: 0
// SIZE: image under 16 MiB
// RESTORED: restored: 64 pages as written, the rest zero
#include <stdio.h>
#include <sys/mman.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define LEN (1UL << 30)
#define PAGE 4096UL

int main(int argc, char **argv)
{
	testing_start();
	unsigned char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED || argc != 2)
		return 2;
	for (unsigned long i = 0; i < 64; i++) {
		unsigned long page = testing_value(i) % (LEN / PAGE);
		for (unsigned long k = 0; k < PAGE; k += 512)
			p[page * PAGE + k] = (unsigned char)(i + 1);
	}
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc != 0;
	}
	unsigned long bad = 0;
	for (unsigned long i = 0; i < 64; i++) {
		unsigned long page = testing_value(i) % (LEN / PAGE);
		for (unsigned long k = 0; k < PAGE; k += 512)
			bad += p[page * PAGE + k] != (unsigned char)(i + 1);
		p[page * PAGE] = 0; // so the sweep below finds only zeros
		for (unsigned long k = 512; k < PAGE; k += 512)
			p[page * PAGE + k] = 0;
	}
	for (unsigned long off = 0; off < LEN; off += 64 * PAGE + 512)
		bad += p[off] != 0;
	if (bad)
		printf("restored: %lu bytes differ\n", bad);
	else
		printf("restored: 64 pages as written, the rest zero\n");
	return bad != 0;
}
