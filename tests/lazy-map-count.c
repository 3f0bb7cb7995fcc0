// --lazy plans against vm.max_map_count as it is: 4096 runs in one region
// would take about 8200 mappings lazily; with the limit at 8000 the region
// is read instead (before, the restore died after the point of no return),
// and eager and lazy restores both bring every page back.
// REQUIRES: root
// (The sysctl is the machine's: with_sysctl.py sets it for the restore
// alone and always puts it back.)
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %python %S/lib/with_sysctl.py vm.max_map_count 8000 -- %run %restorer --lazy %t.ckpt | FileCheck %s
// RUN: %python %S/lib/with_sysctl.py vm.max_map_count 8000 -- %run %restorer %t.ckpt | FileCheck %s
// APP: checkpoint: 0
// CHECK: restored: 4096 pages intact
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define RUNS 4096

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	const long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * RUNS * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	// Every other page: one run each.
	for (long i = 0; i < RUNS; i++)
		*(unsigned long *)(p + 2 * i * page) = testing_value(i);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc != 0;
	}
	int good = 0;
	for (long i = 0; i < RUNS; i++)
		good += *(unsigned long *)(p + 2 * i * page) == testing_value(i);
	printf("restored: %d pages intact\n", good);
	return 0;
}
