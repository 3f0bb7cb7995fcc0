// Guard pages (MADV_GUARD_INSTALL, kernel 6.13+) fault when read: the
// checkpoint must not read them (pagemap bit 58 names them), and they come
// back as guard pages, in anonymous memory and in a private file mapping,
// with the pages around them as they were.
// qemu-user 7.2 ignores madvise (it returns 0 and installs nothing), so
// there is no guard page to save:
// UNSUPPORTED: aarch64
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %drive --image %t.ckpt -- %t %t.d 2>&1 | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// CHECK-NOT: FAILED
// CHECK: gen0: guards installed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: anon: page 0 zero, page 1 faults, page 2 two
// CHECK-NEXT: gen1: file: page 0 zero, page 1 one, page 2 faults, page 3 three
// CHECK-NEXT: gen1: exit 0
// INFO-COUNT-2: [guard pages]
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

static sigjmp_buf jump;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

static const char *look(const char *p)
{
	static char buf[64];
	if (sigsetjmp(jump, 1))
		return "faults";
	volatile char c = p[0];
	(void)c;
	snprintf(buf, sizeof buf, "%s", p[0] ? p : "zero");
	return buf;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: guard-pages DIR");
	long page = sysconf(_SC_PAGESIZE);
	char *anon = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TESTING_ASSERT(anon != MAP_FAILED, "mmap");
	strcpy(anon + 2 * page, "two");
	TESTING_ASSERT(madvise(anon + page, page, MADV_GUARD_INSTALL) == 0,
		       "MADV_GUARD_INSTALL (anon)");

	char path[4096 + 64];
	snprintf(path, sizeof path, "%s/file", argv[1]);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	TESTING_ASSERT(fd >= 0 && ftruncate(fd, 4 * page) == 0, "file");
	TESTING_ASSERT(pwrite(fd, "one", 3, page) == 3 &&
		       pwrite(fd, "three", 5, 3 * page) == 5, "pwrite");
	char *file = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			  fd, 0);
	TESTING_ASSERT(file != MAP_FAILED, "mmap file");
	close(fd);
	TESTING_ASSERT(madvise(file + 2 * page, page, MADV_GUARD_INSTALL) == 0,
		       "MADV_GUARD_INSTALL (file)");
	// The checkpoint's own fault would be blocked: SIGSEGV then kills.
	signal(SIGSEGV, on_segv);
	printf("guards installed\n");
	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc >= 0, "checkpoint failed: %d", rc);
	if (rc == 0)
		for (;;)
			pause();
	printf("restored\n");
	printf("anon: page 0 %s, ", look(anon));
	printf("page 1 %s, ", look(anon + page));
	printf("page 2 %s\n", look(anon + 2 * page));
	printf("file: page 0 %s, ", look(file));
	printf("page 1 %s, ", look(file + page));
	printf("page 2 %s, ", look(file + 2 * page));
	printf("page 3 %s\n", look(file + 3 * page));
	return 0;
}
