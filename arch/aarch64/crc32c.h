// CRC32C primitives: the ARMv8 CRC32 instructions and PMULL (both optional
// in v8.0: crc32c_caps checks HWCAP_CRC32 and HWCAP_PMULL), and 256-byte
// blocks folded by PMULL.
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

// 16 lanes of 128 bits in v0-v15, each folded 2048 bits on per block by
// PMULL (first 8 bytes by k[0]) and PMULL2 (last 8 by k[1]), v16 holding
// k, and xored with the next block. With -mgeneral-regs-only gcc takes no
// vector clobbers: v0-v24 are saved and put back (v8-v15 are partly
// callee-saved anyway), leaving the FP/SIMD state as it was.
static inline bool crc32c_fold256(uint32_t c, const unsigned char *&p,
				  size_t &len, const uint64_t *k,
				  unsigned char *state)
{
	if (len < 512)
		return false;
	unsigned char save[25 * 16] __attribute__((aligned(16)));
	const unsigned char *at = p;
	size_t left = len - 256;
	uint64_t tmp;
#define CKPT_FOLD4(a, b, c, d)                                                \
	"ld1 {v21.16b-v24.16b}, [%[p]], #64\n\t"                            \
	"pmull v17.1q, " a ".1d, v16.1d\n\t"                                \
	"pmull v18.1q, " b ".1d, v16.1d\n\t"                                \
	"pmull v19.1q, " c ".1d, v16.1d\n\t"                                \
	"pmull v20.1q, " d ".1d, v16.1d\n\t"                                \
	"pmull2 " a ".1q, " a ".2d, v16.2d\n\t"                             \
	"pmull2 " b ".1q, " b ".2d, v16.2d\n\t"                             \
	"pmull2 " c ".1q, " c ".2d, v16.2d\n\t"                             \
	"pmull2 " d ".1q, " d ".2d, v16.2d\n\t"                             \
	"eor " a ".16b, " a ".16b, v17.16b\n\t"                             \
	"eor " b ".16b, " b ".16b, v18.16b\n\t"                             \
	"eor " c ".16b, " c ".16b, v19.16b\n\t"                             \
	"eor " d ".16b, " d ".16b, v20.16b\n\t"                             \
	"eor " a ".16b, " a ".16b, v21.16b\n\t"                             \
	"eor " b ".16b, " b ".16b, v22.16b\n\t"                             \
	"eor " c ".16b, " c ".16b, v23.16b\n\t"                             \
	"eor " d ".16b, " d ".16b, v24.16b\n\t"
	asm volatile(
		".arch_extension crypto\n\t"
		"mov %[tmp], %[save]\n\t"
		"st1 {v0.16b-v3.16b}, [%[tmp]], #64\n\t"
		"st1 {v4.16b-v7.16b}, [%[tmp]], #64\n\t"
		"st1 {v8.16b-v11.16b}, [%[tmp]], #64\n\t"
		"st1 {v12.16b-v15.16b}, [%[tmp]], #64\n\t"
		"st1 {v16.16b-v19.16b}, [%[tmp]], #64\n\t"
		"st1 {v20.16b-v23.16b}, [%[tmp]], #64\n\t"
		"st1 {v24.16b}, [%[tmp]]\n\t"
		"ld1 {v16.2d}, [%[k]]\n\t"
		"ld1 {v0.16b-v3.16b}, [%[p]], #64\n\t"
		"ld1 {v4.16b-v7.16b}, [%[p]], #64\n\t"
		"ld1 {v8.16b-v11.16b}, [%[p]], #64\n\t"
		"ld1 {v12.16b-v15.16b}, [%[p]], #64\n\t"
		"fmov s17, %w[c]\n\t" // zeroes the rest of v17
		"eor v0.16b, v0.16b, v17.16b\n\t"
		"1:\n\t"
		"cmp %[left], #256\n\t"
		"b.lo 2f\n\t"
		CKPT_FOLD4("v0", "v1", "v2", "v3")
		CKPT_FOLD4("v4", "v5", "v6", "v7")
		CKPT_FOLD4("v8", "v9", "v10", "v11")
		CKPT_FOLD4("v12", "v13", "v14", "v15")
		"sub %[left], %[left], #256\n\t"
		"b 1b\n\t"
		"2:\n\t"
		"mov %[tmp], %[state]\n\t"
		"st1 {v0.16b-v3.16b}, [%[tmp]], #64\n\t"
		"st1 {v4.16b-v7.16b}, [%[tmp]], #64\n\t"
		"st1 {v8.16b-v11.16b}, [%[tmp]], #64\n\t"
		"st1 {v12.16b-v15.16b}, [%[tmp]]\n\t"
		"mov %[tmp], %[save]\n\t"
		"ld1 {v0.16b-v3.16b}, [%[tmp]], #64\n\t"
		"ld1 {v4.16b-v7.16b}, [%[tmp]], #64\n\t"
		"ld1 {v8.16b-v11.16b}, [%[tmp]], #64\n\t"
		"ld1 {v12.16b-v15.16b}, [%[tmp]], #64\n\t"
		"ld1 {v16.16b-v19.16b}, [%[tmp]], #64\n\t"
		"ld1 {v20.16b-v23.16b}, [%[tmp]], #64\n\t"
		"ld1 {v24.16b}, [%[tmp]]"
		: [p] "+r"(at), [left] "+r"(left), [tmp] "=&r"(tmp)
		: [c] "r"(c), [k] "r"(k), [save] "r"(save), [state] "r"(state)
		: "cc", "memory");
#undef CKPT_FOLD4
	// The first block was loaded before the loop: left counts the rest.
	len = left;
	p = at;
	return true;
}

} // namespace arch
