// memfds come back as memfds: the same name, contents, offset and seals.
// One sealed against growing and shrinking stays so; one made without
// MFD_ALLOW_SEALING still refuses seals; one sealed against writes keeps
// its data read-only; a read-only open of a memfd (another open file
// description of it, through /proc/self/fd) sees the first one's writes.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: fd 10: /memfd:ckpt-sealed (deleted) at 5: [sealed contents]
// CHECK-NEXT: gen1: fd 10: seals shrink grow, grow EPERM, shrink EPERM, rewrite ok
// CHECK-NEXT: gen1: fd 11: /memfd:plain (deleted) [plain] seals seal, add EPERM
// CHECK-NEXT: gen1: fd 12: [frozen] write EPERM
// CHECK-NEXT: gen1: fd 13: read-only, sees [SEALED]
// CHECK-NEXT: gen1: exit 0
//
// INFO: fd 10 recreate memfd rw deleted offset 5 size 15 stored 15 seals 0x6 /memfd:ckpt-sealed (deleted)
// INFO: fd 11 recreate memfd rw deleted offset 5 size 5 stored 5 seals 0x1 /memfd:plain (deleted)
// INFO: fd 12 recreate memfd rw deleted offset 0 size 6 stored 6 seals 0x8 /memfd:frozen (deleted)
// INFO: fd 13 recreate memfd r deleted offset 0 size 15 same file as fd 10 seals 0x6 /memfd:ckpt-sealed (deleted)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void make(int at, const char *name, unsigned flags, const char *data)
{
	int fd = memfd_create(name, flags);
	TESTING_ASSERT(fd >= 0, "memfd_create %s", name);
	TESTING_ASSERT(dup2(fd, at) == at, "dup2");
	close(fd);
	TESTING_ASSERT(write(at, data, strlen(data)) == (ssize_t)strlen(data),
		       "write");
}

static const char *link_of(int fd)
{
	static char buf[256];
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, buf, sizeof buf - 1);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static const char *at(int fd, off_t off, size_t n)
{
	static char buf[64];
	ssize_t got = pread(fd, buf, n, off);
	buf[got < 0 ? 0 : got] = 0;
	return buf;
}

static const char *err(int ret)
{
	return ret >= 0 ? "ok" : errno == EPERM ? "EPERM" : strerror(errno);
}

int main(void)
{
	testing_start();
	make(10, "ckpt-sealed", MFD_ALLOW_SEALING, "sealed contents");
	TESTING_ASSERT(fcntl(10, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0,
		       "seal");
	TESTING_ASSERT(lseek(10, 5, SEEK_SET) == 5, "lseek");
	make(11, "plain", 0, "plain");
	make(12, "frozen", MFD_ALLOW_SEALING, "frozen");
	TESTING_ASSERT(fcntl(12, F_ADD_SEALS, F_SEAL_WRITE) == 0, "seal write");
	TESTING_ASSERT(lseek(12, 0, SEEK_SET) == 0, "lseek");
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", 10);
	int ro = open(proc, O_RDONLY);
	TESTING_ASSERT(ro >= 0 && dup2(ro, 13) == 13, "reopen");
	close(ro);

	testing_checkpoint_or_exit();

	char buf[32] = {0};
	TESTING_ASSERT(read(10, buf, 10) == 10, "read");
	printf("fd 10: %s at 5: [%s]\n", link_of(10), at(10, 0, 15));
	int seals = fcntl(10, F_GET_SEALS);
	TESTING_ASSERT(seals == (F_SEAL_SHRINK | F_SEAL_GROW), "seals %x",
		       seals);
	const char *grow = err(pwrite(10, "x", 1, 15));
	const char *shrink = err(ftruncate(10, 3));
	printf("fd 10: seals shrink grow, grow %s, shrink %s, rewrite %s\n",
	       grow, shrink, err(pwrite(10, "SEALED", 6, 0)));

	TESTING_ASSERT(fcntl(11, F_GET_SEALS) == F_SEAL_SEAL, "seal seal");
	printf("fd 11: %s [%s] seals seal, add %s\n", link_of(11),
	       at(11, 0, 5), err(fcntl(11, F_ADD_SEALS, F_SEAL_GROW)));

	TESTING_ASSERT(fcntl(12, F_GET_SEALS) == F_SEAL_WRITE, "seal write");
	printf("fd 12: [%s] write %s\n", at(12, 0, 6),
	       err(write(12, "x", 1)));

	TESTING_ASSERT((fcntl(13, F_GETFL) & O_ACCMODE) == O_RDONLY, "ro");
	printf("fd 13: read-only, sees [%s]\n", at(13, 0, 6));
	return 0;
}
