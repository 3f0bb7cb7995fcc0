// aarch64 facts for the arch-neutral code.
#pragma once

#include <stdint.h>

#include "arch/aarch64/context.h"
#include "arch/aarch64/syscall.h"

namespace arch {

constexpr char name[] = "aarch64";
constexpr uint32_t elf_machine = 183; // EM_AARCH64
// 48-bit virtual addresses (52 only for mmap() calls that ask for it).
constexpr uint64_t user_address_limit = 1ull << 48;

// Per-thread state the kernel keeps outside memory and outside the signal
// frame, restored by the restorer before it jumps back.
struct thread_state {
	uint64_t tpidr_el0; // glibc's thread pointer (TLS, stack canary)
	uint64_t reserved[3];
};

// The signature glibc registers its rseq area with: the word the kernel
// expects before every abort handler ("brk #0x45e0" on little-endian).
constexpr uint32_t rseq_signature = 0xd428bc00;

// The thread pointer (TPIDR_EL0).
static inline uint64_t thread_pointer()
{
	uint64_t tp;
	asm volatile("mrs %0, tpidr_el0" : "=r"(tp));
	return tp;
}

// The thread pointer a thread_state holds: clone()'s CLONE_SETTLS value.
static inline uint64_t thread_pointer_of(const thread_state &ts)
{
	return ts.tpidr_el0;
}

// Where the signal mask is in a signal frame (struct ucontext's
// uc_sigmask): the mask the thread had when the signal landed, which
// rt_sigreturn puts back.
constexpr uint64_t frame_sigmask_offset = 40;

// Where glibc's thread descriptor (struct pthread) of a thread is, from
// its thread pointer: TLS variant I: the thread control block, at the thread pointer, follows
// the descriptor (glibc: THREAD_SELF is the thread pointer less
// sizeof(struct pthread)).
static inline uint64_t glibc_descriptor(uint64_t tp, uint64_t sizeof_pthread)
{
	return tp - sizeof_pthread;
}

} // namespace arch
