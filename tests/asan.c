// An app built with -fsanitize=address restores: its shadow memory is a
// 16 TiB MAP_NORESERVE reservation with PROT_NONE gaps, which come back
// without commit charge, and ASan still catches a heap overflow after.
// REQUIRES: x86_64, native-run
// (qemu-user cannot run ASan's shadow layout; the cross gcc has libasan,
// but the emulator refuses its reservations.)
// RUN: %cc -fsanitize=address -fno-omit-frame-pointer %s %runtime -o %t
// RUN: rm -f %t.ckpt && env ASAN_OPTIONS=detect_leaks=0 %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: { env ASAN_OPTIONS=detect_leaks=0 %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck %s
// APP: checkpoint: 0
// CHECK: restored: 1000 values intact
// CHECK: ERROR: AddressSanitizer: heap-buffer-overflow
// CHECK: exit 1
#include <stdio.h>
#include <stdlib.h>

#include "ckpt.h"
#include "Inputs/testing.h"

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	unsigned long *v = malloc(1000 * sizeof *v);
	for (int i = 0; i < 1000; i++)
		v[i] = testing_value(i);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc != 1) {
		printf("checkpoint: %d\n", rc);
		return rc != 0;
	}
	int good = 0;
	for (int i = 0; i < 1000; i++)
		good += v[i] == testing_value(i);
	printf("restored: %d values intact\n", good);
	volatile unsigned long *w = v;
	return (int)w[1000]; // one past the end: ASan stops the process here
}
