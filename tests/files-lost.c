// A descriptor whose state the checkpoint could not read (fd_lost: statx
// and fstat failed) does not come back: the restorer says so, naming it,
// and the app finds its number held by a placeholder (reads and writes
// fail with EBADF; no later open() gets it). The flag is set in the image here, with a
// valid checksum.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.d/data | FileCheck --check-prefix=APP %s
// RUN: %python %S/lib/patch_image.py %t.ckpt --fd-flags 10=4
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// RUN: { timeout 20 %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck %s
//
// APP: checkpointed
// INFO: fd 10 lost file rw lost offset 4 {{.*}}/data
// CHECK: restorer: {{.*}}.ckpt: fd 10 ({{.*}}/data) is not restored: its state could not be read at checkpoint
// CHECK: restored
// CHECK-NEXT: fd 10 held
// CHECK-NEXT: exit 0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: files-lost FILE");
	int fd = open(argv[1], O_CREAT | O_TRUNC | O_RDWR, 0644);
	TESTING_ASSERT(fd >= 0 && dup2(fd, 10) == 10, "open %s", argv[1]);
	close(fd);
	TESTING_ASSERT(write(10, "data", 4) == 4, "write");
	testing_checkpoint_or_exit();
	TESTING_ASSERT(testing_placeholder(10), "fd 10 should be held");
	printf("fd 10 held\n");
	return 0;
}
