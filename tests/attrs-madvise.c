// Memory advice comes back with the memory: MADV_DONTFORK (a child does
// not get the region), MADV_WIPEONFORK (a child gets it zeroed),
// MADV_DONTDUMP, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MAP_DROPPABLE and
// mlock2(MLOCK_ONFAULT), as smaps' VmFlags show them ("dc", "wf", "dd",
// "hg", "nh", "dp", "lo lf") and as a child forked after the restore
// feels them; the contents stay. qemu-user ignores madvise() (it returns
// 0 and does nothing) and has no MAP_DROPPABLE nor mlock2(): nothing to
// restore there.
// UNSUPPORTED: emulated
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
//
// CHECK: gen0: dontfork: dc, contents ok
// CHECK-NEXT: gen0: wipeonfork: wf, contents ok
// CHECK-NEXT: gen0: dontdump: dd, contents ok
// CHECK-NEXT: gen0: hugepage: hg, contents ok
// CHECK-NEXT: gen0: nohugepage: nh, contents ok
// CHECK-NEXT: gen0: droppable: wf dd dp
// CHECK-NEXT: gen0: onfault: lo lf, contents ok
// CHECK-NEXT: gen0: child: dontfork region faults, wipeonfork region zero
// CHECK-NEXT: gen0: signal KILL
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: dontfork: dc, contents ok
// CHECK-NEXT: gen1: wipeonfork: wf, contents ok
// CHECK-NEXT: gen1: dontdump: dd, contents ok
// CHECK-NEXT: gen1: hugepage: hg, contents ok
// CHECK-NEXT: gen1: nohugepage: nh, contents ok
// CHECK-NEXT: gen1: droppable: wf dd dp
// CHECK-NEXT: gen1: onfault: lo lf, contents ok
// CHECK-NEXT: gen1: child: dontfork region faults, wipeonfork region zero
// CHECK-NEXT: gen1: exit 0
//
// INFO-DAG: rw-p anon 4194304 [dontfork]{{$}}
// INFO-DAG: rw-p anon 4194304 [wipeonfork]{{$}}
// INFO-DAG: rw-p anon 4194304 [dontdump]{{$}}
// INFO-DAG: rw-p anon 4194304 [hugepage]{{$}}
// INFO-DAG: rw-p anon 4194304 [nohugepage]{{$}}
// INFO-DAG: rw-p anon 4194304 [wipeonfork] [dontdump] [droppable]{{$}}
// INFO-DAG: rw-p anon 4194304 [locked on fault]{{$}}
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif

enum { region_count = 7, size = 4 << 20 };

static const char *names[region_count] = {"dontfork", "wipeonfork",
					  "dontdump", "hugepage",
					  "nohugepage", "droppable", "onfault"};
static const int advice[region_count] = {MADV_DONTFORK, MADV_WIPEONFORK,
					 MADV_DONTDUMP, MADV_HUGEPAGE,
					 MADV_NOHUGEPAGE, -1, -2};
static char *mem[region_count];

// The flags of interest among the VmFlags of the mapping at addr.
static void vm_flags(char *addr, char *out, size_t cap)
{
	static const char *wanted[] = {"dc", "wf", "dd", "hg", "nh", "dp",
				       "lo", "lf"};
	out[0] = 0;
	for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++) {
		if (!testing_vm_flag(addr, wanted[i]))
			continue;
		if (out[0])
			strncat(out, " ", cap - strlen(out) - 1);
		strncat(out, wanted[i], cap - strlen(out) - 1);
	}
}

static void report(void)
{
	for (int i = 0; i < region_count; i++) {
		char flags[64];
		vm_flags(mem[i], flags, sizeof flags);
		int ok = 1;
		for (size_t k = 0; k < size; k += 4096)
			ok &= mem[i][k] == (char)(i + 1);
		// The kernel may drop droppable memory when it likes.
		if (advice[i] == -1)
			printf("%s: %s\n", names[i], flags);
		else
			printf("%s: %s, contents %s\n", names[i], flags,
			       ok ? "ok" : "LOST");
	}
	pid_t pid = fork();
	TESTING_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		if (mem[1][0] != 0)
			_exit(2);
		*(volatile char *)mem[0] = 1; // not mapped in the child
		_exit(3);
	}
	int status;
	TESTING_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	TESTING_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		       "child: status 0x%x", status);
	printf("child: dontfork region faults, wipeonfork region zero\n");
}

int main(void)
{
	testing_start();
	for (int i = 0; i < region_count; i++) {
		int type = advice[i] == -1 ? MAP_DROPPABLE : MAP_PRIVATE;
		mem[i] = mmap(NULL, size, PROT_READ | PROT_WRITE,
			      type | MAP_ANONYMOUS, -1, 0);
		TESTING_ASSERT(mem[i] != MAP_FAILED, "mmap %s", names[i]);
		if (advice[i] >= 0)
			TESTING_ASSERT(madvise(mem[i], size, advice[i]) == 0,
				       "madvise %s", names[i]);
		memset(mem[i], i + 1, size);
		if (advice[i] == -2)
			TESTING_ASSERT(mlock2(mem[i], size, MLOCK_ONFAULT) == 0,
				       "mlock2");
	}
	report();
	testing_checkpoint_and_wait();
	report();
	return 0;
}
