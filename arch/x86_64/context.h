/* x86_64 capture context: shared by C++ and the capture/resume assembly. */
#pragma once

/* Byte offsets into struct arch::context. */
#define CTX_RBX 0
#define CTX_RBP 8
#define CTX_R12 16
#define CTX_R13 24
#define CTX_R14 32
#define CTX_R15 40
#define CTX_SP 48
#define CTX_PC 56
#define CTX_MXCSR 64
#define CTX_FPUCW 68
#define CTX_SIZE 72

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

namespace arch {

// What a call preserves in the SysV ABI, plus where it returns to.
struct context {
	uint64_t rbx, rbp, r12, r13, r14, r15;
	uint64_t sp; // rsp as the caller sees it after the call returns
	uint64_t pc; // the return address
	uint32_t mxcsr;
	uint16_t fpu_cw;
	uint16_t reserved;
};

static_assert(offsetof(context, rbx) == CTX_RBX);
static_assert(offsetof(context, rbp) == CTX_RBP);
static_assert(offsetof(context, r12) == CTX_R12);
static_assert(offsetof(context, r13) == CTX_R13);
static_assert(offsetof(context, r14) == CTX_R14);
static_assert(offsetof(context, r15) == CTX_R15);
static_assert(offsetof(context, sp) == CTX_SP);
static_assert(offsetof(context, pc) == CTX_PC);
static_assert(offsetof(context, mxcsr) == CTX_MXCSR);
static_assert(offsetof(context, fpu_cw) == CTX_FPUCW);
static_assert(sizeof(context) == CTX_SIZE);

} // namespace arch
#endif
