/* aarch64 capture context: shared by C++ and the capture/resume assembly. */
#pragma once

/* Byte offsets into struct arch::context. */
#define CTX_X19 0	/* x19..x28 follow in pairs */
#define CTX_X29 80	/* frame pointer, then x30 (link register) */
#define CTX_SP 96
#define CTX_D8 104	/* d8..d15 follow in pairs */
#define CTX_FPCR 168
#define CTX_FPSR 176
#define CTX_SIZE 184

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

namespace arch {

// What a call preserves under AAPCS64 (x19-x29, sp, the low halves of
// v8-v15, the FP control register), plus x30: where it returns to.
struct context {
	uint64_t x19_x28[10];
	uint64_t x29; // frame pointer
	uint64_t x30; // link register: the return address
	uint64_t sp;  // as the caller sees it
	uint64_t d8_d15[8];
	uint64_t fpcr;
	uint64_t fpsr;
};

static_assert(offsetof(context, x19_x28) == CTX_X19);
static_assert(offsetof(context, x29) == CTX_X29);
static_assert(offsetof(context, sp) == CTX_SP);
static_assert(offsetof(context, d8_d15) == CTX_D8);
static_assert(offsetof(context, fpcr) == CTX_FPCR);
static_assert(offsetof(context, fpsr) == CTX_FPSR);
static_assert(sizeof(context) == CTX_SIZE);

} // namespace arch
#endif
