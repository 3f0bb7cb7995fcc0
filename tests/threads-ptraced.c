// UNSUPPORTED: emulated
// (qemu-user implements no ptrace() for its guests.)
// A thread held in a ptrace stop cannot run the checkpoint signal's
// handler: a checkpoint fails cleanly within a bound, stderr names that
// thread's tid, no image is written (neither then nor when the tracer
// lets the thread go), every thread goes on, and a checkpoint succeeds.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: rm -f %t.ckpt %t.later.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.ckpt %t.later.ckpt 2>&1 | FileCheck %s
//
// CHECK: worker: tid [[TID:[0-9]+]], ptrace-stopped
// CHECK-NEXT: ckpt: checkpoint to {{.*}}.ckpt failed: {{(.*[^0-9])?}}[[TID]]{{([^0-9].*)?$}}
// CHECK-NEXT: api: -{{[1-9][0-9]*}} ({{.+}}), image: none
// CHECK-NEXT: tracer gone; worker goes on: yes, image: none
// CHECK-NEXT: after the tracer let go: 0
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "Inputs/testing.h"

static pid_t worker_tid;
static long progress;

static void *worker(void *arg)
{
	(void)arg;
	__atomic_store_n(&worker_tid, syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	double start = testing_now();
	while (testing_now() - start < 60) {
		__atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
		testing_nap(1);
	}
	return NULL;
}

// The tracer: seizes and stops the worker, says so, and detaches when
// told to (or when the app ends).
static void tracer(int to_app, int from_app)
{
	char c = 0;
	if (ptrace(PTRACE_SEIZE, worker_tid, 0, 0) == 0 &&
	    ptrace(PTRACE_INTERRUPT, worker_tid, 0, 0) == 0 &&
	    waitpid(worker_tid, NULL, __WALL) == worker_tid)
		c = 1;
	write(to_app, &c, 1);
	read(from_app, &c, 1);
	ptrace(PTRACE_DETACH, worker_tid, 0, 0);
	_exit(0);
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	pthread_t w;
	TESTING_ASSERT(pthread_create(&w, NULL, worker, NULL) == 0, "worker");
	for (int i = 0; i < 10000 && !__atomic_load_n(&worker_tid,
						      __ATOMIC_SEQ_CST); i++)
		testing_nap(1);
	int up[2], down[2];
	TESTING_ASSERT(pipe(up) == 0 && pipe(down) == 0, "pipe");
	pid_t helper = fork();
	if (helper == 0)
		tracer(up[1], down[0]);
	TESTING_ASSERT(helper > 0, "fork");
	char ok = 0;
	TESTING_ASSERT(read(up[0], &ok, 1) == 1 && ok, "the tracer failed");
	printf("worker: tid %d, %s\n", (int)worker_tid,
	       testing_thread_state(worker_tid) == 't' ? "ptrace-stopped" : "running");

	int rc = ckpt_checkpoint(argv[1]);
	printf("api: %d (%s), image: %s\n", rc, rc < 0 ? strerror(-rc) : "?",
	       access(argv[1], F_OK) == 0 ? "written" : "none");

	write(down[1], "x", 1);
	waitpid(helper, NULL, 0);
	long before = __atomic_load_n(&progress, __ATOMIC_SEQ_CST);
	int goes_on = 0;
	for (int i = 0; i < 5000 && !goes_on; i++) {
		testing_nap(1);
		goes_on = __atomic_load_n(&progress, __ATOMIC_SEQ_CST) > before + 2;
	}
	testing_nap(200);
	printf("tracer gone; worker goes on: %s, image: %s\n",
	       goes_on ? "yes" : "no",
	       access(argv[1], F_OK) == 0 ? "written" : "none");

	rc = ckpt_checkpoint(argv[2]);
	if (rc == 1)
		return 0;
	printf("after the tracer let go: %d\n", rc);
	return 0;
}
