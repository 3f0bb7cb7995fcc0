// A forked checkpoint (CKPT_FORK=1) does not read smaps in the app's pause
// unless the app locked memory or asked libc's madvise() for memory a
// child does not see as it is. Here the app asks by the system call
// itself: the forked writer finds its copy lacking (MADV_DONTFORK) or
// zeroed (MADV_WIPEONFORK) and never writes that image. A ckpt_checkpoint()
// call is then told (ckpt_wait() fails, saying so) and the next one is
// written in place; a checkpoint the signal asked for is taken again, in
// place. And memory advised through libc between two forked checkpoints
// makes the second one written in place. Each image restores with the
// memory, its contents and its advice. qemu-user ignores madvise().
// UNSUPPORTED: emulated
// RUN: %cc %s %runtime -o %t
// RUN: env CKPT_FORK=1 %drive --image %t.ckpt -- %t call 2>%t.err | FileCheck --check-prefix=CALL %s
// RUN: FileCheck --check-prefix=CALL-ERR %s < %t.err
// RUN: env CKPT_FORK=1 %drive --image %t.ckpt --at '^ready$' -- %t signal | FileCheck --check-prefix=SIGNAL %s
// RUN: env CKPT_FORK=1 %drive --image %t.ckpt -- %t later %t.first.ckpt | FileCheck --check-prefix=LATER %s
//
// CALL: gen0: dontfork: dc, contents ok
// CALL-NEXT: gen0: wipeonfork: wf, contents ok
// CALL-NEXT: gen0: first checkpoint: EAGAIN
// CALL-NEXT: gen0: signal KILL
// CALL-NEXT: gen1: restored
// CALL-NEXT: gen1: dontfork: dc, contents ok
// CALL-NEXT: gen1: wipeonfork: wf, contents ok
// CALL-NEXT: gen1: exit 0
// CALL-ERR: gen0! ckpt: checkpoint to {{.*}}.ckpt failed: the forked writer lacks {{[0-9]+}} KiB of the app's memory (MADV_DONTFORK); the next checkpoint is written in place
//
// SIGNAL: gen0: wipeonfork: wf, contents ok
// SIGNAL-NEXT: gen0: ready
// SIGNAL-NEXT: gen0: signal KILL
// SIGNAL-NEXT: gen1: wipeonfork: wf, contents ok
// SIGNAL-NEXT: gen1: exit 0
//
// LATER: gen0: first checkpoint: 0
// LATER-NEXT: gen0: dontfork: dc, contents ok
// LATER-NEXT: gen0: wipeonfork: wf, contents ok
// LATER-NEXT: gen0: signal KILL
// LATER-NEXT: gen1: restored
// LATER-NEXT: gen1: dontfork: dc, contents ok
// LATER-NEXT: gen1: wipeonfork: wf, contents ok
// LATER-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

enum { size = 1 << 20 };

static const char *names[2] = {"dontfork", "wipeonfork"};
static const int advice[2] = {MADV_DONTFORK, MADV_WIPEONFORK};
static char *mem[2];

// "dc" or "wf" if the VmFlags of the mapping at addr have it.
static const char *vm_flag(char *addr, int i)
{
	const char *want = i ? "wf" : "dc";
	return testing_vm_flag(addr, want) ? want : "";
}

static void report(int from, int to)
{
	for (int i = from; i < to; i++) {
		int ok = 1;
		for (size_t k = 0; k < size; k += 4096)
			ok &= mem[i][k] == (char)(i + 1);
		printf("%s: %s, contents %s\n", names[i], vm_flag(mem[i], i),
		       ok ? "ok" : "LOST");
	}
	fflush(stdout);
}

static void map_regions(int from, int to, int raw)
{
	for (int i = from; i < to; i++) {
		mem[i] = mmap(NULL, size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		TESTING_ASSERT(mem[i] != MAP_FAILED, "mmap %s", names[i]);
		memset(mem[i], i + 1, size);
		if (raw < 0)
			continue;
		int rc = raw ? (int)syscall(SYS_madvise, mem[i], size, advice[i])
			     : madvise(mem[i], size, advice[i]);
		TESTING_ASSERT(rc == 0, "madvise %s", names[i]);
	}
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc >= 2, "usage: %s call|signal|later [PATH]", argv[0]);
	if (!strcmp(argv[1], "call")) {
		map_regions(0, 2, 1);
		report(0, 2);
		int rc = ckpt_checkpoint(NULL);
		TESTING_ASSERT(rc == 0, "first checkpoint: %d", rc);
		rc = ckpt_wait();
		printf("first checkpoint: %s\n", rc == -EAGAIN ? "EAGAIN"
				: rc ? strerror(-rc) : "0 (the image lacks memory)");
		fflush(stdout);
		testing_checkpoint_and_wait();
		report(0, 2);
	} else if (!strcmp(argv[1], "signal")) {
		map_regions(1, 2, 1);
		report(1, 2);
		const pid_t self = getpid();
		printf("ready\n");
		fflush(stdout);
		while (getpid() == self) // the restored process has another
			usleep(1000);
		report(1, 2);
	} else {
		TESTING_ASSERT(argc == 3, "later: PATH");
		map_regions(0, 2, -1);
		int rc = ckpt_checkpoint(argv[2]);
		TESTING_ASSERT(rc == 0, "first checkpoint: %d", rc);
		printf("first checkpoint: %d\n", ckpt_wait());
		for (int i = 0; i < 2; i++)
			TESTING_ASSERT(madvise(mem[i], size, advice[i]) == 0,
				       "madvise %s", names[i]);
		report(0, 2);
		testing_checkpoint_and_wait();
		report(0, 2);
	}
	return 0;
}
