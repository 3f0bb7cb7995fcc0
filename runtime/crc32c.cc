// CRC32C: 256-byte blocks folded by wide carry-less multiplies where the
// CPU has them (x86_64 with AVX-512 VPCLMULQDQ), else three interleaved
// chains of the CPU's crc32 instruction joined by carry-less
// multiplication when it has both, one chain when it has only crc32, else
// one table lookup per byte (the table is built at compile time).
#include "runtime/crc32c.h"

#include "arch/arch.h"
#include "arch/crc32c.h"

namespace ckpt {

namespace {

// The CRC register holds a polynomial over GF(2) of degree < 32, reflected:
// bit 31 is the coefficient of x^0, bit 0 that of x^31. P is x^32 + ...
constexpr uint32_t poly = 0x82f63b78; // P without x^32, reflected (0x1edc6f41)

// a * x mod P.
constexpr uint32_t mul_x(uint32_t a)
{
	return a & 1 ? (a >> 1) ^ poly : a >> 1;
}

// a * b mod P.
constexpr uint32_t mul_mod(uint32_t a, uint32_t b)
{
	uint32_t r = 0;
	for (int i = 0; i < 32; i++, a = mul_x(a)) { // a is now a * x^i
		if (b & (0x80000000u >> i))
			r ^= a;
	}
	return r;
}

// x^e mod P, by squaring.
constexpr uint32_t x_pow(uint64_t e)
{
	uint32_t r = 0x80000000u, sq = 0x40000000u; // x^0, x^1
	for (; e; e >>= 1, sq = mul_mod(sq, sq)) {
		if (e & 1)
			r = mul_mod(r, sq);
	}
	return r;
}

static_assert(x_pow(32) == poly, "x^32 mod P is P without its top term");
static_assert(x_pow(5) == mul_x(mul_x(x_pow(3))));

// Appending n zero bytes multiplies the register by x^(8n) mod P. The
// carry-less product of two reflected 32-bit values, read as a reflected
// 64-bit value, is x * a * k; crc32 of that word (from 0) multiplies it by
// x^32 and reduces. So k = x^(8n - 33) makes the pair shift a by n bytes.
constexpr uint32_t shift_constant(size_t n)
{
	return x_pow(8 * (uint64_t)n - 33);
}

inline uint32_t shift(uint32_t c, uint32_t k)
{
	return arch::crc32c_word(0, arch::clmul32(c, k));
}

inline uint64_t load64(const unsigned char *p)
{
	uint64_t w;
	__builtin_memcpy(&w, p, 8);
	return w;
}

uint32_t one_chain(uint32_t c, const unsigned char *p, size_t len)
{
	for (; len >= 8; p += 8, len -= 8)
		c = arch::crc32c_word(c, load64(p));
	for (; len; p++, len--)
		c = arch::crc32c_byte(c, *p);
	return c;
}

// While 3 * B bytes remain: CRCs of three B-byte blocks at once (the
// crc32 instruction's latency is three times its issue interval, so three
// independent chains keep it busy), then the first shifted by 2B bytes and
// the second by B, xored with the third: the register as one chain leaves it.
// Ahead > 0 prefetches each stream that many bytes ahead: the hardware
// prefetchers follow one stream well but not three far apart that each
// restart at every block (1 GiB from memory: ~8 GB/s with 4 KiB blocks and
// no prefetch, ~20 with 64 KiB blocks prefetched 2 KiB ahead).
// A prefetch is a hint and never faults, even past the buffer.
template <size_t B, size_t ahead>
uint32_t three_chains(uint32_t c, const unsigned char *&p, size_t &len)
{
	static_assert(B % 64 == 0);
	constexpr uint32_t k1 = shift_constant(B), k2 = shift_constant(2 * B);
	for (; len >= 3 * B; p += 3 * B, len -= 3 * B) {
		uint32_t c1 = 0, c2 = 0;
		for (size_t i = 0; i < B; i += 8) {
			if (ahead && i % 64 == 0) { // once a cache line
				__builtin_prefetch(p + i + ahead);
				__builtin_prefetch(p + B + i + ahead);
				__builtin_prefetch(p + 2 * B + i + ahead);
			}
			c = arch::crc32c_word(c, load64(p + i));
			c1 = arch::crc32c_word(c1, load64(p + B + i));
			c2 = arch::crc32c_word(c2, load64(p + 2 * B + i));
		}
		c = shift(c, k2) ^ shift(c1, k1) ^ c2;
	}
	return c;
}

uint32_t interleaved(uint32_t c, const unsigned char *p, size_t len)
{
	// Large blocks make the join rare; smaller ones cover what is left.
	c = three_chains<65536, 2048>(c, p, len);
	c = three_chains<1024, 0>(c, p, len);
	c = three_chains<64, 0>(c, p, len);
	return one_chain(c, p, len);
}

// Folding a 16-byte lane 256 bytes on: its first 8 bytes x stand for
// x * x^(2048 + 64), its last 8 y for y * x^2048. As in shift_constant(),
// a carry-less product read reflected is x * a * k, and a 32-bit reflected
// constant is the high half of a 64-bit one.
constexpr uint64_t fold_constants[2] = {(uint64_t)x_pow(2048 + 63) << 32,
					(uint64_t)x_pow(2048 - 1) << 32};

uint32_t folded(uint32_t c, const unsigned char *p, size_t len)
{
	alignas(64) unsigned char state[256];
	if (arch::crc32c_fold256(c, p, len, fold_constants, state))
		c = one_chain(0, state, sizeof state);
	return interleaved(c, p, len);
}

struct table {
	uint32_t v[256];
	constexpr table() : v()
	{
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = mul_x(c);
			v[i] = c;
		}
	}
};

constexpr table crc_table;

uint32_t by_table(uint32_t c, const unsigned char *p, size_t len)
{
	while (len--)
		c = crc_table.v[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

crc32c_path best_path = crc32c_path::table;

} // namespace

crc32c_path crc32c_best(const uint64_t *auxv)
{
	unsigned caps = arch::crc32c_caps(auxv);
	if (!(caps & arch::crc32c_insn))
		return crc32c_path::table;
	if (!(caps & arch::crc32c_clmul))
		return crc32c_path::instructions;
	if (caps & arch::crc32c_fold)
		return crc32c_path::folded;
	return crc32c_path::interleaved;
}

void crc32c_init(const uint64_t *auxv)
{
	best_path = crc32c_best(auxv);
}

uint32_t crc32c_by(crc32c_path path, uint32_t crc, const void *data,
		   size_t len)
{
	auto *p = static_cast<const unsigned char *>(data);
	// The standard CRC32C starts from all ones and inverts its result;
	// the paths work on the raw register.
	crc = ~crc;
	switch (path) {
	case crc32c_path::folded:
		return ~folded(crc, p, len);
	case crc32c_path::interleaved:
		return ~interleaved(crc, p, len);
	case crc32c_path::instructions:
		return ~one_chain(crc, p, len);
	case crc32c_path::table:
		break;
	}
	return ~by_table(crc, p, len);
}

// Of the inverted CRCs: a's register then b's bytes give a * x^(8 len_b)
// plus b's bytes from a zero register; the two inversions (of the start
// and of the result) cancel between a's and b's parts.
uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b)
{
	return mul_mod(crc_a, x_pow(8 * len_b)) ^ crc_b;
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	return crc32c_by(best_path, crc, data, len);
}

} // namespace ckpt
