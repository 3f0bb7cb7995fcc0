// A lease (F_SETLEASE) is not saved: the checkpoint names it, and the
// restored process holds no lease (the file's other locks come back).
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d && echo data > %t.d/leased
// RUN: %drive --image %t.ckpt --no-kill -- %t %t.d/leased 2> %t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR %s < %t.err
//
// CHECK: gen0: leased
// CHECK: gen1: restored
// CHECK-NEXT: gen1: no lease, flock held
// ERR: gen0! ckpt: fd 10 ({{.*}}/leased): a lease (F_SETLEASE) on it is not saved
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/file.h>

#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: locks-lease FILE");
	int fd = open(argv[1], O_RDONLY);
	TESTING_ASSERT(fd >= 0 && dup2(fd, 10) == 10, "open %s", argv[1]);
	close(fd);
	TESTING_ASSERT(fcntl(10, F_SETLEASE, F_RDLCK) == 0, "F_SETLEASE: %s",
		       strerror(errno));
	TESTING_ASSERT(flock(10, LOCK_SH) == 0, "flock");
	printf("leased\n");
	testing_checkpoint_or_exit();
	TESTING_ASSERT(fcntl(10, F_GETLEASE) == F_UNLCK, "a lease came back");
	int other = open(argv[1], O_RDONLY);
	TESTING_ASSERT(other >= 0 && flock(other, LOCK_EX | LOCK_NB) == -1 &&
			       errno == EWOULDBLOCK,
		       "flock not held");
	printf("no lease, flock held\n");
	return 0;
}
