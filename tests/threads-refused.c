// Until threads are supported, a process with a second thread is refused
// with ENOTSUP and a message naming the thread count, from the API and
// from the signal; no image is written and the app goes on unharmed. (A
// single-threaded app under qemu, which has threads of its own, still
// checkpoints: the rest of the suite.)
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.ckpt 2>&1 | FileCheck %s
// CHECK: ckpt: checkpoint to {{.*}}.ckpt failed: the process has 2 threads; only single-threaded processes can be checkpointed
// CHECK-NEXT: api: -95 (Operation not supported)
// CHECK-NEXT: ckpt: checkpoint to {{.*}}.ckpt failed: the process has 2 threads; only single-threaded processes can be checkpointed
// CHECK-NEXT: signal: handled, image: none
// CHECK-NEXT: joined: 42
// CHECK-NEXT: alone: 0, image: yes
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "Inputs/testing.h"

static int pipe_fds[2];

static void *worker(void *arg)
{
	char c;
	(void)arg;
	while (read(pipe_fds[0], &c, 1) < 0)
		;
	return (void *)42L;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2 || pipe(pipe_fds))
		return 2;
	// Only the main thread may take the signal: the worker blocks it.
	sigset_t usr2, old;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, &old);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	int rc = ckpt_checkpoint(NULL);
	printf("api: %d (%s)\n", rc, rc < 0 ? strerror(-rc) : "?");
	kill(getpid(), SIGUSR2);
	printf("signal: handled, image: %s\n",
	       access(argv[1], F_OK) == 0 ? "yes" : "none");
	write(pipe_fds[1], "x", 1);
	void *ret;
	pthread_join(t, &ret);
	printf("joined: %ld\n", (long)ret);
	rc = ckpt_checkpoint(NULL);
	printf("alone: %d, image: %s\n", rc,
	       access(argv[1], F_OK) == 0 ? "yes" : "no");
	return 0;
}
