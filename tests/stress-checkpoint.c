// Every image a checkpoint reports as written restores, while memory
// changes around the checkpoint: a 1 kHz SIGALRM handler rewrites a
// buffer, and (with CKPT_FORK=1) another process keeps writing shared
// memory while the forked writer copies it. The app takes IMAGES
// checkpoints to DIR/image.N; each restore checks the buffer is one
// handler's work (all words equal) and prints one line.
// RUN: rm -rf %t.d && mkdir %t.d
// RUN: %cc %s %runtime -o %t
// RUN: %run %t %t.d | FileCheck --check-prefix=APP %s
// RUN: %python %S/lib/restore_all.py --run '%run' --restorer %restorer %t.d | FileCheck --check-prefix=RESTORED %s
// RUN: rm -rf %t.d && mkdir %t.d
// RUN: env CKPT_FORK=1 %run %t %t.d | FileCheck --check-prefix=APP %s
// RUN: %python %S/lib/restore_all.py --run '%run' --restorer %restorer %t.d | FileCheck --check-prefix=RESTORED %s
// APP: checkpoints: 20 written, 0 failed
// RESTORED: restored 20 of 20
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "Inputs/testing.h"

#define IMAGES 20
#define WORDS ((4u << 20) / sizeof(uint64_t))

static uint64_t *buffer;    // private: the handler's
static uint64_t *shared;    // MAP_SHARED: the writer process's
static volatile uint64_t generation;

static void on_alarm(int sig)
{
	(void)sig;
	uint64_t g = ++generation;
	for (size_t i = 0; i < WORDS; i++)
		buffer[i] = g;
}

static int check_restored(int n)
{
	// The handler runs again here: each run rewrites all of the buffer
	// before this code goes on, so it is always one generation.
	sigset_t alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, NULL);
	uint64_t g = buffer[0];
	for (size_t i = 1; i < WORDS; i++)
		TESTING_ASSERT(buffer[i] == g, "image %d: word %zu is %llu, "
			       "word 0 is %llu", n, i,
			       (unsigned long long)buffer[i],
			       (unsigned long long)g);
	printf("image %d ok\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	buffer = malloc(WORDS * sizeof *buffer);
	shared = mmap(NULL, WORDS * sizeof *shared, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TESTING_ASSERT(buffer && shared != MAP_FAILED, "no memory");
	memset(buffer, 0, WORDS * sizeof *buffer);

	pid_t scribbler = fork();
	if (scribbler == 0) {
		for (uint64_t v = 0;; v++)
			for (size_t i = 0; i < WORDS; i += 512)
				shared[i] = v;
	}
	TESTING_ASSERT(scribbler > 0, "fork failed");

	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval every_ms = {{0, 1000}, {0, 1000}};
	setitimer(ITIMER_REAL, &every_ms, NULL);

	int written = 0, failed = 0;
	for (int n = 0; n < IMAGES; n++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/image.%d", argv[1], n);
		int rc = ckpt_checkpoint(path);
		if (rc == 1)
			return check_restored(n);
		if (rc == 0)
			rc = ckpt_wait();
		if (rc == 0)
			written++;
		else
			failed++, printf("checkpoint %d failed: %d\n", n, rc);
		testing_nap(5);
	}
	kill(scribbler, SIGKILL);
	waitpid(scribbler, NULL, 0);
	printf("checkpoints: %d written, %d failed\n", written, failed);
	return 0;
}
