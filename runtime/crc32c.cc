// CRC32C: the CPU's instructions when it has them, else one table lookup
// per byte (the table is built at compile time).
#include "runtime/crc32c.h"

#include "arch/arch.h"

namespace ckpt {

namespace {

constexpr uint32_t poly = 0x82f63b78; // 0x1edc6f41 bit-reversed

struct table {
	uint32_t v[256];
	constexpr table() : v()
	{
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ poly : c >> 1;
			v[i] = c;
		}
	}
};

constexpr table crc_table;

bool use_instructions;

} // namespace

void crc32c_init(const uint64_t *auxv)
{
	use_instructions = arch::crc32c_supported(auxv);
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	auto *p = static_cast<const unsigned char *>(data);
	crc = ~crc;
	if (use_instructions)
		return ~arch::crc32c_update(crc, p, len);
	while (len--)
		crc = crc_table.v[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

} // namespace ckpt
