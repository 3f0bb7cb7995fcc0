// Process attributes come back: working directory, umask, resource limits
// (a lowered soft and a lowered hard limit), process name (PR_SET_NAME,
// /proc/self/comm) and personality. The restorer runs in another
// directory, with the default umask and limits and its own name.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d/work
// RUN: %drive --image %t.ckpt --no-kill -- %t %t.d/work | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: cwd ok
// CHECK-NEXT: gen1: umask 027, new file mode 640
// CHECK-NEXT: gen1: NOFILE 123 (hard kept), FSIZE 536870912 1073741824
// CHECK-NEXT: gen1: name ckpt-attrs, comm ckpt-attrs
// CHECK-NEXT: gen1: ADDR_NO_RANDOMIZE set
// CHECK-NEXT: gen1: exit 0
//
// INFO: thread {{[0-9]+}} group leader taker: {{.*}}, name ckpt-attrs
// INFO: cwd: {{.*}}/work
// INFO: umask: 0027
// INFO: personality: 0x40000
// INFO: rlimit FSIZE: 536870912 1073741824
// INFO: rlimit NOFILE: 123 {{[0-9]+|unlimited}}
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: process-attrs DIR");
	TESTING_ASSERT(chdir(argv[1]) == 0, "chdir");
	char want_cwd[4096];
	TESTING_ASSERT(getcwd(want_cwd, sizeof want_cwd), "getcwd");
	umask(027);
	struct rlimit nofile, fsize = {1 << 29, 1 << 30};
	TESTING_ASSERT(getrlimit(RLIMIT_NOFILE, &nofile) == 0, "getrlimit");
	rlim_t hard = nofile.rlim_max;
	nofile.rlim_cur = 123;
	TESTING_ASSERT(setrlimit(RLIMIT_NOFILE, &nofile) == 0, "NOFILE");
	TESTING_ASSERT(setrlimit(RLIMIT_FSIZE, &fsize) == 0, "FSIZE");
	TESTING_ASSERT(prctl(PR_SET_NAME, "ckpt-attrs") == 0, "PR_SET_NAME");
	TESTING_ASSERT(personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE)
			       != -1,
		       "personality");

	testing_checkpoint_or_exit();

	char cwd[4096];
	TESTING_ASSERT(getcwd(cwd, sizeof cwd), "getcwd");
	TESTING_ASSERT(strcmp(cwd, want_cwd) == 0, "cwd is %s, not %s", cwd,
		       want_cwd);
	printf("cwd ok\n");

	mode_t mask = umask(0);
	umask(mask);
	int fd = open("new", O_CREAT | O_TRUNC | O_WRONLY, 0666);
	struct stat st;
	TESTING_ASSERT(fd >= 0 && fstat(fd, &st) == 0, "create a file");
	close(fd);
	printf("umask %03o, new file mode %o\n", mask, st.st_mode & 0777);

	TESTING_ASSERT(getrlimit(RLIMIT_NOFILE, &nofile) == 0, "getrlimit");
	TESTING_ASSERT(getrlimit(RLIMIT_FSIZE, &fsize) == 0, "getrlimit");
	printf("NOFILE %llu (hard %s), FSIZE %llu %llu\n",
	       (unsigned long long)nofile.rlim_cur,
	       nofile.rlim_max == hard ? "kept" : "changed",
	       (unsigned long long)fsize.rlim_cur,
	       (unsigned long long)fsize.rlim_max);

	char name[16] = {0}, comm[64] = {0};
	TESTING_ASSERT(prctl(PR_GET_NAME, name) == 0, "PR_GET_NAME");
	FILE *f = fopen("/proc/self/comm", "r");
	TESTING_ASSERT(f && fgets(comm, sizeof comm, f), "/proc/self/comm");
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	printf("name %s, comm %s\n", name, comm);

	TESTING_ASSERT(personality(0xffffffff) & ADDR_NO_RANDOMIZE,
		       "personality 0x%x", personality(0xffffffff));
	printf("ADDR_NO_RANDOMIZE set\n");
	return 0;
}
