// Which CRC32C instructions the CPU has (CPUID leaf 1).
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
	return caps;
}

} // namespace arch
