/* Writes one image to argv[1] of a process that holds one of every kind
 * of kernel object the runtime saves: a self-pipe with bytes in it, an
 * eventfd with a count, an epoll watching both, a timerfd armed, a
 * signalfd, a memfd with seals, a deleted file with data, a POSIX timer,
 * a pending signal, a private mapping of a file, file locks (flock and
 * POSIX), an inotify watch, unix socket pairs with queued messages, a
 * listening TCP socket, and files open for writing under CKPT_FILES's
 * truncate and snapshot policies (the program runs itself again with
 * CKPT_FILES set, where it can exec itself). A seed for the image fuzzer,
 * so that mutations start from each section. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	if (!getenv("CKPT_FILES")) {
		setenv("CKPT_FILES", "snapshot:*.snap,truncate:*.trunc", 1);
		execv("/proc/self/exe", argv); /* else: without policies */
	}
	char name[4096];
	snprintf(name, sizeof name, "%s.snap", argv[1]);
	int snap = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (snap >= 0 && pwrite(snap, "snapshot", 8, 8192) != 8)
		return 2;
	snprintf(name, sizeof name, "%s.trunc", argv[1]);
	int trunc = open(name, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0600);
	if (trunc >= 0 && write(trunc, "log\n", 4) != 4)
		return 2;
	int p[2];
	if (pipe(p) == 0 && write(p[1], "bytes", 5) != 5)
		return 2;
	int ev = eventfd(7, EFD_NONBLOCK);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event e = {EPOLLIN, {.u64 = 42}};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct itimerspec its = {{5, 0}, {60, 0}};
	timerfd_settime(tfd, 0, &its, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_NONBLOCK);
	kill(getpid(), SIGUSR1); /* pending: blocked */
	int mfd = memfd_create("seed", MFD_ALLOW_SEALING);
	if (mfd >= 0 && write(mfd, "memfd", 5) == 5)
		fcntl(mfd, F_ADD_SEALS, F_SEAL_GROW);
	FILE *tmp = tmpfile();
	if (tmp) {
		fputs("deleted file data", tmp), fflush(tmp);
		flock(fileno(tmp), LOCK_EX);
		struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET,
				  .l_start = 2, .l_len = 3};
		fcntl(fileno(tmp), F_SETLK, &l);
	}
	int in = inotify_init1(IN_NONBLOCK);
	inotify_add_watch(in, "/", IN_CREATE);
	timer_t timer;
	struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGUSR1};
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0) {
		struct itimerspec t = {{0, 0}, {600, 0}};
		timer_settime(timer, 0, &t, NULL);
	}
	int self = open("/proc/self/exe", O_RDONLY);
	char *map = self >= 0 ? mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE, self, 0)
			      : MAP_FAILED;
	if (map != MAP_FAILED)
		map[100] ^= 1; /* one page no longer the file's */
	int sv[2], dv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0)
		send(sv[1], "stream", 6, 0), shutdown(sv[1], SHUT_WR);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, dv) == 0)
		send(dv[0], "one", 3, 0), send(dv[0], "two", 3, 0);
	int tcp = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in lo = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (tcp >= 0 && bind(tcp, (struct sockaddr *)&lo, sizeof lo) == 0)
		listen(tcp, 4);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 1)
		puts("restored");
	else if (rc != 0)
		printf("checkpoint failed: %d\n", rc);
	(void)sfd;
	(void)in;
	return rc < 0;
}
