// CRC32C with the ARMv8 CRC32 instructions (optional in v8.0, so the
// caller checks HWCAP_CRC32 first).
#include "arch/arch.h"
#include "arch/auxv.h"

#include <asm/hwcap.h>

namespace arch {

bool crc32c_supported(const uint64_t *auxv)
{
	return sys::auxv_value(auxv, AT_HWCAP, 0) & HWCAP_CRC32;
}

uint32_t crc32c_update(uint32_t crc, const unsigned char *p, size_t len)
{
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t word;
		__builtin_memcpy(&word, p, 8);
		asm(".arch_extension crc\n\tcrc32cx %w0, %w0, %x1"
		    : "+r"(crc) : "r"(word));
	}
	for (; len; p++, len--)
		asm(".arch_extension crc\n\tcrc32cb %w0, %w0, %w1"
		    : "+r"(crc) : "r"((uint32_t)*p));
	return crc;
}

} // namespace arch
