// A working directory deleted before the checkpoint cannot come back:
// the restorer refuses the image (status 1, nothing of the app run),
// unless --allow-missing-files, which restores in the restorer's own
// working directory with a warning.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.d/wd | FileCheck --check-prefix=APP %s
// RUN: { timeout 20 %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=REFUSED %s
// RUN: cd %t.d && { timeout 20 %run %restorer --allow-missing-files %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=ALLOW %s
//
// APP: checkpointed
// REFUSED: restorer: {{.*}}.ckpt: the working directory was unknown at the checkpoint (deleted, or outside the root) (--allow-missing-files restores in the current one)
// REFUSED-NOT: restored
// REFUSED: exit 1
// ALLOW: restorer: {{.*}}.ckpt: the working directory was unknown at the checkpoint (deleted, or outside the root); the process starts in the restorer's
// ALLOW: restored
// ALLOW-NEXT: cwd: {{.*}}cwd-deleted.c.tmp.d
// ALLOW-NEXT: exit 0
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: cwd-deleted DIR");
	TESTING_ASSERT(mkdir(argv[1], 0755) == 0, "mkdir %s", argv[1]);
	TESTING_ASSERT(chdir(argv[1]) == 0, "chdir %s", argv[1]);
	TESTING_ASSERT(rmdir(argv[1]) == 0, "rmdir %s", argv[1]);
	testing_checkpoint_or_exit();
	char cwd[4096];
	TESTING_ASSERT(getcwd(cwd, sizeof cwd), "getcwd");
	printf("cwd: %s\n", cwd);
	return 0;
}
