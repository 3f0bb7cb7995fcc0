// An image that claims the restorer's own addresses: the restorer copies
// itself to a free range first and restores the app, whose memory there
// is intact; the copy is gone afterwards.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: mapped the restorer's range, checkpoint: 0
// INFO: 0000000010000000-0000000010400000 rw-p anon
// RESTORED: restored: 4 MiB at 0x10000000 intact, restorer gone
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ckpt.h"
#include "Inputs/testing.h"

// Where configure.py links the restorer.
#define RESTORER_BASE 0x10000000UL
#define LEN (4UL << 20)

// Mappings of the restorer's file, and executable ones of more than a page
// (a moved copy of the restorer would be one more; the app's code comes
// back anonymous, as many; qemu-user's own signal-return page is one page).
static int restorer_traces(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long start, end;
		char perms[5], path[256] = "";
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %255s", &start, &end,
			   perms, path) < 3)
			continue;
		n += strstr(path, "/restorer") != NULL ||
		     (perms[2] == 'x' && end - start > 4096);
	}
	if (f)
		fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	unsigned long *p = mmap((void *)RESTORER_BASE, LEN,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				-1, 0);
	if (p != (void *)RESTORER_BASE) {
		printf("cannot map at %#lx\n", RESTORER_BASE);
		return 1;
	}
	for (size_t i = 0; i < LEN / 8; i += 512)
		p[i] = testing_value(i);
	int traces = restorer_traces();
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("mapped the restorer's range, checkpoint: %d\n", rc);
		return rc != 0;
	}
	size_t bad = 0;
	for (size_t i = 0; i < LEN / 8; i += 512)
		bad += p[i] != testing_value(i);
	// Nothing of the restorer's copy may stay mapped: no mapping of its
	// file, and no more executable memory than the app had.
	int leftovers = restorer_traces() > traces;
	printf("restored: 4 MiB at %#lx %s, restorer %s\n", RESTORER_BASE,
	       bad ? "damaged" : "intact", leftovers ? "left behind" : "gone");
	return 0;
}
