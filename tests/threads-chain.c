// A 16-thread app goes through three checkpoint/restore generations in a
// chain, each checkpoint by the signal at a later tick of the main
// thread: a restored multi-threaded process checkpoints again. Every
// thread counts its own work in its stack, its thread-local storage and a
// shared table, sees every restore, and at the end checks that the three
// agree, from its own thread.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --restores 3 --at '^tick 2$' \
// RUN:     --at '^tick 5$' --at '^tick 8$' -- %t | FileCheck %s
//
// CHECK: gen0: tick 2
// CHECK: gen0: signal KILL
// CHECK-NOT: gen1: tick {{[0-2]$}}
// CHECK: gen1: tick 5
// CHECK: gen1: signal KILL
// CHECK-NOT: gen2: tick {{[0-5]$}}
// CHECK: gen2: tick 8
// CHECK: gen2: signal KILL
// CHECK-NOT: gen3: tick {{[0-8]$}}
// CHECK: gen3: tick 11
// CHECK-COUNT-16: gen3: thread {{[0-9]+}}: 3 restores, count agrees
// CHECK-NEXT: gen3: 16 of 16 threads saw 3 restores; the main thread saw 3
// CHECK-NEXT: gen3: exit 0
#include <pthread.h>

#include "Inputs/testing.h"

#define THREADS 16
#define TICKS 12

static long table[THREADS];
static __thread long tls_count;
static int stop;

static void *worker(void *arg)
{
	long id = (long)arg;
	long count = 0;
	int restores = 0;
	pid_t pid = getpid();
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
		if (getpid() != pid) { // a new generation
			pid = getpid();
			restores++;
		}
		count++;
		tls_count++;
		__atomic_store_n(&table[id], count, __ATOMIC_RELAXED);
		testing_nap(2);
	}
	int agrees = count == tls_count && count == table[id];
	printf("thread %ld: %d restores, count %s\n", id, restores,
	       agrees ? "agrees" : "differs");
	return (void *)(long)(restores == 3 && agrees);
}

int main(void)
{
	testing_start();
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		TESTING_ASSERT(pthread_create(&t[i], NULL, worker, (void *)i)
				       == 0, "thread %ld", i);
	pid_t pid = getpid();
	int restores = 0;
	for (int tick = 0; tick < TICKS; tick++) {
		if (getpid() != pid) {
			pid = getpid();
			restores++;
		}
		printf("tick %d\n", tick);
		testing_nap(100);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	int good = 0;
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		good += ret != NULL;
	}
	printf("%d of %d threads saw 3 restores; the main thread saw %d\n", good,
	       THREADS, restores);
	return good == THREADS && restores == 3 ? 0 : 1;
}
