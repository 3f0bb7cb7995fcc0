// CKPT_FILES=snapshot: the contents of a file the app rewrites in place
// (a database) and of one it appends to (its journal) go into the image,
// and the restore writes them back into the same files (the same inodes)
// before the point of no return: what the original wrote after the
// checkpoint, overwriting, growing or truncating them, is gone, holes
// and all, also from a private mapping of one. A file open only for
// reading is not stored.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_FILES='snapshot:*/data.*' %drive --image %t.ckpt --no-kill -- %t %t.d | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// With CKPT_FORK=1 the writer runs while the app goes on writing: the
// snapshot is still the checkpoint's (copied before the writer forks):
// RUN: rm -rf %t.f && mkdir -p %t.f
// RUN: env CKPT_FORK=1 CKPT_FILES='snapshot:*/data.*' %drive --image %t.fork.ckpt --no-kill -- %t %t.f | FileCheck %s
// A snapshot above CKPT_MAX_FILE_CONTENTS fails the checkpoint, naming
// the file, and the image before it stays:
// RUN: cp %t.ckpt %t.before
// RUN: env CKPT_FILES=snapshot CKPT_MAX_FILE_CONTENTS=4K CKPT_IMAGE=%t.ckpt %run %t %t.d 2>&1 | FileCheck --check-prefix=BIG %s
// RUN: cmp %t.ckpt %t.before
// Hostile policy entries are refused before anything is written:
// RUN: cp %t.ckpt %t.bad && %python %S/lib/patch_image.py %t.bad --section-u64 24:0=0x0000000700000003
// RUN: { %run %restorer %t.bad 2>&1; echo "exit $?"; } | FileCheck --check-prefix=BAD %s
// RUN: cp %t.ckpt %t.bad && %python %S/lib/patch_image.py %t.bad --section-u64 24:0=0x0000000200000001
// RUN: { %run %restorer %t.bad 2>&1; echo "exit $?"; } | FileCheck --check-prefix=BAD %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: data.db: [version 1] size 2097158, same inode
// CHECK-NEXT: gen1: data.db at 1 MiB: [tail 1], hole: zeroes
// CHECK-NEXT: gen1: data.db mapped: [version 1]
// CHECK-NEXT: gen1: data.db-journal: [journal 1;journal 2;] at 20 and 20
// CHECK-NEXT: gen1: data.ro: not stored
// CHECK-NEXT: gen1: exit 0
//
// INFO: fd 3 reopen file rw offset 9 size 2097158 stored {{[0-9]+}} snapshot {{.*}}/data.db
// INFO: fd 4 reopen file w append offset 20 size 20 stored 20 snapshot {{.*}}/data.db-journal
// INFO: fd 5 reopen file r offset 0 {{.*}}/data.ro
// INFO: fd 6 reopen file r offset 20 {{.*}}/data.db-journal
//
// BIG: ckpt: {{.*}}fd 3 ({{.*}}/data.db): its contents are {{[0-9]+}} bytes, above CKPT_MAX_FILE_CONTENTS (4096 bytes)
// BIG: checkpoint failed
//
// BAD: file policy entry is invalid
// BAD-NEXT: exit 1
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define MIB (1L << 20)

static void open_at(int fd, const char *dir, const char *name, int flags)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int got = open(path, flags | O_CREAT, 0644);
	TESTING_ASSERT(got >= 0 && dup2(got, fd) == fd, "open %s", path);
	if (got != fd)
		close(got);
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: files-policy-snapshot DIR");
	open_at(3, argv[1], "data.db", O_RDWR | O_TRUNC);
	open_at(4, argv[1], "data.db-journal", O_WRONLY | O_APPEND | O_TRUNC);
	open_at(5, argv[1], "data.ro", O_RDWR | O_TRUNC);
	testing_put_at(5, "read only", 0);
	close(5);
	open_at(5, argv[1], "data.ro", O_RDONLY);
	testing_put_at(3, "version 1", 0);
	testing_put_at(3, "tail 1", MIB);
	testing_put_at(3, "end 1", 2 * MIB); // the last 6 bytes: size 2 MiB + 6
	TESTING_ASSERT(ftruncate(3, 2 * MIB + 6) == 0, "ftruncate");
	TESTING_ASSERT(lseek(3, 9, SEEK_SET) == 9, "lseek");
	TESTING_ASSERT(write(4, "journal 1;journal 2;", 20) == 20, "journal");
	// Another open of it, read to its end: its offset is past the end
	// of the file the original truncated, and fine once it is rewritten.
	open_at(6, argv[1], "data.db-journal", O_RDONLY);
	char all[20];
	TESTING_ASSERT(read(6, all, 20) == 20, "read journal");
	struct stat before;
	TESTING_ASSERT(fstat(3, &before) == 0, "fstat");
	// A private mapping of it: its pages are the file's, which change
	// (mtime too) after the checkpoint, and are the checkpoint's again.
	const char *map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0);
	TESTING_ASSERT(map != MAP_FAILED, "mmap");

	int rc = ckpt_checkpoint(NULL);
	if (rc < 0) {
		printf("checkpoint failed: %d\n", rc);
		return 0;
	}
	if (rc == 0) {
		// Rewritten, grown and truncated after the checkpoint.
		testing_put_at(3, "version 2", 0);
		testing_put_at(3, "hole 2", MIB / 2);
		testing_put_at(3, "after", 3 * MIB);
		TESTING_ASSERT(ftruncate(4, 0) == 0, "ftruncate journal");
		TESTING_ASSERT(write(4, "journal 3;", 10) == 10, "journal 3");
		TESTING_ASSERT(ckpt_wait() == 0, "image"); // CKPT_FORK=1
		printf("checkpointed\n");
		return 0;
	}
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	printf("restored\n");

	struct stat now;
	TESTING_ASSERT(fstat(3, &now) == 0, "fstat");
	printf("data.db: [%s] size %lld, %s inode\n", testing_get_at(3, 0, 9),
	       (long long)now.st_size,
	       now.st_ino == before.st_ino ? "same" : "another");
	const char *hole = testing_get_at(3, MIB / 2, 64);
	int zero = 1;
	for (int i = 0; i < 64; i++)
		zero = zero && hole[i] == 0;
	printf("data.db at 1 MiB: [%s], hole: %s\n", testing_get_at(3, MIB, 6),
	       zero ? "zeroes" : "data");
	printf("data.db mapped: [%.9s]\n", map);

	char path[4096];
	snprintf(path, sizeof path, "%s/data.db-journal", argv[1]);
	int j = open(path, O_RDONLY);
	TESTING_ASSERT(j >= 0, "open journal");
	printf("data.db-journal: [%s] at %lld and %lld\n", testing_get_at(j, 0, 64),
	       (long long)lseek(4, 0, SEEK_CUR),
	       (long long)lseek(6, 0, SEEK_CUR));
	struct stat ro;
	TESTING_ASSERT(fstat(5, &ro) == 0, "fstat ro");
	printf("data.ro: %s\n", ro.st_size == 9 ? "not stored" : "changed");
	return 0;
}
