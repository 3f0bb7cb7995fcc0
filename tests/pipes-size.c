// 100 KiB in a pipe whose size was raised to 256 KiB: the restored pipe
// has that size and every byte, in order; the original keeps them too.
// So with a forked writer (the bytes are copied before the fork).
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t 2>%t.err | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.err
// RUN: env CKPT_FORK=1 %drive --image %t.f.ckpt --no-kill -- %t 2>%t.ferr | FileCheck %s
// RUN: FileCheck --check-prefix=ERR --allow-empty %s < %t.ferr
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: original: size 262144, 102400 bytes as written
// CHECK-NEXT: gen0: exit 0
// CHECK: gen1: restored
// CHECK-NEXT: gen1: restored: size 262144, 102400 bytes as written
// CHECK-NEXT: gen1: exit 0
// ERR-NOT: is not restored
// INFO: fd 10 recreate fifo r pipe:[{{[0-9]+}}] size 262144, 102400 bytes buffered, write end fd 11
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define BYTES (100 * 1024)

static unsigned char buf[BYTES];

static void check(const char *who)
{
	int size = fcntl(10, F_GETPIPE_SZ);
	size_t got = 0;
	while (got < BYTES) {
		ssize_t n = read(10, buf + got, BYTES - got);
		TESTING_ASSERT(n > 0, "%s: read at %zu: errno %d", who, got,
			       errno);
		got += n;
	}
	for (size_t i = 0; i < BYTES; i++)
		TESTING_ASSERT(buf[i] == (unsigned char)testing_value(i),
			       "%s: byte %zu", who, i);
	// Nothing more: the write end is nonblocking, the read end is not.
	TESTING_ASSERT(fcntl(10, F_SETFL, O_NONBLOCK) == 0, "nonblock");
	TESTING_ASSERT(read(10, buf, 1) == -1 && errno == EAGAIN,
		       "%s: a byte too many", who);
	printf("%s: size %d, %zu bytes as written\n", who, size, got);
}

int main(void)
{
	testing_start();
	int p[2];
	TESTING_ASSERT(pipe(p) == 0, "pipe");
	TESTING_ASSERT(dup2(p[0], 10) == 10 && dup2(p[1], 11) == 11, "dup2");
	close(p[0]);
	close(p[1]);
	TESTING_ASSERT(fcntl(11, F_SETPIPE_SZ, 256 * 1024) == 256 * 1024,
		       "F_SETPIPE_SZ: errno %d", errno);
	for (size_t i = 0; i < BYTES; i++)
		buf[i] = (unsigned char)testing_value(i);
	TESTING_ASSERT(write(11, buf, BYTES) == BYTES, "write");
	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc == 0 || rc == 1, "checkpoint failed: %d", rc);
	if (rc == 1)
		printf("restored\n");
	else // a forked writer: the image is whole when it is done
		TESTING_ASSERT(ckpt_wait() == 0, "ckpt_wait");
	check(rc == 0 ? "original" : "restored");
	return 0;
}
