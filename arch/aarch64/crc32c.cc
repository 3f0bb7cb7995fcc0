// Which CRC32C instructions the CPU has (AT_HWCAP: the kernel reports the
// optional ARMv8.0 extensions there).
#include "arch/crc32c.h"
#include "arch/auxv.h"

#include <asm/hwcap.h>

namespace arch {

unsigned crc32c_caps(const uint64_t *auxv)
{
	uint64_t hwcap = sys::auxv_value(auxv, AT_HWCAP, 0);
	unsigned caps = 0;
	if (hwcap & HWCAP_CRC32)
		caps |= crc32c_insn;
	if (hwcap & HWCAP_PMULL)
		caps |= crc32c_clmul;
	// The folded path finishes with crc32 instructions.
	if ((hwcap & HWCAP_PMULL) && (hwcap & HWCAP_CRC32))
		caps |= crc32c_fold;
	return caps;
}

} // namespace arch
