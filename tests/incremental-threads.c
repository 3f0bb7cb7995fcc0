// CKPT_INCREMENTAL=1 with threads that write all the time: any thread's
// writes count (the kernel resolves each write fault itself, whichever
// thread takes it), so each increment holds every page written since the
// one before. Four threads each keep a table and, beside it, the sum of
// its entries, updated with every write; the main thread takes six
// checkpoints meanwhile. Restored from the newest (a chain of six), every
// thread finds its sum equal to its table's.
// REQUIRES: native-run
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_INCREMENTAL=1 %run %t %t.d/a.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer --info %t.d/a.ckpt | FileCheck --check-prefix=INFO %s
// RUN: %run %restorer %t.d/a.ckpt | FileCheck --check-prefix=BACK %s
// RUN: %run %restorer --lazy %t.d/a.ckpt | FileCheck --check-prefix=BACK %s
//
// APP: checkpoints: 0 0 0 0 0 0
// INFO: parent: a.ckpt.4, depth 5
// BACK: restored: 4 threads, every table agrees with its sum
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define THREADS 4
#define ENTRIES (256 * 1024) // 2 MiB of each thread's, 512 pages

struct table {
	unsigned long long v[ENTRIES];
	unsigned long long sum;
};

static struct table tables[THREADS];
static volatile int stop, check;
static int agree[THREADS];

static void *worker(void *arg)
{
	struct table *t = &tables[(long)arg];
	unsigned long long n = (long)arg * 1000003;
	while (!stop) {
		// A few pages of it, far apart, each time round.
		for (int k = 0; k < 8; k++) {
			size_t i = (size_t)(testing_value(n++) % ENTRIES);
			unsigned long long x = testing_value(n);
			t->sum += x - t->v[i];
			t->v[i] = x;
		}
		if (check) {
			unsigned long long s = 0;
			for (size_t i = 0; i < ENTRIES; i++)
				s += t->v[i];
			agree[(long)arg] = s == t->sum;
			return NULL;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	pthread_t th[THREADS];
	for (long i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	int rc[6];
	for (int s = 0; s < 6; s++) {
		testing_nap(20);
		rc[s] = ckpt_checkpoint(argv[1]);
		if (rc[s] == 1) {
			check = 1;
			int n = 0;
			for (int i = 0; i < THREADS; i++) {
				pthread_join(th[i], NULL);
				n += agree[i];
			}
			printf("restored: %d threads, %s\n", THREADS,
			       n == THREADS ? "every table agrees with its sum"
					    : "a table differs from its sum");
			return n != THREADS;
		}
	}
	stop = 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	printf("checkpoints: %d %d %d %d %d %d\n", rc[0], rc[1], rc[2], rc[3],
	       rc[4], rc[5]);
	return 0;
}
