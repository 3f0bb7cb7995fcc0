// CRC32C (Castagnoli), as used by iSCSI and ext4.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ckpt {

// Picks the CPU's CRC32C instructions when it has them (auxv: the
// auxiliary vector). Until called, the portable table is used.
void crc32c_init(const uint64_t *auxv);

// Extends crc (0 to start) over len bytes.
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

} // namespace ckpt
