// Picks the architecture's CRC32C primitives (inline, for the hot loops
// in runtime/crc32c.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#include "arch/x86_64/crc32c.h"
#elif defined(__aarch64__)
#include "arch/aarch64/crc32c.h"
#else
#error "unsupported architecture"
#endif

// Each arch/<arch>/crc32c.h defines, in namespace arch:
//   crc32c_word(c, w): the raw CRC32C register c extended over the 8 bytes
//     of w (little-endian), no pre/post inversion;
//   crc32c_byte(c, b): the same over one byte;
//   clmul32(a, b): the 63-bit carry-less product of a and b;
//   crc32c_fold256(c, p, len, k, state): while at least 512 bytes remain,
//     consumes whole 256-byte blocks of p (advancing p, len), register c
//     xored into the first; each 16-byte lane (x = its first 8 bytes, y
//     its last) becomes clmul(x, k[0]) ^ clmul(y, k[1]) ^ the lane 256
//     bytes on; stores the last 256-byte state, whose CRC from 0 is the
//     register's; false (nothing consumed) if it cannot.
// and arch/<arch>/crc32c.cc defines crc32c_caps() below.
namespace arch {

enum : unsigned {
	crc32c_insn = 1,  // crc32c_word and crc32c_byte work
	crc32c_clmul = 2, // clmul32 works
	crc32c_fold = 4,  // crc32c_fold256 works
};

// What the CPU has of the above (auxv: the process's auxiliary vector, for
// arches that report it there).
unsigned crc32c_caps(const uint64_t *auxv);

} // namespace arch
