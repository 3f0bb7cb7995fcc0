// restorer --info of a 3-thread image lists the three threads, each on a
// line of its own with its tid, and marks the group leader (the main
// thread) as such; no other thread is marked. Under qemu-user, qemu's own
// thread is not one of them.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: rm -f %t.ckpt
// RUN: %run %t %t.ckpt > %t.out
// RUN: %run %restorer --info %t.ckpt >> %t.out
// RUN: FileCheck %s < %t.out
// RUN: %run %restorer --info %t.ckpt | grep -cE '^ *thread [0-9]+.*leader' \
// RUN:   | FileCheck --check-prefix=LEADERS %s
//
// CHECK: leader: tid [[LEADER:[0-9]+]]
// CHECK-NEXT: worker: tid [[W1:[0-9]+]]
// CHECK-NEXT: worker: tid [[W2:[0-9]+]]
// CHECK-NEXT: checkpoint: 0
// CHECK: threads: 3
// CHECK-DAG: {{^ *}}thread [[LEADER]] group leader taker: context 0x{{[0-9a-f]+}}, frame none, mask 0x{{[0-9a-f]+}}, altstack {{.*}}, tid address 0x{{[0-9a-f]+}}
// CHECK-DAG: {{^ *}}thread [[W1]]: context 0x{{[0-9a-f]+}}, frame 0x{{[0-9a-f]+}}, mask 0x{{[0-9a-f]+}}, altstack {{.*}}, tid address 0x{{[0-9a-f]+}}
// CHECK-DAG: {{^ *}}thread [[W2]]: context 0x{{[0-9a-f]+}}, frame 0x{{[0-9a-f]+}}, mask 0x{{[0-9a-f]+}}, altstack {{.*}}, tid address 0x{{[0-9a-f]+}}
//
// LEADERS: {{^1$}}
#include <pthread.h>
#include <sys/syscall.h>

#include "Inputs/testing.h"

static pid_t tids[2];

static void *worker(void *arg)
{
	long i = (long)arg;
	__atomic_store_n(&tids[i], syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	double start = testing_now();
	while (!testing_restored() && testing_now() - start < 60)
		testing_nap(5);
	return NULL;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	pthread_t t;
	for (long i = 0; i < 2; i++)
		TESTING_ASSERT(pthread_create(&t, NULL, worker, (void *)i) == 0,
			       "thread %ld", i);
	for (int i = 0; i < 10000 && !(__atomic_load_n(&tids[0], __ATOMIC_SEQ_CST)
				       && __atomic_load_n(&tids[1], __ATOMIC_SEQ_CST));
	     i++)
		testing_nap(1);
	printf("leader: tid %d\n", (int)syscall(SYS_gettid));
	printf("worker: tid %d\n", (int)tids[0]);
	printf("worker: tid %d\n", (int)tids[1]);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 1)
		return 0;
	printf("checkpoint: %d\n", rc);
	return rc == 0 ? 0 : 1;
}
