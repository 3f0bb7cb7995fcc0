// Which CRC32C instructions the CPU has (CPUID leaves 1 and 7, XCR0).
#include "arch/crc32c.h"

namespace arch {

unsigned crc32c_caps(const uint64_t *)
{
	unsigned eax = 1, ebx, ecx = 0, edx;
	asm("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	unsigned caps = 0;
	if (ecx & (1u << 20)) // CPUID.1:ECX.SSE4_2: crc32
		caps |= crc32c_insn;
	if (ecx & (1u << 1)) // CPUID.1:ECX.PCLMULQDQ
		caps |= crc32c_clmul;
	// The folded path: AVX512F and VPCLMULQDQ (CPUID.7.0:EBX bit 16,
	// ECX bit 10), and the kernel saving the opmask and zmm state
	// (OSXSAVE, then XCR0 bits 1, 2, 5, 6, 7).
	const bool osxsave = ecx & (1u << 27);
	unsigned eax7 = 7, ebx7, ecx7 = 0, edx7;
	asm("cpuid" : "+a"(eax7), "=b"(ebx7), "+c"(ecx7), "=d"(edx7));
	if (osxsave && (caps & crc32c_insn) && (ebx7 & (1u << 16)) &&
	    (ecx7 & (1u << 10))) {
		unsigned lo, hi;
		asm("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		if ((lo & 0xe6) == 0xe6)
			caps |= crc32c_fold;
	}
	return caps;
}

} // namespace arch
