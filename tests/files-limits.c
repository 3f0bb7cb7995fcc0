// The descriptor limit: the restorer counts the descriptors it will
// restore and the ones it holds itself, raises the soft RLIMIT_NOFILE as
// far as that needs (and the hard limit allows), and puts the image's own
// limit back. Under a soft limit of 3 (hard 1024) an image with a few
// descriptors restores; one with a descriptor above the hard limit is
// refused with the real numbers.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: { ulimit -n 1024 && env CKPT_IMAGE=%t.ckpt %run %t %t.d 12; } | FileCheck --check-prefix=APP %s
// qemu-user holds a descriptor of its own (it cannot start under 3):
// RUN: { ulimit -n 1024 && n=3 && if [ %arch = aarch64 ]; then n=4; fi && timeout 20 sh -c 'ulimit -Sn $0 && exec "$@"' $n %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=LOW %s
//
// RUN: env CKPT_IMAGE=%t.high.ckpt %run %t %t.d 900 | FileCheck --check-prefix=APP %s
// RUN: { ulimit -n 500 && timeout 20 %run %restorer %t.high.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=HIGH %s
//
// APP: checkpointed
// LOW-NOT: restorer:
// LOW: restored
// LOW-NEXT: fds ok
// LOW-NEXT: RLIMIT_NOFILE as before
// LOW-NEXT: exit 0
// HIGH: restorer: {{.*}}.high.ckpt: too many descriptors: needed {{9[0-9][0-9]}}, RLIMIT_NOFILE soft 500, hard 500
// HIGH-NOT: restored
// HIGH: exit 1
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 3, "usage: files-limits DIR TOP");
	char path[4096 + 64];
	snprintf(path, sizeof path, "%s/a", argv[1]);
	int top = atoi(argv[2]);
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	TESTING_ASSERT(fd >= 0, "open %s", path);
	TESTING_ASSERT(dup2(fd, 10) == 10 && dup2(fd, 11) == 11, "dup2");
	TESTING_ASSERT(dup2(fd, top) == top, "dup2 %d", top);
	close(fd);
	struct rlimit before, after;
	TESTING_ASSERT(getrlimit(RLIMIT_NOFILE, &before) == 0, "getrlimit");

	testing_checkpoint_or_exit();
	TESTING_ASSERT(fcntl(10, F_GETFD) >= 0 && fcntl(11, F_GETFD) >= 0 &&
		       fcntl(top, F_GETFD) >= 0, "a descriptor is missing");
	printf("fds ok\n");
	TESTING_ASSERT(getrlimit(RLIMIT_NOFILE, &after) == 0, "getrlimit");
	TESTING_ASSERT(after.rlim_cur == before.rlim_cur &&
		       after.rlim_max == before.rlim_max,
		       "RLIMIT_NOFILE %llu %llu, was %llu %llu",
		       (unsigned long long)after.rlim_cur,
		       (unsigned long long)after.rlim_max,
		       (unsigned long long)before.rlim_cur,
		       (unsigned long long)before.rlim_max);
	printf("RLIMIT_NOFILE as before\n");
	return 0;
}
