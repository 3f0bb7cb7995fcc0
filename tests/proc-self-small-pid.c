// Files of the process's own /proc directory are recorded as /proc/self/
// (and its thread's as /proc/thread-self/) whatever the pid's length: as
// pid 1 of a new pid namespace (with its own /proc), /proc/1/status is
// shorter than /proc/self/status, and was once recorded as it was.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt
// RUN: unshare -Upf --map-root-user --mount-proc %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: pid 1: checkpointed
// INFO: fd 3 reopen file {{.*}}/proc/self/status
// INFO: fd 4 reopen file {{.*}}/proc/thread-self/stat
// INFO: fd 5 reopen dir {{.*}}/proc/self{{$}}
// RESTORED: restored: fd 3 is our status, fd 5 our directory
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: proc-self-small-pid IMAGE");
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", getpid());
	TESTING_ASSERT(open(path, O_RDONLY) == 3, "open %s", path);
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", getpid(),
		 gettid());
	TESTING_ASSERT(open(path, O_RDONLY) == 4, "open %s", path);
	snprintf(path, sizeof path, "/proc/%d", getpid());
	TESTING_ASSERT(open(path, O_RDONLY | O_DIRECTORY) == 5, "open %s", path);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 0) {
		printf("pid %d: checkpointed\n", getpid());
		return 0;
	}
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	char buf[4096] = {0};
	TESTING_ASSERT(pread(3, buf, sizeof buf - 1, 0) > 0, "read fd 3");
	char want[64];
	snprintf(want, sizeof want, "\nPid:\t%d\n", getpid());
	struct stat a, b;
	snprintf(path, sizeof path, "/proc/%d", getpid());
	TESTING_ASSERT(fstat(5, &a) == 0 && stat(path, &b) == 0, "stat");
	printf("restored: fd 3 is %s, fd 5 %s\n",
	       strstr(buf, want) ? "our status" : "another's status",
	       a.st_ino == b.st_ino ? "our directory" : "another directory");
	return 0;
}
