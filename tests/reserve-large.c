// Reservations larger than RAM come back with the commit charge they had:
// a 64 GiB MAP_NORESERVE mapping with a few touched pages, and a 64 GiB
// PROT_NONE one, restore under the system's overcommit policy (eager and
// lazy) with their contents and protections.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.nr.ckpt %t.none.ckpt
// RUN: %run %t noreserve %t.nr.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %t none %t.none.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.nr.ckpt | FileCheck --check-prefix=NR %s
// RUN: %run %restorer --lazy %t.nr.ckpt | FileCheck --check-prefix=NR %s
// RUN: %run %restorer %t.none.ckpt | FileCheck --check-prefix=NONE %s
// RUN: %run %restorer --lazy %t.none.ckpt | FileCheck --check-prefix=NONE %s
// APP: checkpoint: 0
// NR: restored: {{[0-9]+}} GiB rw-p, 3 pages intact
// NONE: restored: 64 GiB ---p, then writable
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define LEN (64UL << 30)

// The permissions of the mapping that holds p, and its length.
static unsigned long mapping_of(void *p, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long len = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long start, end;
		char pr[5];
		if (sscanf(line, "%lx-%lx %4s", &start, &end, pr) == 3 &&
		    start <= (unsigned long)p && (unsigned long)p < end) {
			len = end - start;
			memcpy(perms, pr, 5);
		}
	}
	if (f)
		fclose(f);
	return len;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	int none = !strcmp(argv[1], "none");
	unsigned long *p = mmap(NULL, LEN, none ? PROT_NONE
					       : PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS |
					(none ? 0 : MAP_NORESERVE),
				-1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	const unsigned long step = LEN / 3 / sizeof *p;
	if (!none) {
		for (int i = 0; i < 3; i++)
			p[i * step] = testing_value(i);
	}
	int rc = ckpt_checkpoint(argv[2]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc != 0;
	}
	char perms[5] = "";
	// Between two stored pages: a lazy restore maps those from the image.
	unsigned long len = mapping_of(p + step / 2, perms);
	if (none) {
		int ok = !mprotect(p, 4096, PROT_READ | PROT_WRITE);
		if (ok)
			p[0] = 1;
		printf("restored: %lu GiB %s, then %s\n", len >> 30, perms,
		       ok ? "writable" : "mprotect failed");
		return 0;
	}
	int good = 0;
	for (int i = 0; i < 3; i++)
		good += p[i * step] == testing_value(i);
	printf("restored: %lu GiB %s, %d pages intact\n", len >> 30, perms,
	       good);
	return 0;
}
