// MAP_SHARED memory. A shared mapping of a file comes back mapped from the
// file, not as a copy: what the file got while the process was down shows
// in it, and what the restored process writes to it reaches the file (the
// image stores none of it). Shared anonymous memory comes back with its
// content, and still shared: a child forked after the restore writes to
// it and the parent sees that.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %drive --image %t.ckpt --no-kill -- %t %t.d | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// Without the file of a shared mapping the restorer refuses, or with
// --allow-missing-files maps zeroed memory there:
// RUN: rm %t.d/constant
// RUN: { %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=GONE %s
// RUN: %run %restorer --allow-missing-files %t.ckpt 2>&1 | FileCheck --check-prefix=ALLOW %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: file mapping: before / meanwhile
// CHECK-NEXT: gen1: read-only mapping: constant
// CHECK-NEXT: gen1: the file got: after
// CHECK-NEXT: gen1: shared anonymous: anon content
// CHECK-NEXT: gen1: after the child: written by the child
// CHECK-NEXT: gen1: exit 0
//
// GONE: restorer: {{.*}}.ckpt: region {{[0-9]+}} at 0x{{[0-9a-f]+}}: {{.*}}/constant: cannot open the file it maps: ENOENT (no such file or directory) (--allow-missing-files maps zeroed memory instead)
// GONE-NOT: restored
// GONE: exit 1
// ALLOW: restorer: {{.*}}.ckpt: region {{[0-9]+}} at 0x{{[0-9a-f]+}}: {{.*}}/constant: cannot open the file it maps: ENOENT (no such file or directory); mapped as zeroed memory
// ALLOW: restored
// ALLOW: read-only mapping: {{$}}
//
// INFO-DAG: rw-s file 0 {{.*}}/shared
// INFO-DAG: r--s file 0 {{.*}}/constant
// INFO-DAG: rw-s file {{[1-9][0-9]*}} /dev/zero (deleted)
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define PAGES 4

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: mmap-shared DIR");
	long page = sysconf(_SC_PAGESIZE);
	size_t len = PAGES * page;
	char path[4096 + 64], path2[4096 + 64];
	snprintf(path, sizeof path, "%s/shared", argv[1]);
	snprintf(path2, sizeof path2, "%s/constant", argv[1]);

	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	TESTING_ASSERT(fd >= 0 && ftruncate(fd, len) == 0, "create %s", path);
	char *file = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TESTING_ASSERT(file != MAP_FAILED, "mmap the file");
	close(fd);
	strcpy(file, "before");

	fd = open(path2, O_CREAT | O_TRUNC | O_RDWR, 0644);
	TESTING_ASSERT(fd >= 0 && write(fd, "constant", 9) == 9, "write");
	close(fd);
	fd = open(path2, O_RDONLY);
	const char *ro = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	TESTING_ASSERT(ro != MAP_FAILED, "mmap read-only");
	close(fd);

	char *anon = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TESTING_ASSERT(anon != MAP_FAILED, "mmap shared anonymous");
	strcpy(anon + page, "anon content");

	int rc = ckpt_checkpoint(NULL);
	if (rc == 0) {
		// While the process is "down", the file changes.
		fd = open(path, O_WRONLY);
		TESTING_ASSERT(fd >= 0 && pwrite(fd, "meanwhile", 10, 2 * page) == 10,
			       "pwrite");
		close(fd);
		printf("checkpointed\n");
		return 0;
	}
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	printf("restored\n");
	printf("file mapping: %s / %s\n", file, file + 2 * page);
	printf("read-only mapping: %s\n", ro);

	strcpy(file + 3 * page, "after");
	TESTING_ASSERT(msync(file, len, MS_SYNC) == 0, "msync");
	char got[16] = {0};
	fd = open(path, O_RDONLY);
	TESTING_ASSERT(fd >= 0 && pread(fd, got, 6, 3 * page) == 6, "pread");
	close(fd);
	printf("the file got: %s\n", got);

	printf("shared anonymous: %s\n", anon + page);
	pid_t child = fork();
	TESTING_ASSERT(child >= 0, "fork");
	if (child == 0) {
		strcpy(anon + page, "written by the child");
		_exit(0);
	}
	int status;
	TESTING_ASSERT(waitpid(child, &status, 0) == child && status == 0,
		       "child");
	printf("after the child: %s\n", anon + page);
	return 0;
}
