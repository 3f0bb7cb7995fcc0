// A memfd or deleted file mapped MAP_SHARED whose descriptor the process
// closed (only its mappings hold it) comes back as a shared mapping of a
// new memfd, one per file: two mappings of one file stay one memory (a
// write through one shows through the other), at their offsets, with the
// contents they had; two files stay two. Twice, so that a restored one
// is checkpointed again. Shared anonymous memory stays what it was.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %drive --image %t.ckpt --restores 2 -- %t %t.d | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: ready
// CHECK-NEXT: gen0: signal KILL
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: memfd: contents memfd page 0 / memfd page 1
// CHECK-NEXT: gen1: memfd: a write through one mapping shows through the others
// CHECK-NEXT: gen1: deleted file: contents file page 0
// CHECK-NEXT: gen1: deleted file: a write through one mapping shows through the other
// CHECK-NEXT: gen1: the two files are apart
// CHECK-NEXT: gen1: shared anonymous: shared with a child
// CHECK-NEXT: gen1: signal KILL
// CHECK-NEXT: gen2: restored
// CHECK-NEXT: gen2: memfd: contents written 1 / written 1 page 1
// CHECK-NEXT: gen2: memfd: a write through one mapping shows through the others
// CHECK-NEXT: gen2: deleted file: contents written 1
// CHECK-NEXT: gen2: deleted file: a write through one mapping shows through the other
// CHECK-NEXT: gen2: the two files are apart
// CHECK-NEXT: gen2: shared anonymous: shared with a child
// CHECK-NEXT: gen2: exit 0
//
// The image of the restored process (its second checkpoint): the deleted
// file is a memfd named after its path now.
// INFO-DAG: rw-s file 12288 /memfd:ckpt-shm (deleted) [memfd{{( of region [0-9]+)?}}]{{$}}
// INFO-DAG: rw-s file 12288 /memfd:ckpt-shm (deleted) [memfd{{( of region [0-9]+)?}}]{{$}}
// INFO-DAG: r--s file 4096 /memfd:ckpt-shm (deleted) [memfd{{( of region [0-9]+)?}}]{{$}}
// INFO-DAG: rw-s file 8192 /memfd:{{.*}}/file (deleted) [memfd{{( of region [0-9]+)?}}]{{$}}
// INFO-DAG: rw-s file 8192 /memfd:{{.*}}/file (deleted) [memfd{{( of region [0-9]+)?}}]{{$}}
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

enum { page = 4096 };

static char *a, *b, *c; // the memfd: all of it twice, its page 1 read-only
static char *f1, *f2;   // the deleted file, twice
static char *anon;      // MAP_SHARED | MAP_ANONYMOUS

static void check(int round)
{
	printf("memfd: contents %s / %s\n", a, b + page);
	snprintf(a, 64, "written %d", round);
	snprintf(b + page, 64, "written %d page 1", round);
	TESTING_ASSERT(strcmp(b, a) == 0, "b: %s", b);
	TESTING_ASSERT(strcmp(c, a + page) == 0, "c: %s", c);
	printf("memfd: a write through one mapping shows through the "
	       "others\n");
	printf("deleted file: contents %s\n", f1);
	snprintf(f2, 64, "written %d", round);
	TESTING_ASSERT(strcmp(f1, f2) == 0, "f1: %s", f1);
	printf("deleted file: a write through one mapping shows through the "
	       "other\n");
	TESTING_ASSERT(strcmp(a, "written 1") || strcmp(f1, "written 1") ||
			       a != f1,
		       "one memory");
	a[100] = 'x';
	TESTING_ASSERT(f1[100] != 'x', "the files are one");
	a[100] = 0;
	printf("the two files are apart\n");
	pid_t pid = fork();
	TESTING_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		strcpy(anon, "shared with a child");
		_exit(0);
	}
	TESTING_ASSERT(waitpid(pid, NULL, 0) == pid, "waitpid");
	printf("shared anonymous: %s\n", anon);
	strcpy(anon, "not yet");
}

static void *map(int fd, size_t len, int prot, off_t off)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	TESTING_ASSERT(p != MAP_FAILED, "mmap");
	return p;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: memfd-closed-shared DIR");
	int fd = memfd_create("ckpt-shm", 0);
	TESTING_ASSERT(fd >= 0 && ftruncate(fd, 3 * page) == 0, "memfd");
	a = map(fd, 3 * page, PROT_READ | PROT_WRITE, 0);
	b = map(fd, 3 * page, PROT_READ | PROT_WRITE, 0);
	c = map(fd, page, PROT_READ, page);
	close(fd);
	strcpy(a, "memfd page 0");
	strcpy(a + page, "memfd page 1");

	char path[4096];
	snprintf(path, sizeof path, "%s/file", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	TESTING_ASSERT(fd >= 0 && ftruncate(fd, 2 * page) == 0, "file");
	f1 = map(fd, 2 * page, PROT_READ | PROT_WRITE, 0);
	f2 = map(fd, 2 * page, PROT_READ | PROT_WRITE, 0);
	close(fd);
	unlink(path);
	strcpy(f1, "file page 0");

	anon = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TESTING_ASSERT(anon != MAP_FAILED, "mmap anon");
	strcpy(anon, "not yet");
	printf("ready\n");
	for (int round = 1; round <= 2; round++) {
		testing_checkpoint_and_wait();
		check(round);
	}
	return 0;
}
