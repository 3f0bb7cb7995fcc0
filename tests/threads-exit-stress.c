// Threads are created and end all the time while checkpoints are taken:
// two spawners create and join short-lived threads one after another, a
// third keeps up to 8 detached ones alive. The main thread takes 20
// checkpoints to DIR/image.N; a thread that ends during one is simply not
// in its image, so every one succeeds, and every image restores: the
// spawners go on creating threads in each restored process.
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

static long spawned, live;

static void *brief(void *arg)
{
	volatile char scratch[4096];
	memset((char *)scratch, (int)(long)arg, sizeof scratch);
	__atomic_add_fetch(&spawned, 1, __ATOMIC_SEQ_CST);
	return NULL;
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

// In a restored process: the spawners must still work.
static int check_restored(int n)
{
	long before = __atomic_load_n(&spawned, __ATOMIC_SEQ_CST);
	double start = testing_now();
	while (__atomic_load_n(&spawned, __ATOMIC_SEQ_CST) < before + 100) {
		TESTING_ASSERT(testing_now() - start < 10,
			       "image %d: %ld threads ran in 10 s", n,
			       spawned - before);
		testing_nap(1);
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
	for (int i = 0; i < 10000 && __atomic_load_n(&spawned,
						      __ATOMIC_SEQ_CST) < 100; i++)
		testing_nap(1);
	TESTING_ASSERT(spawned >= 100, "only %ld threads ran in 10 s", spawned);
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
