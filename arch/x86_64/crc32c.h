// CRC32C primitives: SSE4.2 crc32 and PCLMULQDQ.
#pragma once

#include <stdint.h>

namespace arch {

// crc32q reads only the low half of its destination and zeroes the high
// half: a 32-bit variable in the 64-bit register needs no zero-extending
// move in the chain.
static inline uint32_t crc32c_word(uint32_t c, uint64_t w)
{
	asm("crc32q %1, %q0" : "+r"(c) : "r"(w));
	return c;
}

static inline uint32_t crc32c_byte(uint32_t c, unsigned char b)
{
	asm("crc32b %1, %0" : "+r"(c) : "r"(b));
	return c;
}

// The build passes -mgeneral-regs-only, so gcc refuses xmm clobbers (and
// the compiler never keeps anything there): borrow xmm0/xmm1 and put the
// caller's values back, leaving the vector state as it was.
static inline uint64_t clmul32(uint32_t a, uint32_t b)
{
	uint64_t r, s0[2], s1[2];
	asm("movdqu %%xmm0, %[s0]\n\t"
	    "movdqu %%xmm1, %[s1]\n\t"
	    "movq %q[a], %%xmm0\n\t"
	    "movq %q[b], %%xmm1\n\t"
	    "pclmulqdq $0, %%xmm1, %%xmm0\n\t"
	    "movq %%xmm0, %[r]\n\t"
	    "movdqu %[s0], %%xmm0\n\t"
	    "movdqu %[s1], %%xmm1"
	    : [r] "=r"(r), [s0] "=m"(s0), [s1] "=m"(s1)
	    : [a] "r"((uint64_t)a), [b] "r"((uint64_t)b));
	return r;
}

} // namespace arch
