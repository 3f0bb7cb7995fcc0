// A thread that blocks the checkpoint signal cannot be stopped: a
// checkpoint (from ckpt_checkpoint() or the signal) fails cleanly, stderr
// names that thread's tid and says it blocks the signal, the image taken
// before (while the process had one thread) is kept as it was, and every
// thread goes on. Once the thread unblocks the signal, a checkpoint
// succeeds; both images restore.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: rm -f %t.first.ckpt %t.later.ckpt
// RUN: env CKPT_IMAGE=%t.first.ckpt %run %t %t.first.ckpt %t.later.ckpt 2>&1 \
// RUN:   | FileCheck %s
// RUN: %run %restorer %t.first.ckpt 2>&1 | FileCheck --check-prefix=FIRST %s
// RUN: %run %restorer %t.later.ckpt 2>&1 | FileCheck --check-prefix=LATER %s
//
// CHECK: first checkpoint, one thread: 0
// CHECK-NEXT: masked thread: tid {{[0-9]+}}
// CHECK-NEXT: stderr: ckpt: checkpoint to {{.*}}first.ckpt failed: {{.+}}
// CHECK-NEXT: api: -{{[1-9][0-9]*}} ({{.+}}); stderr names the thread and says it blocks the signal
// CHECK-NEXT: image: kept, threads go on
// CHECK-NEXT: stderr: ckpt: checkpoint to {{.*}}first.ckpt failed: {{.+}}
// CHECK-NEXT: signal: stderr names the thread and says it blocks the signal
// CHECK-NEXT: signal: image kept, threads go on
// CHECK-NEXT: after unblocking: 0, first image kept
// CHECK-NOT: ckpt:
//
// FIRST: restored: the first image
// LATER-DAG: masked thread: restored
// LATER-DAG: bystander: restored
// LATER: restored: the image taken after unblocking
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "Inputs/testing.h"

static long masked_progress, bystander_progress;
static int unblock, unblocked;
static pid_t masked_tid;

static void *masked(void *arg)
{
	(void)arg;
	// The system call itself: the runtime's pthread_sigmask() does not
	// let the app block the checkpoint signal (signal-blockall.c).
	unsigned long set = 1ul << (SIGUSR2 - 1);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, sizeof set);
	__atomic_store_n(&masked_tid, syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	double start = testing_now();
	while (!testing_restored() && testing_now() - start < 60) {
		if (__atomic_load_n(&unblock, __ATOMIC_SEQ_CST) &&
		    !__atomic_load_n(&unblocked, __ATOMIC_SEQ_CST)) {
			syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL,
				sizeof set);
			__atomic_store_n(&unblocked, 1, __ATOMIC_SEQ_CST);
		}
		__atomic_add_fetch(&masked_progress, 1, __ATOMIC_SEQ_CST);
		testing_nap(1);
	}
	if (testing_restored())
		printf("masked thread: restored\n");
	return NULL;
}

static void *bystander(void *arg)
{
	(void)arg;
	double start = testing_now();
	while (!testing_restored() && testing_now() - start < 60) {
		__atomic_add_fetch(&bystander_progress, 1, __ATOMIC_SEQ_CST);
		testing_nap(1);
	}
	if (testing_restored())
		printf("bystander: restored\n");
	return NULL;
}

// Whether both threads make progress within 5 s.
static int threads_go_on(void)
{
	long m = __atomic_load_n(&masked_progress, __ATOMIC_SEQ_CST);
	long b = __atomic_load_n(&bystander_progress, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n(&masked_progress, __ATOMIC_SEQ_CST) > m + 2 &&
		    __atomic_load_n(&bystander_progress, __ATOMIC_SEQ_CST) > b + 2)
			return 1;
		testing_nap(1);
	}
	return 0;
}

// The runtime's messages go to fd 2: between capture_start() and
// capture_end() to a pipe, whose lines are then echoed as "stderr: ...".
static int saved_stderr = -1, captured[2];
static char message[4096];

