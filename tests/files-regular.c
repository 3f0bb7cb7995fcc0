// Open regular files come back at the same descriptor numbers, with their
// flags and offsets: a file written before the checkpoint goes on after
// what was written (even with a process that wrote more and was thrown
// away in between); an O_APPEND file still appends (after what someone
// else appended meanwhile); a read goes on where it stopped; a dup()
// shares its offset again; FD_CLOEXEC, a directory descriptor and
// /dev/null come back too.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %drive --image %t.ckpt --no-kill -- %t %t.d | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: read goes on: 456
// CHECK-NEXT: gen1: log: [before|after|dup after]
// CHECK-NEXT: gen1: append: [one|two (meanwhile)|three]
// CHECK-NEXT: gen1: flags ok
// CHECK-NEXT: gen1: directory ok
// CHECK-NEXT: gen1: /dev/null ok
// CHECK-NEXT: gen1: exit 0
//
// INFO: fd 10 reopen file rw offset 7 {{.*}}/log
// INFO: fd 11 reopen file w append offset 4 {{.*}}/append
// INFO: fd 12 reopen file r offset 4 {{.*}}/input
// INFO: fd 13 dup file rw offset 7 shares fd 10 {{.*}}/log
// INFO: fd 14 reopen file r cloexec offset 0 {{.*}}/input
// INFO: fd 15 reopen dir r offset {{[0-9]+}} {{.*}}files-regular.c.tmp.d
// INFO: fd 16 reopen chr w /dev/null
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static char dir[4096];

static const char *path(const char *name)
{
	static char buf[2][4096 + 64];
	static int k;
	k ^= 1;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

// Opens name at descriptor fd exactly.
static void open_at(int fd, const char *name, int flags)
{
	int tmp = open(name, flags, 0644);
	TESTING_ASSERT(tmp >= 0, "open %s", name);
	TESTING_ASSERT(dup3(tmp, fd, flags & O_CLOEXEC) == fd, "dup3");
	close(tmp);
}

static void put(int fd, const char *s)
{
	TESTING_ASSERT(write(fd, s, strlen(s)) == (ssize_t)strlen(s),
		       "write %s", s);
}

// The file's content with newlines shown as '|'.
static const char *content(const char *name)
{
	static char buf[256];
	int fd = open(name, O_RDONLY);
	TESTING_ASSERT(fd >= 0, "open %s", name);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	TESTING_ASSERT(n >= 0, "read %s", name);
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = '|';
	return buf;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: files-regular DIR");
	snprintf(dir, sizeof dir, "%s", argv[1]);

	int in = open(path("input"), O_CREAT | O_TRUNC | O_WRONLY, 0644);
	put(in, "0123456789");
	close(in);

	open_at(10, path("log"), O_CREAT | O_TRUNC | O_RDWR);
	put(10, "before\n");
	open_at(11, path("append"), O_CREAT | O_TRUNC | O_WRONLY | O_APPEND);
	put(11, "one\n");
	open_at(12, path("input"), O_RDONLY);
	char got[8] = {0};
	TESTING_ASSERT(read(12, got, 4) == 4, "read 4");
	TESTING_ASSERT(dup2(10, 13) == 13, "dup2");
	open_at(14, path("input"), O_RDONLY | O_CLOEXEC);
	open_at(15, dir, O_RDONLY | O_DIRECTORY);
	open_at(16, "/dev/null", O_WRONLY);

	int rc = ckpt_checkpoint(NULL);
	if (rc == 0) {
		// What this process writes after the checkpoint is not part of
		// the restored one's past: the log is overwritten from the
		// saved offset. The append file grows under it.
		put(10, "thrown away\n");
		int other = open(path("append"), O_WRONLY | O_APPEND);
		put(other, "two (meanwhile)\n");
		close(other);
		printf("checkpointed\n");
		return 0;
	}
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	printf("restored\n");

	memset(got, 0, sizeof got);
	TESTING_ASSERT(read(12, got, 3) == 3, "read goes on");
	printf("read goes on: %s\n", got);

	put(10, "after\n");
	put(13, "dup after\n"); // longer than what it overwrites
	printf("log: [%s]\n", content(path("log")));

	put(11, "three\n");
	printf("append: [%s]\n", content(path("append")));

	TESTING_ASSERT(fcntl(11, F_GETFL) & O_APPEND, "O_APPEND kept");
	TESTING_ASSERT((fcntl(10, F_GETFL) & O_ACCMODE) == O_RDWR, "O_RDWR");
	TESTING_ASSERT((fcntl(12, F_GETFL) & O_ACCMODE) == O_RDONLY,
		       "O_RDONLY");
	TESTING_ASSERT(fcntl(14, F_GETFD) == FD_CLOEXEC, "FD_CLOEXEC kept");
	TESTING_ASSERT(fcntl(10, F_GETFD) == 0, "no FD_CLOEXEC on fd 10");
	TESTING_ASSERT(lseek(14, 0, SEEK_CUR) == 0, "fd 14 at 0");
	printf("flags ok\n");

	struct stat st;
	TESTING_ASSERT(fstat(15, &st) == 0 && S_ISDIR(st.st_mode), "dir fd");
	int via = openat(15, "input", O_RDONLY);
	TESTING_ASSERT(via >= 0, "openat through the directory descriptor");
	close(via);
	printf("directory ok\n");

	TESTING_ASSERT(write(16, "x", 1) == 1, "write to /dev/null");
	TESTING_ASSERT(fstat(16, &st) == 0 && S_ISCHR(st.st_mode), "chr");
	printf("/dev/null ok\n");
	return 0;
}
