/* The benchmark's app: holds TOUCHED bytes of memory in a mapping of
 * MAPPED bytes, checkpoints itself once, and reports times. Output lines:
 *   ready                       memory is touched, about to checkpoint
 *   pause SECONDS               how long ckpt_checkpoint() kept it
 *   complete SECONDS            until the image was whole (CKPT_FORK=1)
 * and in a restored process:
 *   resumed NS                  CLOCK_REALTIME at the first instruction
 *   touched NS                  CLOCK_REALTIME once every page was read
 * usage: bench-app IMAGE MAPPED_MIB TOUCHED_MIB */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "ckpt.h"

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static long long real_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	size_t mapped = strtoull(argv[2], NULL, 0) << 20;
	size_t touched = strtoull(argv[3], NULL, 0) << 20;
	unsigned char *p = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
	if (p == MAP_FAILED)
		return 3;
	/* Touched memory in 1 MiB pieces spread evenly over the mapping. */
	size_t pieces = touched >> 20, stride = mapped / (pieces ? pieces : 1);
	for (size_t i = 0; i < pieces; i++)
		for (size_t off = 0; off < (1 << 20); off += 4096)
			p[i * stride + off] = (unsigned char)(i + off / 4096 + 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");

	double t0 = mono();
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 1) {
		printf("resumed %lld\n", real_ns());
		unsigned long sum = 0;
		for (size_t i = 0; i < pieces; i++)
			for (size_t off = 0; off < (1 << 20); off += 4096)
				sum += p[i * stride + off];
		printf("touched %lld\n", real_ns());
		return sum == 0;
	}
	double t1 = mono();
	if (rc < 0)
		return 4;
	printf("pause %.9f\n", t1 - t0);
	if (ckpt_wait() != 0)
		return 5;
	printf("complete %.9f\n", mono() - t0);
	return 0;
}
