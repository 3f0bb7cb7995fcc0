// The shape of the restored thread group: the main thread is its leader
// (getpid() == gettid() there, and in no worker), /proc/self/task lists
// exactly the app's four threads (under qemu-user, which adds a thread of
// its own, every one of the app's is listed), and glibc's cached tids are
// the new ones: pthread_kill(T, 0) reaches every thread, from the main
// thread and from a worker.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --at '^READY$' --delay 50 -- %t \
// RUN:   | FileCheck %s
//
// CHECK: gen0: READY
// CHECK-NOT: gen0: worker
// CHECK: gen0: signal KILL
// CHECK-DAG: gen1: worker 0: restored, tid is not the pid, main thread reachable
// CHECK-DAG: gen1: worker 1: restored, tid is not the pid, main thread reachable
// CHECK-DAG: gen1: worker 2: restored, tid is not the pid, main thread reachable
// CHECK-DAG: gen1: main: restored, tid == pid
// CHECK: gen1: pthread_kill(worker, 0): 0 0 0
// CHECK-NEXT: gen1: /proc/self/task: the app's 4 threads
// CHECK-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "Inputs/testing.h"

#define WORKERS 3

static pthread_t main_thread, workers[WORKERS];
static pid_t main_tid, new_tids[WORKERS];
static int started, checked;

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void *worker(void *arg)
{
	long k = (long)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	double start = testing_now();
	while (!testing_restored()) {
		if (testing_now() - start > 60)
			return NULL;
		testing_nap(5);
	}
	pid_t tid = gettid_();
	__atomic_store_n(&new_tids[k], tid, __ATOMIC_SEQ_CST);
	int reach = pthread_kill(main_thread, 0);
	printf("worker %ld: restored, tid %s the pid, main thread %s\n", k,
	       tid != getpid() ? "is not" : "IS", reach == 0 ? "reachable"
							   : strerror(reach));
	__atomic_add_fetch(&checked, 1, __ATOMIC_SEQ_CST);
	// Stay until the main thread has listed /proc/self/task.
	while (__atomic_load_n(&checked, __ATOMIC_SEQ_CST) <= WORKERS &&
	       testing_now() - start < 60)
		testing_nap(5);
	return NULL;
}

static int is_app_tid(long tid)
{
	if (tid == main_tid)
		return 1;
	for (int k = 0; k < WORKERS; k++)
		if (tid == new_tids[k])
			return 1;
	return 0;
}

int main(void)
{
	testing_start();
	main_thread = pthread_self();
	for (long k = 0; k < WORKERS; k++)
		TESTING_ASSERT(pthread_create(&workers[k], NULL, worker,
					      (void *)k) == 0, "worker %ld", k);
	for (int i = 0; i < 10000 && __atomic_load_n(&started, __ATOMIC_SEQ_CST)
			< WORKERS; i++)
		testing_nap(1);
	printf("READY\n");
	double start = testing_now();
	while (!testing_restored()) {
		TESTING_ASSERT(testing_now() - start < 60, "no restore in 60 s");
		testing_nap(5);
	}
	main_tid = gettid_();
	printf("main: restored, tid %s pid\n", main_tid == getpid() ? "==" : "!=");
	while (__atomic_load_n(&checked, __ATOMIC_SEQ_CST) < WORKERS) {
		TESTING_ASSERT(testing_now() - start < 60, "workers silent");
		testing_nap(5);
	}
	int r[WORKERS];
	for (int k = 0; k < WORKERS; k++)
		r[k] = pthread_kill(workers[k], 0);
	printf("pthread_kill(worker, 0): %d %d %d\n", r[0], r[1], r[2]);

	int app = 0, other = 0;
	DIR *d = opendir("/proc/self/task");
	TESTING_ASSERT(d, "opendir /proc/self/task");
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			is_app_tid(atol(e->d_name)) ? app++ : other++;
	closedir(d);
	if (app == 1 + WORKERS && (other == 0 || testing_emulated()))
		printf("/proc/self/task: the app's %d threads\n", app);
	else
		printf("/proc/self/task: %d of the app's %d threads, %d others\n",
		       app, 1 + WORKERS, other);
	__atomic_add_fetch(&checked, 1, __ATOMIC_SEQ_CST);
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	for (int k = 0; k < WORKERS; k++)
		TESTING_ASSERT(pthread_timedjoin_np(workers[k], NULL, &deadline)
				       == 0, "worker %d not joined", k);
	return 0;
}
