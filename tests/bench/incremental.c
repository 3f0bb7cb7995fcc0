/* The benchmark's incremental app (`ninja bench`'s "incremental" case).
 *
 * usage: CKPT_INCREMENTAL=1 incremental IMAGE TOUCHED PERCENT INCREMENTS
 *                                       SCRATCH ORDER
 *
 * It maps TOUCHED bytes of private anonymous memory and touches every
 * page, times writing one word to PERCENT% of its pages (spread evenly:
 * every stride-th page) without tracking, checkpoints itself in full to
 * IMAGE (which registers the memory for tracking), then INCREMENTS times:
 *
 *   1. writes one word to each of the same pages (timed: the app's cost,
 *      one write fault a page);
 *   2. scans the mapping with PAGEMAP_SCAN as the runtime's tracking does
 *      (PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, written pages that
 *      are present or swapped, up to 4096 ranges a call): timed, the
 *      scan of the bound; it write-protects the pages again, so
 *   3. writes the same pages once more (untimed): the increment has as
 *      many written pages as the app's scan found;
 *   4. the increment's checkpoint to IMAGE, and the raw write of the
 *      bound, in the order ORDER (raw-first or ckpt-first) says for the
 *      first increment, the other order for the next, and so on. The raw
 *      write is writev() of the written pages from where they are in the
 *      app's memory, IOV_MAX pages a call (4 MiB, as the writer's
 *      batches), to the new file SCRATCH (removed right after). Each of
 *      the two starts after a write of as many bytes to SCRATCH.warm,
 *      removed at once, and a sync(), as bench-app.c's prepare() does
 *      (and a sync() before it, for the increment kept: prepare()):
 *      on this VM memory the kernel has not used lately is slow to
 *      allocate, and without it whichever write came first would pay.
 *
 * BENCH_WARMUP=0 skips the warm-up writes; with CKPT_SYNC=1 the raw write
 * ends with fdatasync(), as the checkpoint then does.
 *
 * Output, one "key value" a line, KEY_I for increment I:
 *   untracked_I SECONDS  the word writes before tracking, per page
 *   tracked_I SECONDS    the same writes tracked (step 1), per page
 *   scan_I SECONDS       the PAGEMAP_SCAN (step 2)
 *   scanned_I PAGES      the written pages it found
 *   raw_write_I SECONDS  the raw write
 *   checkpoint_I SECONDS time in ckpt_checkpoint() for the increment
 *   size_I BYTES         the length of the increment's file (st_size:
 *                        its data starts 2 MiB-aligned, after a hole)
 *   disk_I BYTES         its blocks on disk (st_blocks * 512)
 *   written BYTES        the bytes of the pages written a time
 *
 * By hand, after `ninja bench` (or ninja build/bench/incremental):
 *   CKPT_INCREMENTAL=1 build/bench/incremental /tmp/i.ckpt $((1<<30)) 1 \
 *       5 /tmp/i.raw raw-first
 * leaves the chain /tmp/i.ckpt, /tmp/i.ckpt.0, ... behind. To profile
 * the increments' checkpoints only:
 *   mkfifo /tmp/ctl /tmp/ack; BENCH_PERF_CTL=/tmp/ctl,/tmp/ack ... \
 *   perf record -g -D -1 --control fifo:/tmp/ctl,/tmp/ack -- \
 *       build/bench/incremental ... */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"

/* linux/fs.h of 6.7 (Debian 12's lacks it), as runtime/incremental.cc. */
#define PAGEMAP_SCAN_IOCTL 0xc0606610UL /* _IOWR('f', 16, 96) */
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#define PAGE_IS_WRITTEN (1 << 1)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)

struct page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

static char *mem;
static size_t page, pieces, stride;
static char warm_path[PATH_MAX];
static int sync_it, warm_up;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fail(const char *what, long err)
{
	fprintf(stderr, "incremental: %s: %s\n", what, strerror(err));
	exit(1);
}

static size_t number(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "incremental: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

/* One word into each written page; seconds. */
static double write_pages(size_t word, char value)
{
	double t0 = now();
	for (size_t k = 0; k < pieces; k++)
		mem[k * stride * page + word * 8] = value;
	return now() - t0;
}

/* writev() of the written pages to the new file path, IOV_MAX a call. */
static double raw_write(const char *path, int sync_this)
{
	static struct iovec iov[IOV_MAX];
	double t0 = now();
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		fail(path, errno);
	for (size_t k = 0; k < pieces;) {
		int n = 0;
		for (; n < IOV_MAX && k + n < pieces; n++) {
			iov[n].iov_base = mem + (k + n) * stride * page;
			iov[n].iov_len = page;
		}
		ssize_t w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w != (ssize_t)(n * page)) /* no short writes to a file */
			fail("writev", w < 0 ? errno : EIO);
		k += n;
	}
	if (sync_this && fdatasync(fd) != 0)
		fail("fdatasync", errno);
	close(fd);
	return now() - t0;
}

/* What each timed write starts from: see the header. The first sync()
 * writes back the previous increment, kept: right before a timed write it
 * made that write several times slower here (30-100 ms where 3 ms was
 * usual), whichever came second of the increment and the raw write. */
static void prepare(void)
{
	sync();
	if (warm_up) {
		raw_write(warm_path, 0);
		unlink(warm_path);
		sync();
	}
}

