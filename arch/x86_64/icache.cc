// x86_64 keeps instruction fetch coherent with stores: nothing to do.
#include "arch/arch.h"

namespace arch {

void sync_icache(uint64_t, uint64_t)
{
}

} // namespace arch
