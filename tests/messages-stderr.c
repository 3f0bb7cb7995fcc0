// The restorer's messages go to its own stderr, also after the point of
// no return, when the app's descriptors are in place: an app whose fd 2 is
// its log file, and a restore that dies late (a thread pointer the kernel
// refuses, set in the thread record with a valid checksum): the message is on
// the restorer's stderr, and the log file is as it was.
// REQUIRES: x86_64
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.d/log | FileCheck --check-prefix=APP %s
// RUN: cp %t.d/log %t.d/log.before
// The thread record's arch.state.gs_base (offset 120): not a user address.
// RUN: %python %S/lib/patch_image.py %t.ckpt --thread-u64 120=0x8000000000000000
// RUN: { timeout 20 %run %restorer %t.ckpt 2>%t.d/err; echo "exit $?"; } | FileCheck --check-prefix=EXIT %s
// RUN: FileCheck --check-prefix=ERR %s < %t.d/err
// RUN: cmp %t.d/log %t.d/log.before
//
// APP: checkpointed
// EXIT-NOT: restored
// EXIT: exit 1
// ERR: restorer: {{.*}}.ckpt: {{.+}}
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: messages-stderr LOG");
	int fd = open(argv[1], O_CREAT | O_TRUNC | O_WRONLY, 0644);
	TESTING_ASSERT(fd >= 0, "open %s", argv[1]);
	TESTING_ASSERT(dup2(fd, 2) == 2, "dup2");
	close(fd);
	fprintf(stderr, "log: before the checkpoint\n");
	testing_checkpoint_or_exit();
	fprintf(stderr, "log: restored\n");
	return 0;
}
