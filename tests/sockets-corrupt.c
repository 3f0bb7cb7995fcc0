// Hostile socket entries and messages are refused before anything of the
// image is used: a pair whose peer is an fd entry that is no socket, an
// unknown family, a message longer than the socket data, a message of a
// socket that is not there. Each: exit 1 and the message, nothing of the
// app runs.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && env CKPT_IMAGE=%t.ckpt %run %t | FileCheck --check-prefix=APP %s
// APP: checkpointed
// The entries (section, byte offset in it, u32 value) patched, the
// metadata checksum made right again:
// RUN: echo "import sys, struct; sys.path.insert(0, sys.argv[1]); import patch_image as p; img = p.Image(sys.argv[2]); s = img.section(int(sys.argv[3])); struct.pack_into('<I', s[3], int(sys.argv[4]), int(sys.argv[5])); img.save()" > %t.py
// RUN: cp %t.ckpt %t.1 && %python %t.py %S/lib %t.1 17 24 0
// RUN: { %run %restorer %t.1 2>&1; echo "exit $?"; } | FileCheck --check-prefix=SOCKET %s
// RUN: cp %t.ckpt %t.2 && %python %t.py %S/lib %t.2 17 4 99
// RUN: { %run %restorer %t.2 2>&1; echo "exit $?"; } | FileCheck --check-prefix=SOCKET %s
// SOCKET: restorer: {{.*}}: socket entry is invalid (fd, family, state, peer or address)
// SOCKET-NEXT: exit 1
// RUN: cp %t.ckpt %t.3 && %python %t.py %S/lib %t.3 18 4 100000
// RUN: { %run %restorer %t.3 2>&1; echo "exit $?"; } | FileCheck --check-prefix=MESSAGE %s
// RUN: cp %t.ckpt %t.4 && %python %t.py %S/lib %t.4 18 0 7
// RUN: { %run %restorer %t.4 2>&1; echo "exit $?"; } | FileCheck --check-prefix=MESSAGE %s
// MESSAGE: restorer: {{.*}}: socket message is invalid (socket, order or data)
// MESSAGE-NEXT: exit 1
// The unpatched image restores.
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=GOOD %s
// GOOD: restored
// GOOD-NEXT: read 'abc'
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(void)
{
	testing_start();
	int sv[2];
	// fd 0-2, then the pair (3, 4), with "abc" queued in fd 3.
	TESTING_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 &&
			       sv[0] == 3, "pair at 3");
	TESTING_ASSERT(send(4, "abc", 3, 0) == 3, "send");
	testing_checkpoint_or_exit();
	char buf[8] = {0};
	TESTING_ASSERT(recv(3, buf, sizeof buf, 0) == 3, "read");
	printf("read '%s'\n", buf);
	return 0;
}
