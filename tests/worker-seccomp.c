// A seccomp filter that refuses clone() of a process sharing the caller's
// memory (CLONE_VM without CLONE_THREAD) takes away the checkpoint's
// second core (runtime/worker.h): the checkpoint then does its work on
// its own thread, and the image restores exactly, eagerly and lazily.
// The filter stays on the app, so the restored process checkpoints the
// same way again. (qemu-user refuses that clone() itself, so the aarch64
// runs of every test take this path; this test is its native run.)
// REQUIRES: x86_64
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
// RUN: %run %restorer --lazy %t.ckpt | FileCheck --check-prefix=LAZY %s
//
// CHECK: gen0: filter: clone(CLONE_VM) refused: EPERM
// CHECK-NEXT: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: memory as at the checkpoint
// CHECK-NEXT: gen1: second checkpoint: 0
// CHECK-NEXT: gen1: exit 0
// LAZY: restored
// LAZY-NEXT: memory as at the checkpoint
// LAZY-NEXT: second checkpoint: 0
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "Inputs/testing.h"

#define LEN (64UL << 20)

static void refuse_shared_clone(void)
{
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		// The low half of the flags: CLONE_VM set, CLONE_THREAD not.
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[0])),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, CLONE_VM | CLONE_THREAD),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CLONE_VM, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = {sizeof prog / sizeof *prog, prog};
	TESTING_ASSERT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0,
		       "PR_SET_NO_NEW_PRIVS");
	TESTING_ASSERT(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) ==
			       0,
		       "PR_SET_SECCOMP: %s", strerror(errno));
}

int main(void)
{
	testing_start();
	refuse_shared_clone();
	static char stack[16384];
	long r = syscall(SYS_clone, CLONE_VM | CLONE_FILES,
			 stack + sizeof stack, NULL, NULL, 0);
	TESTING_ASSERT(r == -1 && errno == EPERM, "the filter let it through");
	printf("filter: clone(CLONE_VM) refused: EPERM\n");

	unsigned long long *mem = malloc(LEN);
	TESTING_ASSERT(mem, "malloc");
	for (size_t i = 0; i < LEN / 8; i++)
		mem[i] = testing_value(i);
	testing_checkpoint_or_exit();
	size_t bad = 0;
	for (size_t i = 0; i < LEN / 8; i++)
		bad += mem[i] != testing_value(i);
	TESTING_ASSERT(bad == 0, "%zu words changed", bad);
	printf("memory as at the checkpoint\n");
	char path[64];
	snprintf(path, sizeof path, "/tmp/ckpt-worker-seccomp.%d",
		 (int)getpid());
	printf("second checkpoint: %d\n", ckpt_checkpoint(path));
	unlink(path);
	strcat(path, ".status");
	unlink(path);
	return 0;
}
