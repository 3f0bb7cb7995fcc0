// CRC32C (Castagnoli), as used by iSCSI and ext4.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ckpt {

// Picks the fastest CRC32C path the CPU has (auxv: the auxiliary vector).
// Until called, the portable table is used.
void crc32c_init(const uint64_t *auxv);

// Extends crc (0 to start) over len bytes.
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

// The CRC of a || b from a's CRC and b's, b being len_b bytes: pieces
// checksummed apart (on two cores) make the CRC of the whole.
uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

// The paths, slowest first; crc32c() uses the best one the CPU has.
enum class crc32c_path {
	table,        // one table lookup per byte
	instructions, // one dependent chain of crc32 instructions
	interleaved,  // three chains, joined by carry-less multiplication
	folded,       // 256-byte blocks folded by wide carry-less multiplies
};

// For tests and benchmarks: the best path the CPU has, and crc32c() by a
// given path (one the CPU has).
crc32c_path crc32c_best(const uint64_t *auxv);
uint32_t crc32c_by(crc32c_path path, uint32_t crc, const void *data,
		   size_t len);

} // namespace ckpt
