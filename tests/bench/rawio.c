/* The benchmark's measures of the machine itself, with nothing of ckpt in
 * them: what a checkpoint or a restore is compared with.
 *
 *   rawio read PATH      read() PATH whole into fresh anonymous memory
 *                        (what an eager restore must at least do), then
 *                        load one word of every page of it (the app's
 *                        first use of that memory)
 *                        prints: read SECONDS, read_load SECONDS (both
 *                        from the open())
 *   rawio map PATH [store]
 *                        mmap(MAP_PRIVATE) PATH, load one word of every
 *                        page, then with "store" store one (what a lazy
 *                        restore and the app's first use of its memory
 *                        must at least do)
 *                        prints: map_read SECONDS, map_write SECONDS
 *                        (each from the open())
 *   rawio resident PATH  the share of PATH's pages in the page cache
 *                        (mincore; changes nothing): resident FRACTION
 *   rawio evict PATH     fdatasync PATH and drop its pages from the page
 *                        cache (posix_fadvise DONTNEED; unprivileged)
 *                        prints: resident FRACTION (after)
 *   rawio exec PROG ARG...
 *                        prints exec NS (CLOCK_REALTIME) and execs PROG:
 *                        the start of a restore, taken as late as possible
 *
 * The write() bound is measured inside the benchmark's app, from the very
 * memory that it checkpoints (bench-app.c). Timed spans include open()
 * and close(); memory is prepared outside them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "rawio: %s: %s: %s\n", path, what, strerror(errno));
	exit(1);
}

static size_t file_size(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		die("stat", path);
	return st.st_size;
}

static int do_read(const char *path)
{
	size_t len = file_size(path);
	/* Fresh, unpopulated memory: the restorer reads into memory it has
	 * just mapped, so the page faults belong to the bound. */
	char *buf = mmap(NULL, len ? len : 1, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap", path);
	double t0 = mono();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open", path);
	for (size_t done = 0; done < len;) {
		size_t want = len - done > (1UL << 30) ? 1UL << 30 : len - done;
		ssize_t n = read(fd, buf + done, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die(n ? "read" : "read: unexpected end", path);
		done += n;
	}
	close(fd);
	double t1 = mono();
	size_t page = sysconf(_SC_PAGESIZE);
	volatile unsigned long sum = 0;
	for (size_t off = 0; off < len; off += page)
		sum += *(volatile unsigned long *)(buf + off);
	double t2 = mono();
	printf("read %.9f\nread_load %.9f\n", t1 - t0, t2 - t0);
	return 0;
}

static int do_map(const char *path, int store)
{
	size_t len = file_size(path), page = sysconf(_SC_PAGESIZE);
	double t0 = mono();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open", path);
	volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap", path);
	close(fd);
	unsigned long sum = 0;
	for (size_t off = 0; off < len; off += page)
		sum += p[off];
	double t1 = mono();
	printf("map_read %.9f\nsum %lu\n", t1 - t0, sum);
	if (store) {
		for (size_t off = 0; off < len; off += page)
			p[off] = (char)(off >> 12);
		printf("map_write %.9f\n", mono() - t0);
	}
	return 0;
}

static double resident(const char *path)
{
	size_t len = file_size(path), page = sysconf(_SC_PAGESIZE);
	if (!len)
		return 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open", path);
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap", path);
	close(fd);
	size_t pages = (len + page - 1) / page, in = 0;
	unsigned char *vec = malloc(pages);
	if (!vec || mincore(p, len, vec) != 0)
		die("mincore", path);
	for (size_t i = 0; i < pages; i++)
		in += vec[i] & 1;
	munmap(p, len);
	free(vec);
	return (double)in / pages;
}

static int do_evict(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open", path);
	/* Only clean pages can be dropped. */
	if (fdatasync(fd) != 0)
		die("fdatasync", path);
	int err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (err) {
		errno = err;
		die("posix_fadvise", path);
	}
	close(fd);
	printf("resident %.6f\n", resident(path));
	return 0;
}

static int do_exec(char **argv)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	char line[64];
	int n = snprintf(line, sizeof line, "exec %lld\n",
			 t.tv_sec * 1000000000LL + t.tv_nsec);
	if (write(1, line, n) != n)
		die("write", "stdout");
	execv(argv[0], argv);
	die("exec", argv[0]);
	return 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	if (argc == 3 && strcmp(cmd, "read") == 0)
		return do_read(argv[2]);
	if ((argc == 3 || (argc == 4 && strcmp(argv[3], "store") == 0)) &&
	    strcmp(cmd, "map") == 0)
		return do_map(argv[2], argc == 4);
	if (argc == 3 && strcmp(cmd, "resident") == 0) {
		printf("resident %.6f\n", resident(argv[2]));
		return 0;
	}
	if (argc == 3 && strcmp(cmd, "evict") == 0)
		return do_evict(argv[2]);
	if (argc >= 3 && strcmp(cmd, "exec") == 0)
		return do_exec(argv + 2);
	fprintf(stderr, "usage: rawio read|map|resident|evict PATH\n"
			"       rawio map PATH store\n"
			"       rawio exec PROG [ARG...]\n");
	return 2;
}
