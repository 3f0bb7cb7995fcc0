// Every CRC32C path (table, one instruction chain, three chains joined by
// carry-less multiplication, 256-byte blocks folded by AVX-512 VPCLMULQDQ
// or PMULL) gives the same CRC on random buffers of every length 0..4096
// at several alignments, on large odd-sized buffers, and when the data
// comes in pieces, and pieces checksummed apart combine into the CRC of
// the whole; the CPU (or qemu's cortex-a57) has the fast path. A
// hosted program built from the runtime's own CRC sources.
// RUN: %cxx -std=c++20 -O2 -I%S/.. %s %S/../runtime/crc32c.cc \
// RUN:   %S/../arch/%arch/crc32c.cc -o %t
// RUN: %run %t | FileCheck %s
// CHECK: best path: folded
// CHECK-NEXT: check value: e3069283 e3069283 e3069283 e3069283
// CHECK-NEXT: lengths 0..4096: ok
// CHECK-NEXT: large buffers: ok
// CHECK-NEXT: pieces: ok
// CHECK-NEXT: combine: ok
// CHECK-NOT: FAIL
#include "runtime/crc32c.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using ckpt::crc32c_by;
using ckpt::crc32c_path;

static const crc32c_path paths[] = {crc32c_path::table,
				    crc32c_path::instructions,
				    crc32c_path::interleaved,
				    crc32c_path::folded};
static const char *const names[] = {"table", "instructions", "interleaved",
				    "folded"};
static int path_count = 3; // 4 where the CPU has the folded path

static int failures;

static void fill(unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)(x >> 24);
	}
}

// All paths agree on crc32c(seed, p, n); returns the CRC.
static uint32_t agree(const char *what, uint32_t seed, const unsigned char *p,
		      size_t n)
{
	uint32_t want = crc32c_by(crc32c_path::table, seed, p, n);
	for (int i = 1; i < path_count; i++) {
		uint32_t got = crc32c_by(paths[i], seed, p, n);
		if (got != want && failures++ < 10)
			printf("FAIL: %s: %zu bytes at address %% 64 = %zu: "
			       "%s %08x, table %08x\n", what, n,
			       (size_t)((uintptr_t)p & 63), names[i], got,
			       want);
	}
	return want;
}

int main(int, char **, char **envp)
{
	// The auxiliary vector follows the initial environment.
	char **e = envp;
	while (*e)
		e++;
	auto *auxv = (const uint64_t *)(e + 1);
	crc32c_path best = ckpt::crc32c_best(auxv);
	printf("best path: %s\n", names[(int)best]);
	if (best == crc32c_path::folded)
		path_count = 4;
	if (best < crc32c_path::interleaved) {
		// Only the paths the CPU has can be compared.
		printf("FAIL: the CPU lacks the fast path\n");
		return 1;
	}

	const char *check = "123456789";
	printf("check value:");
	for (int i = 0; i < path_count; i++)
		printf(" %08x", crc32c_by(paths[i], 0, check, 9));
	printf("\n");

	static unsigned char small[4096 + 64];
	fill(small, sizeof small, 1);
	static const size_t aligns[] = {0, 1, 3, 4, 7, 8, 13, 32};
	for (size_t n = 0; n <= 4096; n++) {
		for (size_t a : aligns) {
			if (n > 600 && a % 8 != 1 && a != 0)
				continue; // fast: every alignment up to 600
			agree("length", (uint32_t)n, small + a, n);
		}
	}
	printf("lengths 0..4096: %s\n", failures ? "FAIL" : "ok");

	const size_t big = (3u << 20) + 64;
	auto *buf = (unsigned char *)malloc(big);
	fill(buf, big, 2);
	static const size_t sizes[] = {1u << 20, (1u << 20) + 13,
				       (3u << 20) + 7, 196608 * 5 + 3072 + 191};
	for (size_t n : sizes) {
		agree("large", 0, buf, n);
		agree("large", 0, buf + 5, n);
	}
	printf("large buffers: %s\n", failures ? "FAIL" : "ok");

	// crc(a || b) == crc(crc(a), b), split anywhere, by each path.
	const size_t n = (1u << 20) + 99;
	uint32_t whole = agree("pieces", 0, buf + 1, n);
	static const size_t cuts[] = {0,    1,      7,      63,     64,
				      191,  192,    1535,   3072,   196607,
				      196608, 500001, n - 1, n};
	for (size_t cut : cuts) {
		for (int i = 0; i < path_count; i++) {
			uint32_t c = crc32c_by(paths[i], 0, buf + 1, cut);
			c = crc32c_by(paths[i], c, buf + 1 + cut, n - cut);
			if (c != whole && failures++ < 10)
				printf("FAIL: pieces: %s cut at %zu: %08x, "
				       "whole %08x\n", names[i], cut, c, whole);
		}
	}
	// Many small pieces of varying sizes.
	for (int i = 0; i < path_count; i++) {
		uint32_t c = 0;
		size_t at = 0;
		for (size_t step = 1; at < n; step = step * 7 % 5003 + 1) {
			size_t len = step < n - at ? step : n - at;
			c = crc32c_by(paths[i], c, buf + 1 + at, len);
			at += len;
		}
		if (c != whole && failures++ < 10)
			printf("FAIL: pieces: %s in small steps: %08x, "
			       "whole %08x\n", names[i], c, whole);
	}
	printf("pieces: %s\n", failures ? "FAIL" : "ok");

	// crc(a || b) == crc32c_combine(crc(a), crc(b), |b|), split anywhere.
	for (size_t cut : cuts) {
		uint32_t a = crc32c_by(best, 0, buf + 1, cut);
		uint32_t b = crc32c_by(best, 0, buf + 1 + cut, n - cut);
		uint32_t c = ckpt::crc32c_combine(a, b, n - cut);
		if (c != whole && failures++ < 10)
			printf("FAIL: combine: cut at %zu: %08x, whole %08x\n",
			       cut, c, whole);
	}
	printf("combine: %s\n", failures ? "FAIL" : "ok");
	free(buf);
	return failures != 0;
}
