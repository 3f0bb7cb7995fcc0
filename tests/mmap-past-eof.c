// File mappings that reach past the end of their file: reading the pages
// after it raises SIGBUS, so the checkpoint must neither read nor need
// them. A 64 KiB private mapping of a 5-byte file (its first page written
// to), the same shared of a deleted file, and a private mapping of a
// file that shrank after copies on write (truncation drops the copies
// past the new end too): what the app could read comes back.
// RUN: %cc %s %runtime -o %t
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %drive --image %t.ckpt -- %t %t.d 2>&1 | FileCheck %s
// CHECK-NOT: FAILED
// CHECK: gen0: ready
// CHECK: gen1: restored
// CHECK-NEXT: gen1: private: Hello
// CHECK-NEXT: gen1: shared deleted: world
// CHECK-NEXT: gen1: shrunk: kept
// CHECK-NEXT: gen1: exit 0
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define LEN (64 << 10)

static char *map_file(const char *dir, const char *name, const char *text,
		      int flags, int unlink_it)
{
	char path[4096 + 64];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	TESTING_ASSERT(fd >= 0, "open %s", path);
	TESTING_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text),
		       "write");
	char *m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, flags, fd, 0);
	TESTING_ASSERT(m != MAP_FAILED, "mmap %s", path);
	close(fd);
	if (unlink_it)
		unlink(path);
	return m;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 2, "usage: mmap-past-eof DIR");
	long page = sysconf(_SC_PAGESIZE);
	char *priv = map_file(argv[1], "five", "hello", MAP_PRIVATE, 0);
	priv[0] = 'H';
	char *shared = map_file(argv[1], "deleted", "world", MAP_SHARED, 1);

	// Three pages of file, two copied on write, then the file shrinks
	// to one page.
	char path[4096 + 64];
	snprintf(path, sizeof path, "%s/shrinks", argv[1]);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	TESTING_ASSERT(fd >= 0 && ftruncate(fd, 3 * page) == 0, "shrinks");
	char *shrunk = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			    fd, 0);
	TESTING_ASSERT(shrunk != MAP_FAILED, "mmap shrinks");
	strcpy(shrunk, "kept");
	strcpy(shrunk + page, "copied");
	TESTING_ASSERT(ftruncate(fd, page) == 0, "truncate");
	close(fd);

	printf("ready\n");
	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc >= 0, "checkpoint failed: %d", rc);
	if (rc == 0)
		for (;;)
			pause(); // the driver kills us once the image is there
	printf("restored\n");
	printf("private: %.5s\n", priv);
	printf("shared deleted: %.5s\n", shared);
	printf("shrunk: %s\n", shrunk);
	return 0;
}
