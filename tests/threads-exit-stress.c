// Threads are created and end all the time while checkpoints are taken:
// two spawners create and join short-lived threads one after another, a
// third keeps up to 8 detached ones alive. The main thread takes 20
// checkpoints to DIR/image.N; a thread that ends during one is simply not
// in its image, so every one succeeds, and every image restores: each of
// the three spawners goes on creating threads in each restored process
// (a join of a thread that ended during the checkpoint returns).
// RUN: rm -rf %t.d && mkdir %t.d
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %run %t %t.d | FileCheck --check-prefix=APP %s
// RUN: %python %S/lib/restore_all.py --timeout 20 --run '%run' --restorer %restorer %t.d \
// RUN:   | FileCheck --check-prefix=RESTORED %s
// APP: checkpoints: 20 written, 0 failed
// RESTORED: restored 20 of 20
#include <pthread.h>
#include <string.h>

#include "Inputs/testing.h"

#define IMAGES 20

#define SPAWNERS 3

static long spawned[SPAWNERS], live;

static void *brief(void *arg)
{
	volatile char scratch[4096];
	memset((char *)scratch, (int)(long)arg, sizeof scratch);
	__atomic_add_fetch(&spawned[(long)arg], 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static long count(int i)
{
	return __atomic_load_n(&spawned[i], __ATOMIC_SEQ_CST);
}

// Whether every spawner has had at least n more threads run than in
// before[] (within 10 s).
static int progress(const long *before, long n)
{
	for (int round = 0; round < 10000; round++) {
		int all = 1;
		for (int i = 0; i < SPAWNERS; i++)
			all &= count(i) >= before[i] + n;
		if (all)
			return 1;
		testing_nap(1);
	}
	return 0;
}

static void *brief_detached(void *arg)
{
	brief(arg);
	__atomic_sub_fetch(&live, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *joining_spawner(void *arg)
{
	for (;;) {
		pthread_t t;
		if (pthread_create(&t, NULL, brief, arg) == 0)
			pthread_join(t, NULL);
	}
	return NULL;
}

static void *detaching_spawner(void *arg)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		while (__atomic_load_n(&live, __ATOMIC_SEQ_CST) >= 8)
			sched_yield();
		__atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
		pthread_t t;
		if (pthread_create(&t, &attr, brief_detached, arg) != 0)
			__atomic_sub_fetch(&live, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

// In a restored process: every spawner must still work.
static int check_restored(int n)
{
	long before[SPAWNERS];
	for (int i = 0; i < SPAWNERS; i++)
		before[i] = count(i);
	if (!progress(before, 30)) {
		printf("image %d: threads run in 10 s by each spawner:", n);
		for (int i = 0; i < SPAWNERS; i++)
			printf(" %ld", count(i) - before[i]);
		printf("\n");
		return 1;
	}
	printf("image %d ok\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	pthread_t t;
	for (long i = 0; i < 2; i++)
		TESTING_ASSERT(pthread_create(&t, NULL, joining_spawner,
					      (void *)i) == 0, "spawner %ld", i);
	TESTING_ASSERT(pthread_create(&t, NULL, detaching_spawner,
				      (void *)2L) == 0, "detaching spawner");
	long none[SPAWNERS] = {0};
	TESTING_ASSERT(progress(none, 30), "the spawners are slow to start");
	int written = 0, failed = 0;
	for (int n = 0; n < IMAGES; n++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/image.%d", argv[1], n);
		int rc = ckpt_checkpoint(path);
		if (rc == 1)
			return check_restored(n);
		if (rc == 0)
			written++;
		else
			failed++, printf("checkpoint %d failed: %d\n", n, rc);
		testing_nap(5);
	}
	printf("checkpoints: %d written, %d failed\n", written, failed);
	return 0;
}
