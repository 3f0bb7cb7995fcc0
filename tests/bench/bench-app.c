/* The benchmark's app. It maps MAPPED bytes of private anonymous memory
 * and touches TOUCHED bytes of it, in pieces of PIECE bytes spread evenly
 * over the mapping (PIECE = TOUCHED: one dense block), then checkpoints
 * itself once with ckpt_checkpoint(IMAGE).
 *
 * usage: bench-app IMAGE MAPPED TOUCHED PIECE SCRATCH ORDER
 *
 * ORDER raw-first or ckpt-first: it also measures the bound of its own
 * checkpoint, write() of the same touched bytes straight from the same
 * memory to the new file SCRATCH (removed at once), before or after the
 * checkpoint. ORDER ckpt: the checkpoint only; with CKPT_FORK=1 it also
 * times a plain fork() whose child exits at once (the bound of the app's
 * pause), and a fork() whose child writes the touched bytes to SCRATCH
 * until it has exited (the bound of the forked checkpoint's completion).
 *
 * Each timed write is preceded by sync(), so that it inherits no dirty
 * pages, and by a write of the same bytes to a file removed at once: the
 * previous timed write, or else a warm-up write to SCRATCH.warm. On a VM
 * with free page reporting, memory the kernel has not used lately costs
 * several times more to allocate than memory just freed, which would
 * otherwise penalize whichever write comes first. BENCH_WARMUP=0 skips
 * the warm-ups. With CKPT_SYNC=1 the raw write ends with fdatasync(), as
 * the checkpoint then does.
 *
 * Output, one "key value" a line:
 *   pause SECONDS     time spent in ckpt_checkpoint(): the checkpoint
 *                     itself, or with CKPT_FORK=1 only the app's pause
 *   complete SECONDS  CKPT_FORK=1: from the call until ckpt_wait()
 *                     returned, that is until the image was complete
 *   raw_write SECONDS the bound (raw-first, ckpt-first)
 *   raw_fork SECONDS  fork() in the parent (CKPT_FORK=1)
 *   raw_fork_write SECONDS  fork(), the child's write() and exit (same)
 * and in a restored process:
 *   resumed NS        CLOCK_REALTIME right after ckpt_checkpoint()
 *                     returned 1: the first instruction of the app
 *   read NS           once one word of every touched page was loaded
 *                     (and checked)
 *   written NS        once one word of every touched page was stored
 *                     (only if BENCH_STORES=1 when the app started)
 *   bad N             pages whose contents were wrong (exit status 1)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"

static unsigned char *mem;
static size_t page, pieces, piece, stride;

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

static size_t number(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "bench-app: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

static void fail(const char *what, long err)
{
	fprintf(stderr, "bench-app: %s: %s\n", what, strerror(err));
	exit(1);
}

/* The value the page at byte offset off of the mapping holds: never 0. */
static uint64_t value(size_t off)
{
	return (off / page + 1) * 0x9E3779B97F4A7C15ULL | 1;
}

#define EACH_PAGE(off)                                                      \
	for (size_t i_ = 0; i_ < pieces; i_++)                              \
		for (size_t off = i_ * stride, e_ = off + piece; off < e_;  \
		     off += page)

/* write() of the touched pieces to a new file, as few calls as the kernel
 * allows (writev of up to IOV_MAX pieces, each at most 1 GiB). */
static double raw_write(const char *path, int sync_it)
{
	static struct iovec iov[IOV_MAX];
	double t0 = mono();
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		fail(path, errno);
	size_t i = 0, done = 0; /* piece i, bytes of it written */
	while (i < pieces) {
		int n = 0;
		for (size_t k = i, d = done; k < pieces && n < IOV_MAX;
		     n++, k++, d = 0) {
			size_t len = piece - d;
			if (len > (1UL << 30))
				len = 1UL << 30;
			iov[n].iov_base = mem + k * stride + d;
			iov[n].iov_len = len;
			if (d + len < piece) {
				n++;
				break;
			}
		}
		ssize_t w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			fail("write", w ? errno : EIO);
		for (size_t left = w; left;) {
			size_t take = piece - done < left ? piece - done : left;
			done += take;
			left -= take;
			if (done == piece) {
				i++;
				done = 0;
			}
		}
	}
	if (sync_it && fdatasync(fd) != 0)
		fail("fdatasync", errno);
	close(fd);
	return mono() - t0;
}

