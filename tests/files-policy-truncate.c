// CKPT_FILES=truncate: a log the app appends to (`>> log`) and an output
// it writes in order (`> out`) are cut back, at restore, to the size they
// had at the checkpoint, so what the original wrote after it (and the
// restored process writes again) is there once. A file no rule names is
// kept as it is (today's way): the restored process writes over the
// original's later line, whose tail stays.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: env CKPT_FILES='truncate:*.log,truncate:*/out.txt' %drive --image %t.ckpt --no-kill -- %t %t.d | FileCheck %s
// RUN: FileCheck --check-prefix=LOG --input-file %t.d/app.log %s
// RUN: FileCheck --check-prefix=OUT --input-file %t.d/out.txt %s
// RUN: FileCheck --check-prefix=KEEP --input-file %t.d/keep.dat %s
// The policies are in the image, and --info shows them:
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// A log renamed away and made again (rotated) is another file: refused as
// before, and with --allow-changed-files reopened but not truncated:
// RUN: mv %t.d/app.log %t.d/app.log.1
// RUN: echo 'a new log, rotated' > %t.d/app.log
// RUN: { %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=ROTATED %s
// RUN: %run %restorer --allow-changed-files %t.ckpt 2>&1 | FileCheck --check-prefix=CHANGED %s
// RUN: FileCheck --check-prefix=NEWLOG --input-file %t.d/app.log %s
// A CKPT_FILES the runtime does not understand is said at start-up, and
// the files are kept as they are:
// RUN: rm -rf %t.d2 && mkdir -p %t.d2
// RUN: env CKPT_FILES='truncate:*.log,sometimes' CKPT_IMAGE=%t.d2/ckpt %run %t %t.d2 2>&1 | FileCheck --check-prefix=WARN %s
// RUN: %run %restorer --info %t.d2/ckpt | FileCheck --check-prefix=NONE %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: exit 0
//
// LOG: line 1
// LOG-NEXT: line 2
// LOG-NEXT: line 3 (restored)
// LOG-NOT: {{.}}
// OUT: out 1
// OUT-NEXT: out 2 (restored)
// OUT-NOT: {{.}}
// KEEP: keep 1
// KEEP-NEXT: keep 2 (restored)
// KEEP-NEXT: checkpoint)
//
// INFO: fd 5 reopen file w append offset 14 truncate to 14 {{.*}}/app.log
// INFO: fd 6 reopen file w offset 6 truncate to 6 {{.*}}/out.txt
// INFO: fd 7 reopen file w offset 7 {{.*}}/keep.dat
//
// WARN: ckpt: CKPT_FILES is not a list of keep, truncate or snapshot[:PATTERN] (files are kept as they are): truncate:*.log,sometimes
// WARN: checkpointed
// NONE-NOT: truncate to
//
// ROTATED: fd 5 ({{.*}}/app.log): it is another file now
// ROTATED-NEXT: exit 1
// CHANGED: fd 5 ({{.*}}/app.log): it is another file now (device {{.*}}); restored with it
// CHANGED: fd 5 ({{.*}}/app.log): it is another file now (--allow-changed-files): not truncated
// CHANGED: restored
// NEWLOG: a new log, rotated
// NEWLOG-NEXT: line 3 (restored)
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static void put(int fd, const char *s)
{
	TESTING_ASSERT(write(fd, s, strlen(s)) == (ssize_t)strlen(s),
		       "write %s", s);
}

static void open_at(int fd, const char *dir, const char *name, int flags)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int got = open(path, flags | O_WRONLY | O_CREAT, 0644);
	TESTING_ASSERT(got >= 0 && dup2(got, fd) == fd, "open %s", path);
	if (got != fd)
		close(got);
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: files-policy-truncate DIR");
	open_at(5, argv[1], "app.log", O_APPEND | O_TRUNC);
	open_at(6, argv[1], "out.txt", O_TRUNC);
	open_at(7, argv[1], "keep.dat", O_TRUNC);
	put(5, "line 1\nline 2\n");
	put(6, "out 1\n");
	put(7, "keep 1\n");

	int rc = ckpt_checkpoint(NULL);
	if (rc == 0) {
		put(5, "line 3 (after the checkpoint)\n");
		put(6, "out 2 (after the checkpoint)\n");
		put(7, "keep 2 (after the checkpoint)\n");
		printf("checkpointed\n");
		return 0;
	}
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	printf("restored\n");
	put(5, "line 3 (restored)\n");
	put(6, "out 2 (restored)\n");
	put(7, "keep 2 (restored)\n");
	return 0;
}
