// CRC32C primitives: the ARMv8 CRC32 instructions and PMULL (both optional
// in v8.0: crc32c_caps checks HWCAP_CRC32 and HWCAP_PMULL).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace arch {

static inline uint32_t crc32c_word(uint32_t c, uint64_t w)
{
	asm(".arch_extension crc\n\tcrc32cx %w0, %w0, %x1" : "+r"(c) : "r"(w));
	return c;
}

static inline uint32_t crc32c_byte(uint32_t c, unsigned char b)
{
	asm(".arch_extension crc\n\tcrc32cb %w0, %w0, %w1"
	    : "+r"(c) : "r"((uint32_t)b));
	return c;
}

// The build passes -mgeneral-regs-only (the compiler never keeps anything
// in v registers): borrow v0/v1 and put the caller's values back, leaving
// the FP/SIMD state as it was.
static inline uint64_t clmul32(uint32_t a, uint32_t b)
{
	uint64_t r;
	unsigned char s0[16] __attribute__((aligned(16)));
	unsigned char s1[16] __attribute__((aligned(16)));
	asm(".arch_extension crypto\n\t"
	    "str q0, %[s0]\n\t"
	    "str q1, %[s1]\n\t"
	    "fmov d0, %x[a]\n\t"
	    "fmov d1, %x[b]\n\t"
	    "pmull v0.1q, v0.1d, v1.1d\n\t"
	    "fmov %x[r], d0\n\t"
	    "ldr q0, %[s0]\n\t"
	    "ldr q1, %[s1]"
	    : [r] "=r"(r), [s0] "=Q"(s0), [s1] "=Q"(s1)
	    : [a] "r"((uint64_t)a), [b] "r"((uint64_t)b));
	return r;
}

// No folded path on aarch64 yet (a PMULL one is later work):
// crc32c_caps() never reports crc32c_fold, and this consumes nothing.
static inline bool crc32c_fold256(uint32_t, const unsigned char *&, size_t &,
				  const uint64_t *, unsigned char *)
{
	return false;
}

} // namespace arch
