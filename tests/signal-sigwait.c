// An app that waits for the checkpoint signal (SIGUSR2) with
// sigtimedwait() can still be checkpointed: a checkpoint request the wait
// dequeues is taken by the runtime, and the wait goes on; a plain SIGUSR2
// is the app's. "dfl": no handler of its own (the runtime keeps SIGUSR2
// unblocked). "own": its own handler, SIGUSR2 blocked, plain ones waited
// for. "signalfd": a signalfd() for SIGUSR2 is told on stderr that the
// runtime keeps the signal, and reads the app's other signals. "thread":
// another thread waits in sigwait() for SIGUSR2 while a checkpoint stops
// it with its stop request (the same signal), then gets its SIGUSR1.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t dfl %t.ckpt | FileCheck --check-prefix=DFL %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=DFL-RESTORED %s
// DFL: waited: SIGUSR1, image: new
// DFL-RESTORED: restored: the wait timed out
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t own %t.ckpt | FileCheck --check-prefix=OWN %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=OWN-RESTORED %s
// OWN: waited: plain SIGUSR2
// OWN-NEXT: waited: SIGUSR1, image: new, handler ran 0 time(s)
// OWN-RESTORED: restored: the wait timed out
// OWN-RESTORED-NEXT: waited: plain SIGUSR2, handler ran 0 time(s)
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t signalfd %t.ckpt 2>%t.err | FileCheck --check-prefix=SFD %s
// RUN: FileCheck --check-prefix=SFD-ERR %s < %t.err
// SFD: request: image: new
// SFD-NEXT: read: SIGUSR1
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t thread %t.ckpt | FileCheck --check-prefix=THREAD %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=THREAD-RESTORED %s
// THREAD: request: image: new
// THREAD-NEXT: the waiter got SIGUSR1
// THREAD-RESTORED: restored
// THREAD-RESTORED-NEXT: the waiter got SIGUSR1
// SFD-ERR: ckpt: signalfd() for signal 12, the checkpoint signal: left out, the runtime takes it (CKPT_SIGNAL chooses another)
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "Inputs/testing.h"

static const char *image;
static volatile sig_atomic_t ran;

static void mine(int sig)
{
	(void)sig;
	ran++;
}

static ino_t inode(void)
{
	struct stat st;
	return stat(image, &st) == 0 ? st.st_ino : 0;
}

static void request(pid_t pid)
{
	union sigval v = {.sival_ptr = (void *)CKPT_REQUEST};
	TESTING_ASSERT(sigqueue(pid, SIGUSR2, v) == 0, "sigqueue");
}

// The child: optionally a plain SIGUSR2 (and waits for the parent to
// have it), then a request, then SIGUSR1 once the image is there.
static pid_t sender(int plain, int *told)
{
	int p[2];
	TESTING_ASSERT(pipe(p) == 0, "pipe");
	pid_t parent = getpid(), child = fork();
	TESTING_ASSERT(child >= 0, "fork");
	if (child) {
		close(p[0]);
		*told = p[1];
		return child;
	}
	close(p[1]);
	ino_t before = inode();
	char c;
	if (plain) {
		kill(parent, SIGUSR2);
		if (read(p[0], &c, 1) != 1)
			_exit(1);
	}
	testing_nap(50);
	request(parent);
	for (int i = 0; i < 2000 && inode() == before; i++)
		testing_nap(10);
	kill(parent, SIGUSR1);
	_exit(0);
}

// Waits for SIGUSR1 or SIGUSR2 for at most 1 s at a time: the signal, or
// 0 when a restored process's wait timed out.
static int wait_one(const sigset_t *set, siginfo_t *si)
{
	for (int i = 0; i < 30; i++) {
		struct timespec ts = {1, 0};
		int sig = sigtimedwait(set, si, &ts);
		if (sig > 0)
			return sig;
		TESTING_ASSERT(errno == EAGAIN || errno == EINTR,
			       "sigtimedwait: %s", strerror(errno));
		if (testing_restored())
			return 0;
	}
	TESTING_ASSERT(0, "no signal in 30 s");
	return 0;
}

static volatile pid_t waiter_tid;

static void *waiter(void *arg)
{
	const sigset_t *set = arg;
	int sig = 0;
	waiter_tid = gettid();
	TESTING_ASSERT(sigwait(set, &sig) == 0, "sigwait");
	return (void *)(long)sig;
}

// A thread in sigwait() for SIGUSR1 and SIGUSR2 while a checkpoint is
// taken; then SIGUSR1 for it.
static int waiting_thread(const sigset_t *set)
{
	pthread_t t;
	TESTING_ASSERT(pthread_create(&t, NULL, waiter, (void *)set) == 0,
		       "pthread_create");
	for (int i = 0; i < 10000 && (!waiter_tid ||
				      testing_thread_state(waiter_tid) != 'S');
	     i++)
		testing_nap(1);
	ino_t before = inode();
	request(getpid());
	if (testing_restored())
		printf("restored\n");
	else
		printf("request: image: %s\n", inode() != before ? "new" : "old");
	pthread_kill(t, SIGUSR1);
	void *sig;
	pthread_join(t, &sig);
	printf("the waiter got %s\n",
	       (long)sig == SIGUSR1 ? "SIGUSR1" : "something else");
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 3, "usage: signal-sigwait dfl|own|signalfd IMAGE");
	const char *mode = argv[1];
	image = argv[2];
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (!strcmp(mode, "own"))
		signal(SIGUSR2, mine);
	sigprocmask(SIG_BLOCK, &set, NULL);
	siginfo_t si;
	int told = -1;

	if (!strcmp(mode, "thread"))
		return waiting_thread(&set);
	if (!strcmp(mode, "signalfd")) {
		int fd = signalfd(-1, &set, 0);
		TESTING_ASSERT(fd >= 0, "signalfd: %s", strerror(errno));
		ino_t before = inode();
		request(getpid());
		printf("request: image: %s\n", inode() != before ? "new" : "old");
		kill(getpid(), SIGUSR1);
		struct signalfd_siginfo ssi;
		TESTING_ASSERT(read(fd, &ssi, sizeof ssi) == sizeof ssi, "read");
		printf("read: %s\n", ssi.ssi_signo == SIGUSR1 ? "SIGUSR1" : "other");
		return 0;
	}

	ino_t before = inode();
	pid_t child = sender(!strcmp(mode, "own"), &told);
	int sig = wait_one(&set, &si);
	if (sig == SIGUSR2) {
		printf("waited: %s SIGUSR2\n",
		       si.si_code == SI_USER ? "plain" : "request as");
		TESTING_ASSERT(write(told, "", 1) == 1, "write");
		sig = wait_one(&set, &si);
	}
	if (sig == 0) { // restored
		printf("restored: the wait timed out\n");
		if (!strcmp(mode, "own")) {
			raise(SIGUSR2);
			sig = wait_one(&set, &si);
			printf("waited: %s SIGUSR2, handler ran %d time(s)\n",
			       sig == SIGUSR2 && si.si_code == SI_TKILL ? "plain"
									: "no",
			       (int)ran);
		}
		return 0;
	}
	printf("waited: %s, image: %s", sig == SIGUSR1 ? "SIGUSR1" : "SIGUSR2",
	       inode() != before ? "new" : "old");
	if (!strcmp(mode, "own"))
		printf(", handler ran %d time(s)", (int)ran);
	printf("\n");
	waitpid(child, NULL, 0);
	return 0;
}
