// A named FIFO both of whose ends the process holds comes back like a
// pipe: opened again by its path, with its bytes; one that is no FIFO
// now is refused before the point of no return, by name. One unlinked
// before the checkpoint comes back as a pipe.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d && mkfifo %t.d/fifo
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.d/fifo | FileCheck --check-prefix=APP %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// RUN: %run %restorer %t.ckpt 2>&1 | FileCheck %s
// RUN: rm %t.d/fifo && touch %t.d/fifo
// RUN: { %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=OTHER %s
// RUN: rm -f %t.d/fifo && mkfifo %t.d/fifo
// RUN: env CKPT_IMAGE=%t.u.ckpt %run %t %t.d/fifo unlink | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.u.ckpt 2>&1 | FileCheck %s
//
// APP: checkpointed
// INFO: fd 10 recreate fifo r nonblock {{.*}}/fifo size 65536, 5 bytes buffered, write end fd 11
// INFO-NEXT: fd 11 recreate fifo w {{.*}}/fifo read end fd 10
// CHECK-NOT: is not restored
// CHECK: restored
// CHECK-NEXT: fifo holds 'queue'
// OTHER: restorer: {{.*}}: fd 10 ({{.*}}/fifo): it is no FIFO now
// OTHER-NOT: restored
// OTHER: exit 1
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc >= 2, "usage: pipes-fifo PATH [unlink]");
	int r = open(argv[1], O_RDONLY | O_NONBLOCK);
	int w = open(argv[1], O_WRONLY);
	TESTING_ASSERT(r >= 0 && w >= 0 && dup2(r, 10) == 10 &&
			       dup2(w, 11) == 11,
		       "open %s", argv[1]);
	close(r);
	close(w);
	if (argc > 2)
		TESTING_ASSERT(unlink(argv[1]) == 0, "unlink");
	TESTING_ASSERT(write(11, "queue", 5) == 5, "write");
	testing_checkpoint_or_exit();
	char buf[16] = {0};
	TESTING_ASSERT(read(10, buf, sizeof buf - 1) == 5, "read");
	printf("fifo holds '%s'\n", buf);
	return 0;
}
