// Two producers and two consumers share a bounded queue under a mutex and
// two condition variables (not full, not empty); the checkpoint signal
// lands mid-run, when some threads wait on a condition variable and one
// may hold the mutex. After the restore every item is consumed exactly
// once: each thread reports from its own thread, and the totals match.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --at '^produced 200$' -- %t \
// RUN:   | FileCheck %s
//
// CHECK: gen0: produced 200
// CHECK-NOT: gen0: {{producer|consumer}}
// CHECK: gen0: signal KILL
// CHECK-DAG: gen1: producer 0: done, some items after the restore
// CHECK-DAG: gen1: producer 1: done, some items after the restore
// CHECK-DAG: gen1: consumer 0: done
// CHECK-DAG: gen1: consumer 1: done
// CHECK: gen1: consumed 1000 of 1000 items, each once, sum 500500
// CHECK-NEXT: gen1: exit 0
#include <pthread.h>
#include <string.h>

#include "Inputs/testing.h"

#define ITEMS 1000 // values 1..ITEMS, half from each producer
#define SLOTS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int queue[SLOTS], head, count, producing = 2, produced;
static unsigned char seen[ITEMS + 1];
static long sum;
static int consumed, duplicates;

static void *producer(void *arg)
{
	int id = (int)(long)arg, after = 0;
	for (int v = 1 + id; v <= ITEMS; v += 2) {
		testing_nap(1);
		pthread_mutex_lock(&lock);
		while (count == SLOTS)
			pthread_cond_wait(&not_full, &lock);
		queue[(head + count++) % SLOTS] = v;
		if (++produced == 200)
			printf("produced 200\n");
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&lock);
		after += testing_restored();
	}
	pthread_mutex_lock(&lock);
	producing--;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&lock);
	printf("producer %d: done, %s items after the restore\n", id,
	       after ? "some" : "no");
	return NULL;
}

static void *consumer(void *arg)
{
	int id = (int)(long)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (count == 0 && producing)
			pthread_cond_wait(&not_empty, &lock);
		if (count == 0)
			break;
		int v = queue[head];
		head = (head + 1) % SLOTS;
		count--;
		pthread_cond_signal(&not_full);
		if (v < 1 || v > ITEMS || seen[v]++)
			duplicates++;
		sum += v;
		consumed++;
	}
	pthread_mutex_unlock(&lock);
	printf("consumer %d: done\n", id);
	return NULL;
}

int main(void)
{
	testing_start();
	pthread_t p[2], c[2];
	for (long i = 0; i < 2; i++) {
		TESTING_ASSERT(pthread_create(&c[i], NULL, consumer, (void *)i)
				       == 0, "no consumer %ld", i);
		TESTING_ASSERT(pthread_create(&p[i], NULL, producer, (void *)i)
				       == 0, "no producer %ld", i);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(p[i], NULL);
		pthread_join(c[i], NULL);
	}
	int missing = 0;
	for (int v = 1; v <= ITEMS; v++)
		missing += !seen[v];
	printf("consumed %d of %d items, %s, sum %ld\n", consumed, ITEMS,
	       missing || duplicates ? "some lost or twice" : "each once", sum);
	return 0;
}
