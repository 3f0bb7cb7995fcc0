// x86_64 facts for the arch-neutral code.
#pragma once

#include <stdint.h>

#include "arch/x86_64/context.h"
#include "arch/x86_64/syscall.h"

namespace arch {

constexpr char name[] = "x86_64";
constexpr uint32_t elf_machine = 62; // EM_X86_64
// User addresses end here with 4-level paging; 5-level paging gives more
// only to mmap() calls that ask for it.
constexpr uint64_t user_address_limit = 1ull << 47;

// Per-thread state the kernel keeps outside memory and outside the signal
// frame, restored by the restorer before it jumps back.
struct thread_state {
	uint64_t fs_base;     // glibc's thread pointer (TLS, stack canary)
	uint64_t gs_base;
	uint64_t xcomp_perm;  // ARCH_GET_XCOMP_PERM: AMX tile data permission
	uint64_t reserved;
};

// The signature glibc registers its rseq area with: the word the kernel
// expects before every abort handler (the displacement of the trapping
// "ud1 0x53053053(%rip), %edi").
constexpr uint32_t rseq_signature = 0x53053053;

// The thread pointer (FS base). The TLS ABI keeps it in the first word of
// the thread control block too, so one load reads it without a syscall.
static inline uint64_t thread_pointer()
{
	uint64_t tp;
	asm volatile("mov %%fs:0, %0" : "=r"(tp));
	return tp;
}

// The thread pointer a thread_state holds: clone()'s CLONE_SETTLS value.
static inline uint64_t thread_pointer_of(const thread_state &ts)
{
	return ts.fs_base;
}

// Where the signal mask is in a signal frame (struct ucontext's
// uc_sigmask): the mask the thread had when the signal landed, which
// rt_sigreturn puts back.
constexpr uint64_t frame_sigmask_offset = 296;

// Where glibc's thread descriptor (struct pthread) of a thread is, from
// its thread pointer: TLS variant II: the thread pointer is the descriptor (its tcbhead_t).
static inline uint64_t glibc_descriptor(uint64_t tp, uint64_t sizeof_pthread)
{
	(void)sizeof_pthread;
	return tp;
}

} // namespace arch
