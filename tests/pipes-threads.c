// A thread blocked in read() of an empty self-pipe when the checkpoint
// stops it reads from the restored pipe: the bytes the main thread
// writes after the restore reach it.
// RUN: %cc %s %runtime -lpthread -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
//
// CHECK: gen0: original: thread read 'before'
// CHECK-NEXT: gen0: exit 0
// CHECK: gen1: restored
// CHECK-NEXT: gen1: restored: thread read 'after'
// CHECK-NEXT: gen1: exit 0
// ERR-NOT: is not restored
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static char got[32];
static volatile pid_t reader_tid;

static void *reader(void *arg)
{
	(void)arg;
	reader_tid = (pid_t)syscall(SYS_gettid);
	for (;;) {
		ssize_t n = read(10, got, sizeof got - 1);
		if (n > 0)
			return NULL;
		TESTING_ASSERT(n < 0 && errno == EINTR, "read: errno %d", errno);
	}
}

int main(void)
{
	testing_start();
	int p[2];
	TESTING_ASSERT(pipe(p) == 0 && dup2(p[0], 10) == 10 &&
			       dup2(p[1], 11) == 11,
		       "pipe");
	close(p[0]);
	close(p[1]);
	pthread_t t;
	TESTING_ASSERT(pthread_create(&t, NULL, reader, NULL) == 0, "thread");
	for (int i = 0; i < 5000 && (!reader_tid ||
				     testing_thread_state(reader_tid) != 'S');
	     i++)
		testing_nap(1);
	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc == 0 || rc == 1, "checkpoint failed: %d", rc);
	const char *who = rc ? "restored" : "original";
	if (rc)
		printf("restored\n");
	const char *msg = rc ? "after" : "before";
	TESTING_ASSERT(write(11, msg, strlen(msg)) == (ssize_t)strlen(msg),
		       "write");
	pthread_join(t, NULL);
	printf("%s: thread read '%s'\n", who, got);
	return 0;
}
