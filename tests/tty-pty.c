// Terminals above fd 2: a pty's slave side (/dev/pts/N) whose master side
// another process holds (a helper here, as a terminal emulator would) is
// reopened by its path, as the same terminal with the same flags, and
// talks to that process again after the restore. A pty both of whose
// sides the process holds cannot come back (opening /dev/ptmx makes a new
// pty, and the old one goes with the original process): both are named at
// checkpoint and at restore, their numbers held by placeholders.
// RUN: %cc %s %runtime -o %t
// RUN: env CKPT_IMAGE=%t.ckpt %run %t 2> %t.err | FileCheck --check-prefix=APP %s
// RUN: FileCheck --check-prefix=ERR %s < %t.err
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// RUN: %run %restorer %t.ckpt 2>&1 | FileCheck %s
// (The restorer's messages go to its own stderr, the app's fd 2 is %t.err
// again: a regular file, reopened.)
//
// APP: slave [[PTS:/dev/pts/[0-9]+]], own pty [[OWN:/dev/pts/[0-9]+]]
// APP-NEXT: checkpointed
// ERR: ckpt: fd 11 (/dev/ptmx): the master side of a pty cannot be opened again to the same pty, it will not come back
// ERR-NEXT: ckpt: fd 12 (/dev/pts/{{[0-9]+}}): its pty's master side is the process's own (fd 11), it will not come back
// INFO: fd 10 reopen chr rw nonblock /dev/pts/{{[0-9]+}}
// INFO-NEXT: fd 11 lost chr rw /dev/ptmx [the master side of a pty cannot be opened again to the same pty (opening /dev/ptmx makes a new one)]
// INFO-NEXT: fd 12 lost chr rw /dev/pts/{{[0-9]+}} [its pty's master side was the process's own, and does not come back]
// CHECK-NOT: fd 10 {{.*}} is not restored
// CHECK: restorer: {{.*}}.ckpt: fd 11 (/dev/ptmx) is not restored: the master side of a pty cannot be opened again to the same pty (opening /dev/ptmx makes a new one)
// CHECK-NEXT: restorer: {{.*}}.ckpt: fd 12 (/dev/pts/{{[0-9]+}}) is not restored: its pty's master side was the process's own, and does not come back
// CHECK-NEXT: restored
// CHECK-NEXT: fd 10: a terminal, the same pty again, nonblock
// CHECK-NEXT: fd 10: the helper answered: ack
// CHECK-NEXT: fd 11 held
// CHECK-NEXT: fd 12 held
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "Inputs/testing.h"

// Holds the master side until the restored process says "done" (or 20 s
// pass): answers "ack" to its "bye".
static void helper(int master)
{
	alarm(20);
	int null = open("/dev/null", O_RDWR);
	dup2(null, 1);
	dup2(null, 2);
	char seen[4096] = "";
	size_t len = 0;
	int acked = 0;
	for (;;) {
		char buf[256];
		ssize_t n = read(master, buf, sizeof buf);
		if (n <= 0)
			_exit(0);
		if (len + n < sizeof seen) {
			memcpy(seen + len, buf, n);
			len += n;
			seen[len] = 0;
		}
		if (!acked && strstr(seen, "bye")) {
			write(master, "ack\n", 4);
			acked = 1;
		}
		if (strstr(seen, "done"))
			_exit(0);
	}
}

static void move_to(int fd, int want)
{
	TESTING_ASSERT(fd >= 0 && dup2(fd, want) == want, "fd %d", want);
	if (fd != want)
		close(fd);
}

int main(void)
{
	testing_start();
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	TESTING_ASSERT(master >= 0 && grantpt(master) == 0 &&
			       unlockpt(master) == 0,
		       "posix_openpt");
	char pts[64];
	snprintf(pts, sizeof pts, "%s", ptsname(master));
	move_to(open(pts, O_RDWR | O_NOCTTY | O_NONBLOCK), 10);
	struct stat before;
	TESTING_ASSERT(fstat(10, &before) == 0, "fstat");
	fflush(stdout);
	// The helper keeps a slave descriptor too: with none open, the
	// master reads EIO.
	if (fork() == 0)
		helper(master);
	close(master);
	// A pty all of whose sides are the process's.
	move_to(posix_openpt(O_RDWR | O_NOCTTY), 11);
	TESTING_ASSERT(grantpt(11) == 0 && unlockpt(11) == 0, "own pty");
	char own[64];
	snprintf(own, sizeof own, "%s", ptsname(11));
	move_to(open(own, O_RDWR | O_NOCTTY), 12);
	printf("slave %s, own pty %s\n", pts, own);
	testing_checkpoint_or_exit();

	struct stat now;
	TESTING_ASSERT(isatty(10) && fstat(10, &now) == 0 &&
			       now.st_rdev == before.st_rdev,
		       "fd 10 is another file");
	TESTING_ASSERT(fcntl(10, F_GETFL) & O_NONBLOCK, "fd 10 blocks");
	printf("fd 10: a terminal, the same pty again, nonblock\n");
	TESTING_ASSERT(write(10, "bye\n", 4) == 4, "write bye");
	char got[64] = "";
	size_t len = 0;
	while (!strstr(got, "ack") && len < sizeof got - 1) {
		struct pollfd p = {10, POLLIN, 0};
		TESTING_ASSERT(poll(&p, 1, 10000) == 1, "no answer");
		ssize_t n = read(10, got + len, sizeof got - 1 - len);
		TESTING_ASSERT(n > 0, "read");
		len += n;
		got[len] = 0;
	}
	printf("fd 10: the helper answered: ack\n");
	write(10, "done\n", 5);
	for (int fd = 11; fd <= 12; fd++) {
		TESTING_ASSERT(testing_placeholder(fd), "fd %d should be held",
			       fd);
		printf("fd %d held\n", fd);
	}
	return 0;
}
