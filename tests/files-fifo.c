// No open() of the restorer blocks: an image path that is a FIFO (or a
// socket) and a reopened file that is a FIFO now are refused at once,
// with status 1 and a message (before, the restorer hung in open() with
// every signal blocked).
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: mkfifo %t.d/image.fifo
// RUN: { timeout 20 %run %restorer %t.d/image.fifo 2>&1; echo "exit $?"; } | FileCheck --check-prefix=IMAGE %s
// RUN: %python -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" %t.d/image.sock
// RUN: { timeout 20 %run %restorer %t.d/image.sock 2>&1; echo "exit $?"; } | FileCheck --check-prefix=SOCK %s
//
// RUN: env CKPT_IMAGE=%t.w.ckpt %run %t %t.d/w w | FileCheck --check-prefix=APP %s
// RUN: env CKPT_IMAGE=%t.r.ckpt %run %t %t.d/r r | FileCheck --check-prefix=APP %s
// RUN: rm %t.d/w %t.d/r && mkfifo %t.d/w %t.d/r
// RUN: { timeout 20 %run %restorer %t.w.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=FIFO %s
// RUN: { timeout 20 %run %restorer --allow-changed-files %t.r.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=FIFO %s
//
// IMAGE: restorer: {{.*}}image.fifo: not a regular file
// IMAGE-NEXT: exit 1
// SOCK: restorer: {{.*}}image.sock: cannot open: ENXIO (no such device or address)
// SOCK-NEXT: exit 1
// APP: checkpointed
// FIFO: restorer: {{.*}}.ckpt: fd 10 ({{.*}}): it is a fifo now, it was a file (--allow-missing-files restores without it)
// FIFO-NOT: restored
// FIFO: exit 1
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 3, "usage: files-fifo PATH r|w");
	int flags = argv[2][0] == 'w' ? O_WRONLY : O_RDONLY;
	int fd = open(argv[1], flags | O_CREAT, 0644);
	TESTING_ASSERT(fd >= 0 && dup2(fd, 10) == 10, "open %s", argv[1]);
	close(fd);
	testing_checkpoint_or_exit();
	return 0;
}
