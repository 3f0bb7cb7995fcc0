// The app handles the checkpoint signal itself (SIGUSR2): its handler
// gets every plain SIGUSR2, sigaction() reports its own action back, and
// a checkpoint request (sigqueue() with CKPT_REQUEST, what `ckpt
// checkpoint` sends) still takes a checkpoint. The restored process keeps
// the app's handler; with SIG_IGN set, plain ones are ignored and a
// request still checkpoints.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: plain: handler ran 1 time(s), image: no
// APP-NEXT: query: the app's handler: yes
// APP-NEXT: request: image: new, handler ran 1 time(s)
// RESTORED: restored: handler ran 1 time(s)
// RESTORED-NEXT: plain: handler ran 2 time(s), image: old
// RESTORED-NEXT: ignored: handler ran 2 time(s), image: old
// RESTORED-NEXT: request: image: new
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "Inputs/testing.h"

static volatile sig_atomic_t ran;
static const char *image;

static void mine(int sig, siginfo_t *info, void *ctx)
{
	(void)sig, (void)info, (void)ctx;
	ran++;
}

static ino_t inode(void)
{
	struct stat st;
	return stat(image, &st) == 0 ? st.st_ino : 0;
}

static int request(void)
{
	union sigval v = {.sival_ptr = (void *)CKPT_REQUEST};
	return sigqueue(getpid(), SIGUSR2, v);
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: signal-taken IMAGE");
	image = argv[1];
	struct sigaction sa = {0}, q = {0};
	sa.sa_sigaction = mine;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);

	kill(getpid(), SIGUSR2);
	printf("plain: handler ran %d time(s), image: %s\n", (int)ran,
	       inode() ? "yes" : "no");
	sigaction(SIGUSR2, NULL, &q);
	printf("query: the app's handler: %s\n",
	       q.sa_sigaction == mine ? "yes" : "no");

	ino_t before = inode();
	request();
	if (!testing_restored()) {
		printf("request: image: %s, handler ran %d time(s)\n",
		       inode() != before ? "new" : "old", (int)ran);
		return 0;
	}
	printf("restored: handler ran %d time(s)\n", (int)ran);
	before = inode();
	kill(getpid(), SIGUSR2);
	printf("plain: handler ran %d time(s), image: %s\n", (int)ran,
	       inode() != before ? "new" : "old");
	signal(SIGUSR2, SIG_IGN);
	kill(getpid(), SIGUSR2);
	printf("ignored: handler ran %d time(s), image: %s\n", (int)ran,
	       inode() != before ? "new" : "old");
	request();
	printf("request: image: %s\n", inode() != before ? "new" : "old");
	return 0;
}
