// CKPT_INCREMENTAL=1: 20 checkpoints, the first full and each later one
// storing only the pages written since the one before, make a chain that
// restores byte-exact from its newest image (20 images), from the fifth
// (5) and from the first (1), eagerly and lazily. Between checkpoints the
// app writes some pages, drops some (MADV_DONTNEED: they must come back
// zero, not the parent's), maps a region anew (munmap + mmap: its pages
// are all new) and moves one (mremap). An increment is small: the 20th
// image stores less than a tenth of the first's bytes.
// REQUIRES: native-run
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt %t.ckpt.*
// RUN: env CKPT_INCREMENTAL=1 CKPT_FULL_EVERY=19 %run %t %t.ckpt 20 \
// RUN:   | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=LAST %s
// RUN: %run %restorer --lazy %t.ckpt | FileCheck --check-prefix=LAST %s
// RUN: %run %restorer %t.ckpt.4 | FileCheck --check-prefix=FIFTH %s
// RUN: %run %restorer --lazy %t.ckpt.4 | FileCheck --check-prefix=FIFTH %s
// RUN: %run %restorer %t.ckpt.0 | FileCheck --check-prefix=FIRST %s
// RUN: %run %restorer --lazy %t.ckpt.0 | FileCheck --check-prefix=FIRST %s
// RUN: %python -c "import os, sys; a, b = map(os.path.getsize, sys.argv[1:]); \
// RUN:   print('ratio below 0.1' if b < a / 10 else 'ratio %%.3f' %% (b / a))" \
// RUN:   %t.ckpt.0 %t.ckpt | FileCheck --check-prefix=SIZE %s
//
// APP: checkpoints: 20, all 0
// LAST: restored at step 19: memory intact
// FIFTH: restored at step 4: memory intact
// FIRST: restored at step 0: memory intact
// SIZE: ratio below 0.1
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define PAGES 2048
#define PAGE 4096
#define FRESH 16

struct state {
	unsigned char *big;   // PAGES pages
	unsigned char *fresh; // FRESH pages, mapped anew now and then
	unsigned char *moved; // FRESH pages, moved now and then
};

static struct state live;

static void fill(unsigned char *p, unsigned long long seed)
{
	unsigned long long *w = (unsigned long long *)p;
	for (int i = 0; i < PAGE / 8; i++)
		w[i] = testing_value(seed * 1000 + i);
}

// What step s does to memory: the same in the app and in a replay.
static void step(struct state *m, int s, int remap)
{
	for (int j = 0; j < 12; j++)
		fill(m->big + (size_t)((s * 7 + j * 131) % PAGES) * PAGE,
		     s * 100 + j);
	if (s % 4 == 2)
		madvise(m->big + (size_t)((s * 3) % (PAGES - 2)) * PAGE,
			2 * PAGE, MADV_DONTNEED);
	if (s % 3 == 1) {
		if (remap) {
			munmap(m->fresh, FRESH * PAGE);
			m->fresh = mmap(NULL, FRESH * PAGE,
					PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		} else {
			memset(m->fresh, 0, FRESH * PAGE);
		}
		fill(m->fresh + (s % FRESH) * PAGE, s + 7);
	}
	if (s % 5 == 3 && remap) {
		void *to = mmap(NULL, FRESH * PAGE, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		m->moved = mremap(m->moved, FRESH * PAGE, FRESH * PAGE,
				  MREMAP_MAYMOVE | MREMAP_FIXED, to);
	}
	fill(m->moved + (s % FRESH) * PAGE, s + 11);
}

static struct state make(void)
{
	struct state m;
	m.big = mmap(NULL, (size_t)PAGES * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m.fresh = mmap(NULL, FRESH * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m.moved = mmap(NULL, FRESH * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int p = 0; p < PAGES; p++)
		fill(m.big + (size_t)p * PAGE, 1000000 + p);
	return m;
}

static int check(int s)
{
	struct state want = make();
	for (int k = 0; k <= s; k++)
		step(&want, k, 0);
	for (int p = 0; p < PAGES; p++) {
		if (memcmp(live.big + (size_t)p * PAGE,
			   want.big + (size_t)p * PAGE, PAGE)) {
			printf("restored at step %d: page %d differs\n", s, p);
			return 1;
		}
	}
	if (memcmp(live.fresh, want.fresh, FRESH * PAGE) ||
	    memcmp(live.moved, want.moved, FRESH * PAGE)) {
		printf("restored at step %d: the remapped regions differ\n", s);
		return 1;
	}
	printf("restored at step %d: memory intact\n", s);
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	const int n = atoi(argv[2]);
	live = make();
	int failed = 0;
	for (int s = 0; s < n; s++) {
		step(&live, s, 1);
		int rc = ckpt_checkpoint(argv[1]);
		if (rc == 1)
			return check(s);
		failed |= rc != 0;
	}
	printf("checkpoints: %d, all %d\n", n, failed);
	return failed;
}
