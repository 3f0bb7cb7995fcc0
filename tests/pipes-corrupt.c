// Hostile pipe, eventfd and epoll records are refused before anything of
// the image is used: a pipe end that is no entry of the fd table, more
// bytes than the pipe holds, an epoll watch whose target index names
// another descriptor, an eventfd record on a pipe. Each: exit 1 and the
// message, nothing of the app runs.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && env CKPT_IMAGE=%t.ckpt %run %t | FileCheck --check-prefix=APP %s
// APP: checkpointed
// The records (section, byte offset in it, u32 value) patched, the
// metadata checksum made right again:
// RUN: echo "import sys, struct; sys.path.insert(0, sys.argv[1]); import patch_image as p; img = p.Image(sys.argv[2]); s = img.section(int(sys.argv[3])); struct.pack_into('<I', s[3], int(sys.argv[4]), int(sys.argv[5])); img.save()" > %t.py
// RUN: cp %t.ckpt %t.1 && %python %t.py %S/lib %t.1 9 0 999
// RUN: { %run %restorer %t.1 2>&1; echo "exit $?"; } | FileCheck --check-prefix=PIPE %s
// RUN: cp %t.ckpt %t.2 && %python %t.py %S/lib %t.2 9 12 100000
// RUN: { %run %restorer %t.2 2>&1; echo "exit $?"; } | FileCheck --check-prefix=PIPE %s
// PIPE: restorer: {{.*}}: pipe record is invalid (ends, size or data)
// PIPE-NEXT: exit 1
// The second event record is the epoll's watch: its target index is 0.
// RUN: cp %t.ckpt %t.3 && %python %t.py %S/lib %t.3 11 60 0
// RUN: { %run %restorer %t.3 2>&1; echo "exit $?"; } | FileCheck --check-prefix=EVENT %s
// The first one, the eventfd's, names the pipe's read end (index 3).
// RUN: cp %t.ckpt %t.4 && %python %t.py %S/lib %t.4 11 4 3
// RUN: { %run %restorer %t.4 2>&1; echo "exit $?"; } | FileCheck --check-prefix=EVENT %s
// EVENT: restorer: {{.*}}: eventfd or epoll record is invalid (fd, target or flags)
// EVENT-NEXT: exit 1
// The unpatched image restores.
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=GOOD %s
// GOOD: restored
// GOOD-NEXT: count 4
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(void)
{
	testing_start();
	int p[2];
	// fd 0-2, then the pipe (3, 4), the eventfd (5), the epoll (6).
	TESTING_ASSERT(pipe(p) == 0 && p[0] == 3, "pipe at 3");
	TESTING_ASSERT(write(p[1], "abc", 3) == 3, "write");
	int e = eventfd(4, 0), ep = epoll_create1(0);
	struct epoll_event ev = {EPOLLIN, {.u64 = 1}};
	TESTING_ASSERT(e == 5 && ep == 6 &&
			       epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) == 0,
		       "eventfd and epoll");
	testing_checkpoint_or_exit();
	uint64_t count;
	TESTING_ASSERT(read(e, &count, 8) == 8, "read");
	printf("count %llu\n", (unsigned long long)count);
	return 0;
}
