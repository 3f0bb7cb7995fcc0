// The checkpoint's and the restorer's second core (a process sharing the
// memory, runtime/worker.h) is never the app's to see: after a checkpoint
// and after a restore of 64 MiB (enough batches to use it), the app has
// no child to wait for, even with __WALL, none left in /proc with it as
// parent, got no SIGCHLD, and is one thread.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: checkpointed: no child, no SIGCHLD, 1 thread
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored: no child, no SIGCHLD, 1 thread
// CHECK-NEXT: gen1: memory as at the checkpoint
// CHECK-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include "Inputs/testing.h"

#define LEN (64UL << 20)

static volatile sig_atomic_t sigchld;

static void on_sigchld(int sig)
{
	(void)sig;
	sigchld++;
}

// Processes whose parent is this one, from /proc/PID/stat's 4th field.
static int children_in_proc(void)
{
	DIR *d = opendir("/proc");
	TESTING_ASSERT(d, "opendir /proc");
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[64], buf[512];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		const char *p = strrchr(buf, ')');
		int ppid;
		char state;
		if (p && sscanf(p + 1, " %c %d", &state, &ppid) == 2 &&
		    ppid == getpid())
			n++;
	}
	closedir(d);
	return n;
}

static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	TESTING_ASSERT(d, "opendir /proc/self/task");
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void check(const char *when)
{
	int status;
	pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
	TESTING_ASSERT(pid == -1 && errno == ECHILD,
		       "%s: waitpid(-1, __WALL) gave %d (%s)", when, pid,
		       pid < 0 ? strerror(errno) : "a child");
	int in_proc = children_in_proc();
	TESTING_ASSERT(in_proc == 0, "%s: %d children in /proc", when,
		       in_proc);
	TESTING_ASSERT(sigchld == 0, "%s: %d SIGCHLD", when, (int)sigchld);
	int n = threads();
	TESTING_ASSERT(n == 1 + testing_emulated(), "%s: %d threads", when, n);
	printf("%s: no child, no SIGCHLD, 1 thread\n", when);
}

int main(void)
{
	testing_start();
	signal(SIGCHLD, on_sigchld);
	unsigned long long *mem = malloc(LEN);
	TESTING_ASSERT(mem, "malloc");
	for (size_t i = 0; i < LEN / 8; i++)
		mem[i] = testing_value(i);
	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc >= 0, "checkpoint failed: %d", rc);
	if (rc == 0) {
		check("checkpointed");
		return 0;
	}
	check("restored");
	size_t bad = 0;
	for (size_t i = 0; i < LEN / 8; i++)
		bad += mem[i] != testing_value(i);
	TESTING_ASSERT(bad == 0, "%zu words changed", bad);
	printf("memory as at the checkpoint\n");
	return 0;
}
