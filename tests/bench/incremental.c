/* Incremental checkpoints, measured by hand (not part of `ninja bench`):
 *
 *   cc -O2 -Iruntime tests/bench/incremental.c build/x86_64/runtime.o \
 *       -o /tmp/inc && CKPT_INCREMENTAL=1 /tmp/inc /tmp/inc.ckpt 4096 1 5 [cold]
 *
 * maps MIB MiB, touches all of it, takes a full image, then REPS times:
 * writes PERCENT% of its pages (one word each, spread out), takes an
 * incremental image. Prints the medians of: the increment's checkpoint;
 * one raw write() of as many bytes from the app's memory to a file of the
 * same directory (right after a write of the same size: see design.md),
 * and to a new file kept, as an increment's is (its pages are new page
 * cache, which this VM makes slow);
 * the app's writes with tracking (one write fault per page) against the
 * same writes without it (after a checkpoint with CKPT_INCREMENTAL unset:
 * run it twice); the increment's size against the bytes written. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	if (argc != 5 && argc != 6)
		return 2;
	// "cold": no raw write after a write of the same size (whose pages
	// the next write reuses while they are still hot); then the kept
	// files' writes are the bound, as the increments' files are kept.
	const int warm = argc == 5 || strcmp(argv[5], "cold") != 0;
	const char *image = argv[1];
	const size_t mib = atol(argv[2]), page = 4096;
	const double percent = atof(argv[3]);
	const int reps = atoi(argv[4]);
	const size_t pages = mib << 20 >> 12;
	const size_t written = (size_t)(pages * percent / 100);
	const size_t stride = pages / written;
	char *mem = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t p = 0; p < pages; p++)
		memset(mem + p * page, (int)p, page);
	if (ckpt_checkpoint(image) != 0)
		return 1;
	double ckpt_t[64], raw_t[64], cold_t[64], spread_t[64], app_t[64];
	double size_r[64];
	char raw[4096 + 16];
	snprintf(raw, sizeof raw, "%s.raw", image);
	for (int r = 0; r < reps && r < 64; r++) {
		double t0 = now();
		for (size_t k = 0; k < written; k++)
			mem[(k * stride) * page + r] = (char)r;
		app_t[r] = now() - t0;
		t0 = now();
		if (ckpt_checkpoint(image) != 0)
			return 1;
		ckpt_t[r] = now() - t0;
		struct stat st;
		stat(image, &st);
		size_r[r] = (double)st.st_size / (written * page);
		for (int twice = 0; twice < 2 * warm; twice++) {
			int fd = open(raw, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			t0 = now();
			// One write of as many bytes: the bound.
			if (write(fd, mem, written * page) !=
			    (ssize_t)(written * page))
				return 1;
			raw_t[r] = now() - t0;
			close(fd);
			unlink(raw);
		}
		// As an increment's file is: new, and kept (a parent).
		char kept[4096 + 32];
		snprintf(kept, sizeof kept, "%s.raw.%d", image, r);
		int fd = open(kept, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		t0 = now();
		if (write(fd, mem, written * page) != (ssize_t)(written * page))
			return 1;
		cold_t[r] = now() - t0;
		close(fd);
		// The same pages one write() each, from where they are.
		snprintf(kept, sizeof kept, "%s.raw.s%d", image, r);
		fd = open(kept, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		t0 = now();
		for (size_t k = 0; k < written; k++)
			if (write(fd, mem + k * stride * page, page) !=
			    (ssize_t)page)
				return 1;
		spread_t[r] = now() - t0;
		close(fd);
	}
	for (int r = 0; r < reps && r < 64; r++) {
		char kept[4096 + 32];
		snprintf(kept, sizeof kept, "%s.raw.%d", image, r);
		unlink(kept);
		snprintf(kept, sizeof kept, "%s.raw.s%d", image, r);
		unlink(kept);
	}
	int n = reps < 64 ? reps : 64;
	printf("%zu MiB, %zu pages written (%.2f%%), %d reps, medians:\n", mib,
	       written, percent, n);
	double c = median(ckpt_t, n), w = median(raw_t, n);
	printf("increment checkpoint %.1f ms\n", c * 1e3);
	if (warm)
		printf("raw write of the pages, after one of the same size: "
		       "%.1f ms (%.2fx)\n", w * 1e3, c / w);
	printf("raw write of the pages to a new file, kept: %.1f ms (%.2fx)\n",
	       median(cold_t, n) * 1e3, c / median(cold_t, n));
	printf("the pages one write() each, to a new file, kept: %.1f ms "
	       "(%.2fx)\n", median(spread_t, n) * 1e3, c / median(spread_t, n));
	printf("app writes %.2f ms (%.2f us a page)\n", median(app_t, n) * 1e3,
	       median(app_t, n) * 1e6 / written);
	printf("increment size %.3fx the bytes written\n", median(size_r, n));
	return 0;
}
