// CRC32C with the SSE4.2 crc32 instruction.
#include "arch/arch.h"

namespace arch {

bool crc32c_supported(const uint64_t *)
{
	unsigned eax = 1, ebx, ecx = 0, edx;
	asm("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	return ecx & (1u << 20); // CPUID.1:ECX.SSE4_2
}

uint32_t crc32c_update(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c = crc;
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t word;
		__builtin_memcpy(&word, p, 8);
		asm("crc32q %1, %0" : "+r"(c) : "r"(word));
	}
	uint32_t c32 = (uint32_t)c;
	for (; len; p++, len--)
		asm("crc32b %1, %0" : "+r"(c32) : "r"(*p));
	return c32;
}

} // namespace arch
