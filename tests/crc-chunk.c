// A byte damaged deep inside a large region (5 MiB into 8 MiB: many read
// batches after the first) and its checksum left stale: the eager restore
// refuses the image, naming the region, with status 1, and nothing of the
// app runs; the intact image restores. So does a byte 4 MiB in: the batches
// of 1 MiB take turns between the restorer and its worker (where it has
// one), so the two damaged bytes are read by different ones.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt %t.bad.ckpt %t.addr %t.addr2
// RUN: %run %t %t.ckpt %t.addr %t.addr2 | FileCheck --check-prefix=APP %s
// RUN: cp %t.ckpt %t.bad.ckpt
// RUN: %python %S/lib/patch_image.py %t.bad.ckpt --stale-crc --memory-u8 $(cat %t.addr)=0x5a
// RUN: { %run %restorer %t.bad.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=BAD %s
// RUN: cp %t.ckpt %t.bad.ckpt
// RUN: %python %S/lib/patch_image.py %t.bad.ckpt --stale-crc --memory-u8 $(cat %t.addr2)=0x5a
// RUN: { %run %restorer %t.bad.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=BAD %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=GOOD %s
// APP: checkpoint: 0
// BAD-NOT: restored
// BAD: restorer: {{.*}}.bad.ckpt: region {{[0-9]+}} at 0x{{[0-9a-f]+}}: region data checksum mismatch (corrupt image)
// BAD-NEXT: exit 1
// GOOD: restored: 8 MiB intact
#include <stdio.h>
#include <sys/mman.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define LEN (8UL << 20)
#define DAMAGED ((5UL << 20) + 4097)
#define DAMAGED_TOO ((4UL << 20) + 4097)

int main(int argc, char **argv)
{
	testing_start();
	unsigned char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || argc != 4)
		return 2;
	for (unsigned long i = 0; i < LEN; i++)
		p[i] = 0x11;
	FILE *f = fopen(argv[2], "w");
	if (!f)
		return 2;
	fprintf(f, "%#lx\n", (unsigned long)(p + DAMAGED));
	fclose(f);
	f = fopen(argv[3], "w");
	if (!f)
		return 2;
	fprintf(f, "%#lx\n", (unsigned long)(p + DAMAGED_TOO));
	fclose(f);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc != 0;
	}
	unsigned long bad = 0;
	for (unsigned long i = 0; i < LEN; i++)
		bad += p[i] != 0x11;
	printf("restored: %s\n", bad ? "damaged" : "8 MiB intact");
	return bad != 0;
}
