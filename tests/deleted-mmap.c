// A MAP_SHARED mapping of a memfd or of a deleted file that the process
// still has open comes back mapped from the file made again, not as a
// copy: what the restored process writes through the descriptor shows in
// the mapping and the other way round.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %drive --image %t.ckpt --no-kill -- %t %t.d | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: memfd map: [mapped memfd] fd: [mapped memfd]
// CHECK-NEXT: gen1: memfd after writes: map [FD WROTE] fd [MAP WROTE]
// CHECK-NEXT: gen1: deleted map: [mapped file] fd: [mapped file]
// CHECK-NEXT: gen1: deleted after writes: map [FD WROTE] fd [MAP WROTE]
// CHECK-NEXT: gen1: exit 0
//
// Nothing of them stored: the files hold it.
// INFO-DAG: {{[0-9a-f]+}}-{{[0-9a-f]+}} rw-s file 0 /memfd:shm (deleted)
// INFO-DAG: {{[0-9a-f]+}}-{{[0-9a-f]+}} rw-s file 0 {{.*}}/gone (deleted)
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static char *map(int fd, long len)
{
	TESTING_ASSERT(ftruncate(fd, len) == 0, "ftruncate");
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TESTING_ASSERT(m != MAP_FAILED, "mmap");
	return m;
}

static const char *at(int fd, long off, size_t n)
{
	static char buf[2][64];
	static int k;
	k ^= 1;
	ssize_t got = pread(fd, buf[k], n, off);
	buf[k][got < 0 ? 0 : got] = 0;
	return buf[k];
}

static void check(const char *what, int fd, char *m, long page)
{
	printf("%s map: [%s] fd: [%s]\n", what, m, at(fd, 0, strlen(m)));
	TESTING_ASSERT(pwrite(fd, "FD WROTE", 9, page) == 9, "pwrite");
	strcpy(m + page + 100, "MAP WROTE");
	printf("%s after writes: map [%s] fd [%s]\n", what, m + page,
	       at(fd, page + 100, 9));
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: deleted-mmap DIR");
	long page = sysconf(_SC_PAGESIZE);
	int fd = memfd_create("shm", 0);
	TESTING_ASSERT(fd >= 0 && dup2(fd, 10) == 10, "memfd");
	close(fd);
	char *shm = map(10, 2 * page);
	strcpy(shm, "mapped memfd");

	char name[4096];
	snprintf(name, sizeof name, "%s/gone", argv[1]);
	fd = open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	TESTING_ASSERT(fd >= 0 && dup2(fd, 11) == 11, "create");
	close(fd);
	TESTING_ASSERT(unlink(name) == 0, "unlink");
	char *del = map(11, 2 * page);
	strcpy(del, "mapped file");

	testing_checkpoint_or_exit();
	check("memfd", 10, shm, page);
	check("deleted", 11, del, page);
	return 0;
}
