// A deleted file still open comes back with its contents, offset and
// flags: tmpfile() written with a hole in it (only the data is stored),
// an unlinked file opened read-only, a dup that shares the offset again,
// and a second open of the same deleted file that still sees the first's
// writes. The restored file is unlinked too, in the directory the file
// was in.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %drive --image %t.ckpt --no-kill -- %t %t.d | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// The image holds the data, not the hole: far less than the 64 MiB offset.
// RUN: test $(stat -c %%s %t.ckpt) -lt 16000000
// Without the directory the files were in, they are made in the image's:
// RUN: rm -rf %t.d
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=GONE %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: tmpfile at 67108864: [tail]
// CHECK-NEXT: gen1: head: [head of the file]
// CHECK-NEXT: gen1: hole: zeroes
// CHECK-NEXT: gen1: dup shares the offset: 10
// CHECK-NEXT: gen1: read-only: [only read] at 4, O_RDONLY
// CHECK-NEXT: gen1: second open sees: [TAIL]
// CHECK-NEXT: gen1: unlinked in the same directory
// CHECK-NEXT: gen1: exit 0
//
// GONE: restored
// GONE-NEXT: tmpfile at 67108864: [tail]
// GONE-NEXT: head: [head of the file]
// GONE: second open sees: [TAIL]
// GONE-NEXT: unlinked, its directory is gone
//
// INFO: fd 10 recreate file rw deleted offset 67108864 size 67108868 stored {{[0-9]+}} {{.*}} (deleted)
// INFO: fd 11 dup file rw deleted offset 67108864 shares fd 10
// INFO: fd 12 recreate file r cloexec deleted offset 4 size 13 stored 13 {{.*}}/ro (deleted)
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define FAR (64L << 20)

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: deleted-tmpfile DIR");
	char name[4096], ro[4096];
	snprintf(name, sizeof name, "%s/tmp", argv[1]);
	snprintf(ro, sizeof ro, "%s/ro", argv[1]);

	// tmpfile()'s way: create, unlink, keep the descriptor.
	int fd = open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	TESTING_ASSERT(fd >= 0, "create %s", name);
	TESTING_ASSERT(unlink(name) == 0, "unlink");
	TESTING_ASSERT(dup2(fd, 10) == 10, "dup2 10");
	close(fd);
	testing_put_at(10, "head of the file", 0);
	testing_put_at(10, "tail", FAR);
	TESTING_ASSERT(lseek(10, FAR, SEEK_SET) == FAR, "lseek");
	TESTING_ASSERT(dup2(10, 11) == 11, "dup2 11");

	int w = open(ro, O_CREAT | O_EXCL | O_WRONLY, 0600);
	TESTING_ASSERT(w >= 0 && write(w, "skiponly read", 13) == 13, "ro");
	close(w);
	fd = open(ro, O_RDONLY | O_CLOEXEC);
	TESTING_ASSERT(fd >= 0 && unlink(ro) == 0, "ro open, unlink");
	TESTING_ASSERT(dup3(fd, 12, O_CLOEXEC) == 12, "dup3 12");
	close(fd);
	char four[4];
	TESTING_ASSERT(read(12, four, 4) == 4, "read 4");
	TESTING_ASSERT(fchmod(10, 0640) == 0, "fchmod");

	// A second open file description of the deleted tmpfile.
	char self[64];
	snprintf(self, sizeof self, "/proc/self/fd/%d", 10);
	fd = open(self, O_RDONLY);
	TESTING_ASSERT(fd >= 0 && dup2(fd, 13) == 13, "reopen 13");
	close(fd);

	int rc = ckpt_checkpoint(NULL);
	if (rc == 0) {
		testing_put_at(10, "lost", FAR); // after the checkpoint: not restored
		printf("checkpointed\n");
		return 0;
	}
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	printf("restored\n");

	off_t pos = lseek(10, 0, SEEK_CUR);
	char tail[8] = {0};
	TESTING_ASSERT(read(10, tail, 4) == 4, "read tail");
	printf("tmpfile at %lld: [%s]\n", (long long)pos, tail);
	printf("head: [%s]\n", testing_get_at(10, 0, 16));
	const char *hole = testing_get_at(10, 4096 * 7, 64);
	int zero = 1;
	for (int i = 0; i < 64; i++)
		zero = zero && hole[i] == 0;
	printf("hole: %s\n", zero ? "zeroes" : "data");
	TESTING_ASSERT(lseek(11, 10, SEEK_SET) == 10, "lseek dup");
	printf("dup shares the offset: %lld\n",
	       (long long)lseek(10, 0, SEEK_CUR));

	char rest[16] = {0};
	TESTING_ASSERT(read(12, rest, 9) == 9, "read ro");
	printf("read-only: [%s] at 4, %s\n", rest,
	       (fcntl(12, F_GETFL) & O_ACCMODE) == O_RDONLY ? "O_RDONLY"
							    : "other");
	TESTING_ASSERT(write(12, "x", 1) < 0, "read-only stays read-only");
	TESTING_ASSERT(fcntl(12, F_GETFD) == FD_CLOEXEC, "cloexec");

	testing_put_at(10, "TAIL", FAR);
	printf("second open sees: [%s]\n", testing_get_at(13, FAR, 4));

	struct stat st, dir;
	TESTING_ASSERT(fstat(10, &st) == 0, "fstat");
	TESTING_ASSERT(st.st_nlink == 0, "restored file unlinked");
	TESTING_ASSERT((st.st_mode & 07777) == 0640, "mode %o", st.st_mode);
	if (stat(argv[1], &dir) != 0)
		printf("unlinked, its directory is gone\n");
	else
		printf("unlinked in the %s directory\n",
	       st.st_dev == dir.st_dev ? "same" : "other");
	return 0;
}
