// UNSUPPORTED: emulated
// (qemu-user runs a guest's vfork() as a fork(): the parent goes on.)
// A thread waiting in vfork() for its child (which shares the memory and
// neither execs nor exits) cannot take the checkpoint signal: the
// checkpoint fails within a bound, stderr names that thread's tid, no
// image is written, and every thread goes on once the child exits; then
// a checkpoint succeeds.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: rm -f %t.ckpt %t.later.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.ckpt %t.later.ckpt 2>&1 | FileCheck %s
//
// CHECK: worker: tid [[TID:[0-9]+]], waiting in vfork()
// CHECK-NEXT: ckpt: checkpoint to {{.*}}.ckpt failed: {{(.*[^0-9])?}}[[TID]]{{([^0-9].*)?$}}
// CHECK-NEXT: api: -{{[1-9][0-9]*}} ({{.+}}), image: none
// CHECK-NEXT: child gone; worker goes on: yes, image: none
// CHECK-NEXT: after the child exited: 0
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "Inputs/testing.h"

static pid_t worker_tid;
static volatile pid_t child_pid;
static long progress;

static void *worker(void *arg)
{
	(void)arg;
	__atomic_store_n(&worker_tid, syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	pid_t pid = vfork();
	if (pid == 0) {
		// The child: only raw system calls, then _exit (the parent
		// waits in vfork() meanwhile). Killed by the main thread.
		child_pid = syscall(SYS_getpid);
		struct timespec ts = {30, 0};
		syscall(SYS_nanosleep, &ts, NULL);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	double start = testing_now();
	while (testing_now() - start < 60) {
		__atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
		testing_nap(1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	pthread_t w;
	TESTING_ASSERT(pthread_create(&w, NULL, worker, NULL) == 0, "worker");
	// Until the child runs and the worker waits for it (bounded: 10 s).
	for (int i = 0; i < 10000 && !(child_pid && worker_tid &&
				       testing_thread_state(worker_tid) == 'D'); i++)
		testing_nap(1);
	TESTING_ASSERT(child_pid, "no vfork child");
	printf("worker: tid %d, %s\n", (int)worker_tid,
	       testing_thread_state(worker_tid) == 'D' ? "waiting in vfork()" : "running");

	int rc = ckpt_checkpoint(argv[1]);
	printf("api: %d (%s), image: %s\n", rc, rc < 0 ? strerror(-rc) : "?",
	       access(argv[1], F_OK) == 0 ? "written" : "none");

	kill(child_pid, SIGKILL);
	int goes_on = 0;
	for (int i = 0; i < 5000 && !goes_on; i++) {
		testing_nap(1);
		goes_on = __atomic_load_n(&progress, __ATOMIC_SEQ_CST) > 2;
	}
	testing_nap(200);
	printf("child gone; worker goes on: %s, image: %s\n",
	       goes_on ? "yes" : "no",
	       access(argv[1], F_OK) == 0 ? "written" : "none");

	rc = ckpt_checkpoint(argv[2]);
	if (rc == 1)
		return 0;
	printf("after the child exited: %d\n", rc);
	return 0;
}
