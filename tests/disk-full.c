// A checkpoint that fills the disk: ckpt_checkpoint() returns -ENOSPC, the
// runtime says so on stderr, the app goes on, no temporary file is left,
// and the previous image is intact and restores.
// REQUIRES: tmpfs-mount
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.mnt && mkdir -p %t.mnt
// RUN: unshare -m sh -c 'mount -t tmpfs -o size=24m tmpfs %t.mnt && \
// RUN:     cd %t.mnt && %run %t && %run %restorer app.ckpt' 2>&1 | FileCheck %s
// CHECK: first checkpoint: 0
// CHECK-NEXT: ckpt: checkpoint to app.ckpt failed: region {{[0-9]+}} at 0x{{[0-9a-f]+}}: cannot write its memory: ENOSPC (no space left on device)
// CHECK-NEXT: second checkpoint: -28
// CHECK-NEXT: still running, files: app.ckpt
// CHECK-NEXT: restored: the first image
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"

// Global and volatile: the compiler must not drop the allocation.
static char *volatile big;

int main(void)
{
	int rc = ckpt_checkpoint("app.ckpt");
	if (rc == 1) {
		puts("restored: the first image");
		return 0;
	}
	printf("first checkpoint: %d\n", rc);
	fflush(stdout);

	size_t len = 64 << 20; // more than the 24 MiB file system holds
	big = malloc(len);
	memset(big, 0x5a, len);
	rc = ckpt_checkpoint("app.ckpt");
	printf("second checkpoint: %d\n", rc);

	printf("still running, files:");
	DIR *d = opendir(".");
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			printf(" %s", e->d_name);
	closedir(d);
	printf("\n");
	return big[len - 1] != 0x5a;
}
