// The mm fields come back (prctl PR_SET_MM_MAP): /proc/self/maps shows
// [heap] and [stack] where they were, and brk() keeps growing the heap
// from where it ended. With --no-set-mm (the fallback of a kernel that
// refuses the prctl) the labels are gone but malloc still works.
// UNSUPPORTED: emulated
// (qemu-user refuses PR_SET_MM and shows no [heap] label at all.)
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
// RUN: %run %restorer --no-set-mm %t.ckpt | FileCheck --check-prefix=NOMM %s
//
// CHECK: gen0: checkpointed
// CHECK: gen1: restored
// CHECK-NEXT: gen1: [heap] where it was
// CHECK-NEXT: gen1: [stack] where it was
// CHECK-NEXT: gen1: the break is where it was
// CHECK-NEXT: gen1: brk grows the heap
// CHECK-NEXT: gen1: malloc ok
// CHECK-NEXT: gen1: exit 0
//
// NOMM: restored
// NOMM-NEXT: no [heap] label
// NOMM-NEXT: malloc ok
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

// The range of the maps line labelled label; 0 if none.
static int find(const char *label, uintptr_t *start, uintptr_t *end)
{
	FILE *f = fopen("/proc/self/maps", "r");
	TESTING_ASSERT(f, "/proc/self/maps");
	char line[512];
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		size_t n = strlen(line), k = strlen(label);
		if (n >= k && strcmp(line + n - k, label) == 0)
			found = sscanf(line, "%lx-%lx", start, end) == 2;
	}
	fclose(f);
	return found;
}

static void check_malloc(void)
{
	for (int i = 0; i < 1000; i++) {
		char *p = malloc(100 + i);
		TESTING_ASSERT(p, "small malloc");
		memset(p, i, 100 + i);
	}
	char *big = malloc(4 << 20);
	TESTING_ASSERT(big, "big malloc");
	memset(big, 1, 4 << 20);
	printf("malloc ok\n");
}

int main(void)
{
	testing_start();
	char *volatile p = malloc(100000); // below the mmap threshold
	p[0] = 1;
	uintptr_t heap_start, heap_end, stack_start, stack_end;
	TESTING_ASSERT(find("[heap]", &heap_start, &heap_end), "no [heap]");
	void *brk_before = sbrk(0);
	testing_checkpoint_or_exit();
	uintptr_t start, end;
	if (!find("[heap]", &start, &end)) {
		printf("no [heap] label\n");
		check_malloc();
		return 0;
	}
	TESTING_ASSERT(start == heap_start && end == heap_end,
		       "[heap] %lx-%lx, was %lx-%lx", start, end, heap_start,
		       heap_end);
	printf("[heap] where it was\n");
	uintptr_t local = (uintptr_t)&start;
	TESTING_ASSERT(find("[stack]", &stack_start, &stack_end) &&
			       local >= stack_start && local < stack_end,
		       "no [stack] around %lx", local);
	printf("[stack] where it was\n");

	TESTING_ASSERT(sbrk(0) == brk_before, "break %p, was %p", sbrk(0),
		       brk_before);
	printf("the break is where it was\n");
	char *more = sbrk(1 << 20);
	TESTING_ASSERT(more == brk_before, "sbrk returned %p", (void *)more);
	memset(more, 7, 1 << 20);
	TESTING_ASSERT(find("[heap]", &start, &end) && start == heap_start &&
			       end >= (uintptr_t)more + (1 << 20),
		       "[heap] %lx-%lx after sbrk", start, end);
	printf("brk grows the heap\n");
	check_malloc();
	return 0;
}
