// CKPT_INTERVAL with threads: the runtime's timer checkpoints a process of
// four busy threads by itself, and the restored process arms it again and
// checkpoints by itself too (the driver only waits for each new image,
// kills the generation and restores the next). In the last generation
// every thread has seen both restores and its work count is intact.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: env CKPT_INTERVAL=0.3 %drive --timeout 30 --image %t.ckpt --restores 2 \
// RUN:     -- %t | FileCheck %s
//
// CHECK: gen0: signal KILL
// CHECK: gen1: signal KILL
// CHECK-COUNT-4: gen2: thread {{[0-3]}}: 2 restores, count agrees
// CHECK-NEXT: gen2: 4 of 4 threads saw 2 restores
// CHECK-NEXT: gen2: exit 0
#include <pthread.h>

#include "Inputs/testing.h"

#define THREADS 4

static long table[THREADS];
static int stop;

static void *worker(void *arg)
{
	long id = (long)arg;
	long count = 0;
	int restores = 0;
	pid_t pid = getpid();
	double start = testing_now();
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
		if (getpid() != pid) {
			pid = getpid();
			restores++;
		}
		count++;
		__atomic_store_n(&table[id], count, __ATOMIC_RELAXED);
		// Busy between naps: the timer's signal lands anywhere.
		for (volatile int i = 0; i < 20000; i++)
			;
		testing_nap(1);
		if (testing_now() - start > 60)
			break;
	}
	printf("thread %ld: %d restores, count %s\n", id, restores,
	       count == table[id] ? "agrees" : "differs");
	return (void *)(long)(restores == 2 && count == table[id]);
}

int main(void)
{
	testing_start();
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		TESTING_ASSERT(pthread_create(&t[i], NULL, worker, (void *)i)
				       == 0, "thread %ld", i);
	// Until the second restore, then a little longer (bounded: 60 s).
	pid_t pid = getpid();
	int restores = 0;
	double start = testing_now();
	while (restores < 2 && testing_now() - start < 60) {
		testing_nap(10);
		if (getpid() != pid) {
			pid = getpid();
			restores++;
		}
	}
	testing_nap(100);
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	int good = 0;
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		good += ret != NULL;
	}
	printf("%d of %d threads saw 2 restores\n", good, THREADS);
	return good == THREADS ? 0 : 1;
}
