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

} // namespace arch