/* The tracking's scan of the mapping; its time, *found the pages. */
static double scan(int pagemap, size_t touched, size_t *found)
{
	static struct page_region vec[4096];
	double t0 = now();
	*found = 0;
	for (uint64_t at = (uint64_t)mem, end = at + touched; at < end;) {
		struct pm_scan_arg a = {
			sizeof a, PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
			at, end, 0, (uint64_t)vec, 4096, 0, 0,
			PAGE_IS_WRITTEN, PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
			PAGE_IS_WRITTEN};
		long n = ioctl(pagemap, PAGEMAP_SCAN_IOCTL, &a);
		if (n < 0)
			fail("PAGEMAP_SCAN of the tracked memory", errno);
		for (long i = 0; i < n; i++)
			*found += (vec[i].end - vec[i].start) / page;
		if (a.walk_end <= at)
			fail("PAGEMAP_SCAN made no progress", EIO);
		at = a.walk_end;
	}
	return now() - t0;
}

/* BENCH_PERF_CTL=CTL,ACK: fifos of `perf record -D -1 --control
 * fifo:CTL,ACK`, told to sample only the increments' checkpoints. */
static void profile(const char *command)
{
	static int ctl = -2, ack = -1;
	if (ctl == -2) {
		const char *env = getenv("BENCH_PERF_CTL");
		const char *comma = env ? strchr(env, ',') : NULL;
		char path[PATH_MAX];
		ctl = -1;
		if (!comma || comma - env >= PATH_MAX)
			return;
		snprintf(path, sizeof path, "%.*s", (int)(comma - env), env);
		ctl = open(path, O_WRONLY | O_CLOEXEC);
		ack = open(comma + 1, O_RDONLY | O_CLOEXEC);
		if (ctl < 0 || ack < 0)
			fail("BENCH_PERF_CTL", errno);
	}
	char buf[16];
	if (ctl < 0 || write(ctl, command, strlen(command)) < 0 ||
	    read(ack, buf, sizeof buf) < 0)
		return;
}

int main(int argc, char **argv)
{
	if (argc != 7 || (strcmp(argv[6], "raw-first") &&
			  strcmp(argv[6], "ckpt-first"))) {
		fprintf(stderr, "usage: incremental IMAGE TOUCHED PERCENT "
				"INCREMENTS SCRATCH raw-first|ckpt-first\n");
		return 2;
	}
	const char *image = argv[1], *raw = argv[5];
	page = sysconf(_SC_PAGESIZE);
	const size_t touched = number(argv[2]) / page * page;
	const double percent = atof(argv[3]);
	const size_t increments = number(argv[4]);
	const size_t pages = touched / page;
	pieces = (size_t)(pages * percent / 100);
	if (!pieces || percent > 100 || !increments) {
		fprintf(stderr, "incremental: bad sizes\n");
		return 2;
	}
	stride = pages / pieces;
	snprintf(warm_path, sizeof warm_path, "%s.warm", raw);
	const char *env = getenv("CKPT_SYNC");
	sync_it = env && strcmp(env, "1") == 0;
	env = getenv("BENCH_WARMUP");
	warm_up = !env || strcmp(env, "0") != 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	mem = mmap(NULL, touched, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		fail("mmap", errno);
	for (size_t p = 0; p < pages; p++)
		mem[p * page] = (char)p;
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap < 0)
		fail("/proc/self/pagemap", errno);
	printf("written %zu\n", pieces * page);
	/* Word 0 is the value above, each increment writes words 1 to 2k. */
	for (size_t i = 0; i < increments; i++)
		printf("untracked_%zu %.12f\n", i,
		       write_pages(1 + i % 200, (char)i) / pieces);
	int rc = ckpt_checkpoint(image);
	if (rc < 0)
		fail("ckpt_checkpoint (the full image)", -rc);
	if (rc == 1)
		return 0; /* restored: nothing to measure */
	int raw_first = strcmp(argv[6], "raw-first") == 0;
	for (size_t i = 0; i < increments; i++, raw_first = !raw_first) {
		size_t found;
		double t = write_pages(1 + 2 * i % 400, (char)(i + 1));
		printf("tracked_%zu %.12f\n", i, t / pieces);
		printf("scan_%zu %.9f\n", i, scan(pagemap, touched, &found));
		printf("scanned_%zu %zu\n", i, found);
		write_pages(2 + 2 * i % 400, (char)(i + 1));
		for (int step = 0; step < 2; step++) {
			prepare();
			if (step == !raw_first) {
				printf("raw_write_%zu %.9f\n", i, raw_write(raw, sync_it));
				unlink(raw);
				continue;
			}
			profile("enable\n");
			double t0 = now();
			rc = ckpt_checkpoint(image);
			t = now() - t0;
			profile("disable\n");
			if (rc < 0)
				fail("ckpt_checkpoint (an increment)", -rc);
			printf("checkpoint_%zu %.9f\n", i, t);
			struct stat st;
			if (stat(image, &st) != 0)
				fail(image, errno);
			printf("size_%zu %lld\n", i, (long long)st.st_size);
			printf("disk_%zu %lld\n", i, (long long)st.st_blocks * 512);
		}
	}
	return 0;
}
