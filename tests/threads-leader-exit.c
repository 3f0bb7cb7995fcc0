// A process whose main thread has called pthread_exit(): its group
// leader is a zombie while a worker runs on. The kernel then shows
// /proc/PID/maps and /proc/PID/fd empty, and a process cannot be made
// again without its leader: the checkpoint is refused, named, and the
// process goes on; no image is written.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: rm -f %t.ckpt
// RUN: { env CKPT_IMAGE=%t.ckpt %run %t 2>&1; echo "exit $?"; } | FileCheck %s
// RUN: test ! -e %t.ckpt
//
// CHECK: worker: leader exited: yes
// CHECK-NEXT: ckpt: checkpoint to {{.*}}.ckpt failed: the thread group leader has exited{{.*}}
// CHECK-NEXT: worker: checkpoint -95 (Operation not supported)
// CHECK-NEXT: worker: still running
// CHECK-NEXT: exit 3
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "Inputs/testing.h"

// Whether the group leader (tid == pid) is a zombie.
static const char *leader_exited(void)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)getpid());
	FILE *f = fopen(path, "r");
	if (!f)
		return "no such task";
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *state = strstr(buf, "State:\t");
	return state && state[7] == 'Z' ? "yes" : "no";
}

static void *worker(void *arg)
{
	(void)arg;
	// Until the main thread has gone (bounded: 10 s).
	for (int i = 0; i < 1000 && strcmp(leader_exited(), "yes"); i++)
		testing_nap(10);
	printf("worker: leader exited: %s\n", leader_exited());
	int rc = ckpt_checkpoint(NULL);
	printf("worker: checkpoint %d (%s)\n", rc, rc < 0 ? strerror(-rc) : "-");
	printf("worker: still running\n");
	exit(3);
}

int main(void)
{
	testing_start();
	pthread_t t;
	TESTING_ASSERT(pthread_create(&t, NULL, worker, NULL) == 0, "thread");
	pthread_exit(NULL);
}
