// GB/s of each CRC32C path over 1 GiB in memory and over a 64 KiB buffer
// in the cache (the best of three runs; the table path once, 256 MiB), and
// of a bare read of the same memory. Hosted, run natively:
//   g++ -std=c++20 -O2 -I. tests/bench/crc32c.cc runtime/crc32c.cc \
//       arch/x86_64/crc32c.cc -o build/crc32c-bench && build/crc32c-bench
#include "runtime/crc32c.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

using ckpt::crc32c_path;

static double now()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int, char **, char **envp)
{
	char **e = envp;
	while (*e)
		e++;
	crc32c_path best = ckpt::crc32c_best((const uint64_t *)(e + 1));

	const size_t size = 1ul << 30;
	auto *buf = (unsigned char *)malloc(size);
	if (!buf) {
		perror("crc32c-bench: malloc 1 GiB");
		return 1;
	}
	memset(buf, 0x5a, size); // fault every page in before timing

	// What reading memory costs at all: xor every word (the reference
	// for "at memory speed").
	double read = 1e9;
	uint64_t sum = 0;
	for (int run = 0; run < 3; run++) {
		double t = now();
		const uint64_t *w = (const uint64_t *)buf;
		for (size_t k = 0; k < size / 8; k += 4)
			sum += w[k] ^ w[k + 1] ^ w[k + 2] ^ w[k + 3];
		asm volatile("" : : "r"(sum));
		t = now() - t;
		read = t < read ? t : read;
	}
	printf("%-12s %6.2f GB/s in memory\n", "read", size / read / 1e9);

	static const crc32c_path paths[] = {crc32c_path::table,
					    crc32c_path::instructions,
					    crc32c_path::interleaved,
					    crc32c_path::folded};
	static const char *const names[] = {"table", "instructions",
					    "interleaved", "folded"};
	for (int i = 0; i < 4; i++) {
		if (paths[i] > best)
			break;
		size_t n = i == 0 ? size / 4 : size;
		double fastest = 1e9;
		uint32_t crc = 0;
		for (int run = 0; run < (i == 0 ? 1 : 3); run++) {
			double t = now();
			crc = ckpt::crc32c_by(paths[i], 0, buf, n);
			t = now() - t;
			fastest = t < fastest ? t : fastest;
		}
		// The same amount again over a 64 KiB buffer the cache holds:
		// what the path costs when memory is not the limit.
		const size_t piece = 64 << 10;
		double cached = 1e9;
		for (int run = 0; run < (i == 0 ? 1 : 3); run++) {
			double t = now();
			for (size_t at = 0; at < n; at += piece)
				crc = ckpt::crc32c_by(paths[i], crc, buf,
						      piece);
			t = now() - t;
			cached = t < cached ? t : cached;
		}
		printf("%-12s %6.2f GB/s in memory, %6.2f GB/s in cache "
		       "(crc %08x)\n", names[i], n / fastest / 1e9,
		       n / cached / 1e9, crc);
	}
	free(buf);
	return 0;
}
