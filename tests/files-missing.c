// A restore needs the files the process had open, as long as it had them:
// a file that is gone or shorter than the offset the process was at, and
// a working directory that is gone,
// make the restorer refuse (status 1, the file named, nothing of the app
// run) unless --allow-missing-files, which restores without them: a
// warning each, their descriptors held by placeholders, the working directory the
// restorer's.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d/wd
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.d | FileCheck --check-prefix=APP %s
//
// The data file shrank:
// RUN: cp %t.d/data %t.d/data.orig && printf 'hel' > %t.d/data
// RUN: { %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=SHORT %s
// RUN: cp %t.d/data.orig %t.d/data
//
// The other file is gone:
// RUN: rm %t.d/gone
// RUN: { %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=GONE %s
//
// The working directory is gone (and the file is back, as another one):
// RUN: touch %t.d/gone && rmdir %t.d/wd
// RUN: { %run %restorer --allow-changed-files %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=WD %s
//
// Both gone, restored anyway:
// RUN: rm %t.d/gone
// RUN: { %run %restorer --allow-missing-files %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=ALLOW %s
// (A file deleted before the checkpoint comes back from the image:
// deleted-*.c.)
//
// APP: checkpointed
// SHORT: restorer: {{.*}}.ckpt: fd 10 ({{.*}}/data): the file is now shorter than the offset it was at (--allow-missing-files restores without it)
// SHORT-NOT: restored
// SHORT: exit 1
// GONE: restorer: {{.*}}.ckpt: fd 11 ({{.*}}/gone): cannot reopen it: ENOENT (no such file or directory) (--allow-missing-files restores without it)
// GONE-NOT: restored
// GONE: exit 1
// WD: restorer: {{.*}}.ckpt: working directory {{.*}}/wd: ENOENT (no such file or directory) (--allow-missing-files restores in the current one)
// WD-NOT: restored
// WD: exit 1
// ALLOW: restorer: {{.*}}.ckpt: fd 11 ({{.*}}/gone) is not restored: cannot reopen it: ENOENT (no such file or directory)
// ALLOW: restorer: {{.*}}.ckpt: working directory {{.*}}/wd: ENOENT (no such file or directory); the process starts in the restorer's
// ALLOW: restored
// ALLOW-NEXT: data: hello world
// ALLOW-NEXT: fd 11 held
// ALLOW-NEXT: exit 0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void open_at(int fd, const char *dir, const char *name, int flags)
{
	char path[4096 + 64];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int tmp = open(path, flags, 0644);
	TESTING_ASSERT(tmp >= 0, "open %s", path);
	TESTING_ASSERT(dup2(tmp, fd) == fd, "dup2");
	close(tmp);
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: files-missing DIR");
	const char *dir = argv[1];
	open_at(10, dir, "data", O_CREAT | O_TRUNC | O_RDWR);
	TESTING_ASSERT(write(10, "hello", 5) == 5, "write");
	open_at(11, dir, "gone", O_CREAT | O_TRUNC | O_RDWR);
	char wd[4096 + 64];
	snprintf(wd, sizeof wd, "%s/wd", dir);
	TESTING_ASSERT(chdir(wd) == 0, "chdir");

	testing_checkpoint_or_exit();
	TESTING_ASSERT(write(10, " world", 6) == 6, "write after");
	char buf[64] = {0};
	TESTING_ASSERT(pread(10, buf, sizeof buf - 1, 0) == 11, "pread");
	printf("data: %s\n", buf);
	TESTING_ASSERT(testing_placeholder(11), "fd 11 should be held");
	printf("fd 11 held\n");
	return 0;
}