static void capture_start(void)
{
	TESTING_ASSERT(pipe(captured) == 0, "pipe");
	saved_stderr = dup(2);
	dup2(captured[1], 2);
	close(captured[1]);
}

static void capture_end(void)
{
	dup2(saved_stderr, 2);
	close(saved_stderr);
	fcntl(captured[0], F_SETFL, O_NONBLOCK);
	ssize_t n, len = 0;
	while (len < (ssize_t)sizeof message - 1 &&
	       (n = read(captured[0], message + len,
			 sizeof message - 1 - len)) > 0)
		len += n;
	message[len] = 0;
	close(captured[0]);
	for (char *line = message; *line;) {
		char *end = strchr(line, '\n');
		int l = end ? (int)(end - line) : (int)strlen(line);
		printf("stderr: %.*s\n", l, line);
		line += l + (end != NULL);
	}
}

// Whether the message names tid (as a whole number) and says "block".
static const char *verdict(pid_t tid)
{
	char want[16];
	int len = snprintf(want, sizeof want, "%d", (int)tid);
	int named = 0;
	for (const char *p = message; (p = strstr(p, want)); p += len)
		if ((p == message || !isdigit((unsigned char)p[-1])) &&
		    !isdigit((unsigned char)p[len]))
			named = 1;
	if (!named)
		return "stderr does not name the thread";
	if (!strstr(message, "block"))
		return "stderr does not say the thread blocks the signal";
	return "stderr names the thread and says it blocks the signal";
}

static int same_file(const struct stat *a, const char *path)
{
	struct stat b;
	return stat(path, &b) == 0 && a->st_ino == b.st_ino &&
	       a->st_size == b.st_size &&
	       a->st_mtim.tv_sec == b.st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 1) {
		printf("restored: the first image\n");
		return 0;
	}
	printf("first checkpoint, one thread: %d\n", rc);
	struct stat first;
	TESTING_ASSERT(stat(argv[1], &first) == 0, "no first image");

	pthread_t m, b;
	TESTING_ASSERT(pthread_create(&m, NULL, masked, NULL) == 0, "masked");
	TESTING_ASSERT(pthread_create(&b, NULL, bystander, NULL) == 0,
		       "bystander");
	for (int i = 0; i < 10000 && !__atomic_load_n(&masked_tid,
						      __ATOMIC_SEQ_CST); i++)
		testing_nap(1);
	printf("masked thread: tid %d\n", (int)masked_tid);

	capture_start();
	rc = ckpt_checkpoint(argv[1]);
	capture_end();
	printf("api: %d (%s); %s\n", rc, rc < 0 ? strerror(-rc) : "no error",
	       verdict(masked_tid));
	printf("image: %s, threads %s\n",
	       same_file(&first, argv[1]) ? "kept" : "changed",
	       threads_go_on() ? "go on" : "stopped");

	capture_start();
	kill(getpid(), SIGUSR2);
	testing_nap(200);
	capture_end();
	printf("signal: %s\n", verdict(masked_tid));
	printf("signal: image %s, threads %s\n",
	       same_file(&first, argv[1]) ? "kept" : "changed",
	       threads_go_on() ? "go on" : "stopped");

	__atomic_store_n(&unblock, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 10000 && !__atomic_load_n(&unblocked,
						      __ATOMIC_SEQ_CST); i++)
		testing_nap(1);
	rc = ckpt_checkpoint(argv[2]);
	if (rc == 1) {
		struct timespec deadline;
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 10;
		TESTING_ASSERT(pthread_timedjoin_np(m, NULL, &deadline) == 0 &&
				       pthread_timedjoin_np(b, NULL, &deadline) == 0,
			       "threads not joined in 10 s");
		printf("restored: the image taken after unblocking\n");
		return 0;
	}
	testing_nap(200);
	printf("after unblocking: %d, first image %s\n", rc,
	       same_file(&first, argv[1]) ? "kept" : "changed");
	return 0;
}
