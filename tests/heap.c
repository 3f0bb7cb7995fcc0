// malloc after a restore: chunks allocated before the checkpoint (small
// ones from the brk heap, large ones mmap'd by malloc) keep their data and
// can be freed and reallocated; new small and large allocations work and
// the memory is usable. Restored twice: once with the mm fields (brk) set
// by the restorer, once with --no-set-mm, where malloc must cope with a
// foreign break. The same for a static non-PIE app, whose heap lies below
// the restorer's break (glibc must not take that break for its own).
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
// RUN: %run %restorer --no-set-mm %t.ckpt | FileCheck --check-prefix=NOMM %s
// RUN: %cc -static -no-pie %s %runtime -o %t.static
// RUN: %drive --image %t.static.ckpt --no-kill -- %t.static | FileCheck %s
// RUN: %run %restorer --no-set-mm %t.static.ckpt | FileCheck --check-prefix=NOMM %s
//
// CHECK: gen0: allocated
// CHECK-NEXT: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: old chunks intact
// CHECK-NEXT: gen1: old chunks freed and reallocated
// CHECK-NEXT: gen1: new small chunks ok
// CHECK-NEXT: gen1: new large chunks ok
// CHECK-NEXT: gen1: exit 0
// NOMM: restored
// NOMM-NEXT: old chunks intact
// NOMM-NEXT: old chunks freed and reallocated
// NOMM-NEXT: new small chunks ok
// NOMM-NEXT: new large chunks ok
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define SMALL 300
#define LARGE 3

static unsigned char *small[SMALL];
static size_t small_size[SMALL];
static unsigned char *large[LARGE];
static const size_t large_size[LARGE] = {200 << 10, 1 << 20, 4 << 20};

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 12));
}

static int intact(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed * 31 + i * 7 + (i >> 12)))
			return 0;
	return 1;
}

// Allocates count chunks of size bytes, fills, checks and frees them.
static void churn(size_t count, size_t size, unsigned seed)
{
	unsigned char **p = malloc(count * sizeof *p);
	TESTING_ASSERT(p, "malloc of the pointer array");
	for (size_t i = 0; i < count; i++) {
		p[i] = malloc(size);
		TESTING_ASSERT(p[i], "malloc(%zu) #%zu", size, i);
		fill(p[i], size, seed + i);
	}
	for (size_t i = 0; i < count; i++) {
		TESTING_ASSERT(intact(p[i], size, seed + i),
			       "new chunk #%zu of %zu bytes", i, size);
		free(p[i]);
	}
	free(p);
}

int main(void)
{
	testing_start();
	for (int i = 0; i < SMALL; i++) {
		small_size[i] = 16 + (size_t)i * 24;
		small[i] = malloc(small_size[i]);
		fill(small[i], small_size[i], i);
	}
	for (int i = 0; i < SMALL; i += 3) { // holes in the free lists
		free(small[i]);
		small[i] = NULL;
	}
	for (int i = 0; i < LARGE; i++) {
		large[i] = malloc(large_size[i]);
		fill(large[i], large_size[i], 1000 + i);
	}
	printf("allocated\n");

	testing_checkpoint_or_exit();
	for (int i = 0; i < SMALL; i++)
		if (small[i])
			TESTING_ASSERT(intact(small[i], small_size[i], i),
				       "small chunk %d", i);
	for (int i = 0; i < LARGE; i++)
		TESTING_ASSERT(intact(large[i], large_size[i], 1000 + i),
			       "large chunk %d", i);
	printf("old chunks intact\n");

	for (int i = 0; i < SMALL; i++) {
		free(small[i]);
		small[i] = malloc(small_size[i]);
		TESTING_ASSERT(small[i], "malloc of small chunk %d again", i);
		fill(small[i], small_size[i], 2000 + i);
	}
	for (int i = 0; i < LARGE; i++) {
		large[i] = realloc(large[i], large_size[i] * 2);
		TESTING_ASSERT(large[i], "realloc of large chunk %d", i);
		TESTING_ASSERT(intact(large[i], large_size[i], 1000 + i),
			       "large chunk %d after realloc", i);
		free(large[i]);
	}
	for (int i = 0; i < SMALL; i++)
		TESTING_ASSERT(intact(small[i], small_size[i], 2000 + i),
			       "small chunk %d reallocated", i);
	printf("old chunks freed and reallocated\n");

	// 16 MiB in 4 KiB chunks: the heap must grow past where it ended.
	churn(4096, 4096, 3000);
	printf("new small chunks ok\n");
	churn(4, 8 << 20, 4000);
	printf("new large chunks ok\n");
	return 0;
}