/* How long fork() keeps the parent. */
static double raw_fork(void)
{
	double t0 = mono();
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	double t = mono() - t0;
	if (pid < 0)
		fail("fork", errno);
	waitpid(pid, NULL, 0);
	return t;
}

static char warm_path[PATH_MAX];
static int sync_it, warm_up, stores;
static int just_freed; /* the page cache of such a write was just freed */

/* From fork() until a child that wrote the touched bytes has exited. */
static double raw_fork_write(const char *path)
{
	double t0 = mono();
	pid_t pid = fork();
	if (pid == 0) {
		raw_write(path, sync_it);
		_exit(0);
	}
	if (pid < 0)
		fail("fork", errno);
	int status;
	if (waitpid(pid, &status, 0) != pid || status != 0)
		fail("raw write in a child", ECHILD);
	double t = mono() - t0;
	unlink(path);
	just_freed = 1;
	return t;
}

/* What every timed write starts from. */
static void prepare(void)
{
	if (warm_up && !just_freed) {
		raw_write(warm_path, 0);
		unlink(warm_path);
	}
	just_freed = 0;
	sync();
}

static void timed_raw_write(const char *path)
{
	prepare();
	printf("raw_write %.9f\n", raw_write(path, sync_it));
	unlink(path);
	just_freed = 1;
}

int main(int argc, char **argv)
{
	if (argc != 7 || (strcmp(argv[6], "raw-first") &&
			  strcmp(argv[6], "ckpt-first") &&
			  strcmp(argv[6], "ckpt"))) {
		fprintf(stderr, "usage: bench-app IMAGE MAPPED TOUCHED PIECE "
				"SCRATCH raw-first|ckpt-first|ckpt\n");
		return 2;
	}
	const char *image = argv[1], *raw = argv[5], *order = argv[6];
	const char *env = getenv("CKPT_SYNC");
	sync_it = env && strcmp(env, "1") == 0;
	env = getenv("CKPT_FORK");
	int forked = env && strcmp(env, "1") == 0;
	env = getenv("BENCH_WARMUP");
	warm_up = !env || strcmp(env, "0") != 0;
	env = getenv("BENCH_STORES");
	stores = env && strcmp(env, "1") == 0;
	snprintf(warm_path, sizeof warm_path, "%s.warm", raw);

	page = sysconf(_SC_PAGESIZE);
	size_t mapped = number(argv[2]), touched = number(argv[3]);
	piece = number(argv[4]);
	if (!piece || piece % page || touched % piece || touched > mapped) {
		fprintf(stderr, "bench-app: bad sizes\n");
		return 2;
	}
	pieces = touched / piece;
	stride = pieces ? mapped / pieces / page * page : 0;
	mem = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		fail("mmap", errno);
	EACH_PAGE(off) *(uint64_t *)(mem + off) = value(off);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (strcmp(order, "raw-first") == 0)
		timed_raw_write(raw);
	if (forked) {
		printf("raw_fork %.9f\n", raw_fork());
		prepare();
		printf("raw_fork_write %.9f\n", raw_fork_write(raw));
	}
	prepare();
	double t0 = mono();
	int rc = ckpt_checkpoint(image);
	if (rc == 1) {
		long long resumed = real_ns();
		size_t bad = 0;
		EACH_PAGE(off) bad += *(uint64_t *)(mem + off) != value(off);
		long long read = real_ns();
		printf("resumed %lld\nread %lld\n", resumed, read);
		if (stores) {
			EACH_PAGE(off) mem[off + 8] = 1;
			printf("written %lld\n", real_ns());
		}
		printf("bad %zu\n", bad);
		return bad != 0;
	}
	double t1 = mono();
	if (rc < 0)
		fail("ckpt_checkpoint", -rc);
	printf("pause %.9f\n", t1 - t0);
	if (forked) {
		rc = ckpt_wait();
		if (rc < 0)
			fail("ckpt_wait", -rc);
		printf("complete %.9f\n", mono() - t0);
	}
	if (strcmp(order, "ckpt-first") == 0)
		timed_raw_write(raw);
	return 0;
}
