// File locks the process holds come back: a flock() lock, POSIX (fcntl
// F_SETLK) locks of two ranges and an OFD (F_OFD_SETLK) lock are taken
// again at restore, and a child forked after the restore sees each of
// them held (flock LOCK_NB fails, F_GETLK and F_OFD_GETLK name the
// locks, the POSIX ones as its parent's). --info lists them. A lock that
// another process holds at restore time (here: the original, still
// running) makes the restore fail before the point of no return, naming
// the file and the range.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %drive --image %t.ckpt --no-kill -- %t %t.d | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// RUN: env CKPT_IMAGE=%t.f.ckpt %run %t %t.d flock %run %restorer %t.f.ckpt 2>&1 | FileCheck --check-prefix=FLOCK %s
// RUN: env CKPT_IMAGE=%t.p.ckpt %run %t %t.d posix %run %restorer %t.p.ckpt 2>&1 | FileCheck --check-prefix=POSIX %s
// RUN: env CKPT_IMAGE=%t.o.ckpt %run %t %t.d ofd %run %restorer %t.o.ckpt 2>&1 | FileCheck --check-prefix=OFD %s
//
// CHECK: gen0: locked
// CHECK-NEXT: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: child: flock held
// CHECK-NEXT: gen1: child: posix write lock 10-19 held by the parent
// CHECK-NEXT: gen1: child: posix read lock 50-59 held by the parent
// CHECK-NEXT: gen1: child: 20-49 free
// CHECK-NEXT: gen1: child: ofd write lock 100-EOF held
// CHECK-NEXT: gen1: child: ofd 0-99 free
// CHECK-NEXT: gen1: child exit 0
// CHECK-NEXT: gen1: unlocked, the child takes them
// CHECK-NEXT: gen1: exit 0
//
// INFO: fd 10 reopen file rw offset 0 {{.*}}/a lock flock write
// INFO: fd 11 reopen file rw offset 0 {{.*}}/b lock posix write 10-19 lock posix read 50-59
// INFO: fd 12 reopen file rw offset 0 {{.*}}/c lock ofd write 100-EOF
//
// FLOCK: restorer: {{.*}}.f.ckpt: fd 10 ({{.*}}/a): cannot take its lock again (flock write, the whole file): another process holds one now
// FLOCK-NEXT: restorer exit 1
// POSIX: restorer: {{.*}}.p.ckpt: fd 11 ({{.*}}/b): cannot take its lock again (posix write, bytes 10-19): process {{[0-9]+}} holds one now
// POSIX-NEXT: restorer exit 1
// OFD: restorer: {{.*}}.o.ckpt: fd 12 ({{.*}}/c): cannot take its lock again (ofd write, bytes 100-EOF): another process holds one now
// OFD-NEXT: restorer exit 1
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "Inputs/testing.h"

static int open_at(const char *dir, const char *name, int want)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	TESTING_ASSERT(fd >= 0 && dup2(fd, want) == want, "open %s", path);
	close(fd);
	return want;
}

static void posix_lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock l = {.l_type = type, .l_whence = SEEK_SET,
			  .l_start = start, .l_len = len};
	TESTING_ASSERT(fcntl(fd, cmd, &l) == 0, "lock %d %ld", fd, (long)start);
}

// The lock that would stop a write lock of [start, start + len): its type.
static short probe(int fd, int cmd, off_t start, off_t len, pid_t *pid)
{
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET,
			  .l_start = start, .l_len = len};
	TESTING_ASSERT(fcntl(fd, cmd, &l) == 0, "probe %d", fd);
	*pid = l.l_pid;
	return l.l_type;
}

static int child(const char *dir)
{
	pid_t pid;
	int a = open_at(dir, "a", 20), b = open_at(dir, "b", 21),
	    c = open_at(dir, "c", 22);
	TESTING_ASSERT(flock(a, LOCK_EX | LOCK_NB) == -1 &&
			       errno == EWOULDBLOCK,
		       "flock is free");
	printf("child: flock held\n");
	TESTING_ASSERT(probe(b, F_GETLK, 10, 10, &pid) == F_WRLCK &&
			       pid == getppid(),
		       "10-19 not write locked by %d (%d)", getppid(), pid);
	printf("child: posix write lock 10-19 held by the parent\n");
	TESTING_ASSERT(probe(b, F_GETLK, 50, 10, &pid) == F_RDLCK &&
			       pid == getppid(),
		       "50-59 not read locked");
	printf("child: posix read lock 50-59 held by the parent\n");
	TESTING_ASSERT(probe(b, F_GETLK, 20, 30, &pid) == F_UNLCK,
		       "20-49 locked");
	printf("child: 20-49 free\n");
	pid = 0;
	TESTING_ASSERT(probe(c, F_OFD_GETLK, 100, 0, &pid) == F_WRLCK,
		       "100-EOF not locked");
	printf("child: ofd write lock 100-EOF held\n");
	TESTING_ASSERT(probe(c, F_OFD_GETLK, 0, 100, &pid) == F_UNLCK,
		       "0-99 locked");
	printf("child: ofd 0-99 free\n");
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc >= 2, "usage: locks-held DIR [flock|posix|ofd CMD...]");
	const char *only = argc >= 3 ? argv[2] : "";
	int a = open_at(argv[1], "a", 10), b = open_at(argv[1], "b", 11),
	    c = open_at(argv[1], "c", 12);
	if (!*only || !strcmp(only, "flock"))
		TESTING_ASSERT(flock(a, LOCK_EX) == 0, "flock");
	if (!*only || !strcmp(only, "posix")) {
		posix_lock(b, F_SETLK, F_WRLCK, 10, 10);
		posix_lock(b, F_SETLK, F_RDLCK, 50, 10);
	}
	if (!*only || !strcmp(only, "ofd"))
		posix_lock(c, F_OFD_SETLK, F_WRLCK, 100, 0);
	printf("locked\n");
	if (*only) {
		// The original holds its locks while a restore is tried.
		int rc = ckpt_checkpoint(NULL);
		TESTING_ASSERT(rc >= 0, "checkpoint failed: %d", rc);
		if (rc == 1) {
			printf("FAILED: restored while the lock was held\n");
			return 1;
		}
		pid_t p = fork();
		if (p == 0) {
			execvp(argv[3], argv + 3);
			_exit(127);
		}
		int st;
		TESTING_ASSERT(waitpid(p, &st, 0) == p, "waitpid");
		printf("restorer exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return 0;
	}
	testing_checkpoint_or_exit();
	pid_t p = fork();
	if (p == 0) {
		fflush(stdout);
		_exit(child(argv[1]));
	}
	int st;
	TESTING_ASSERT(waitpid(p, &st, 0) == p, "waitpid");
	printf("child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	TESTING_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child failed");
	// They are the restored process's own: it can let them go.
	TESTING_ASSERT(flock(a, LOCK_UN) == 0, "unlock flock");
	posix_lock(b, F_SETLK, F_UNLCK, 0, 0);
	posix_lock(c, F_OFD_SETLK, F_UNLCK, 0, 0);
	p = fork();
	if (p == 0) {
		int a2 = open_at(argv[1], "a", 20), b2 = open_at(argv[1], "b", 21);
		pid_t pid;
		_exit(flock(a2, LOCK_EX | LOCK_NB) != 0 ||
		      probe(b2, F_GETLK, 0, 0, &pid) != F_UNLCK);
	}
	TESTING_ASSERT(waitpid(p, &st, 0) == p && WIFEXITED(st) &&
			       WEXITSTATUS(st) == 0,
		       "the child cannot take the unlocked locks");
	printf("unlocked, the child takes them\n");
	return 0;
}
