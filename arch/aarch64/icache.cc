// aarch64 instruction and data caches are not coherent: code written as
// data must be cleaned to the point of unification and the instruction
// cache invalidated before it runs (Arm ARM B2.4.4). Linux lets user
// space do both (SCTLR_EL1.UCI) and read the line sizes from CTR_EL0.
#include "arch/arch.h"

namespace arch {

void sync_icache(uint64_t start, uint64_t end)
{
	uint64_t ctr;
	asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
	const uint64_t dline = 4ull << ((ctr >> 16) & 15); // DminLine, words
	const uint64_t iline = 4ull << (ctr & 15);         // IminLine, words
	for (uint64_t p = start & ~(dline - 1); p < end; p += dline)
		asm volatile("dc cvau, %0" : : "r"(p) : "memory");
	asm volatile("dsb ish" : : : "memory");
	for (uint64_t p = start & ~(iline - 1); p < end; p += iline)
		asm volatile("ic ivau, %0" : : "r"(p) : "memory");
	asm volatile("dsb ish\n\tisb" : : : "memory");
}

} // namespace arch
