/* Helpers for ckpt's test programs: unbuffered-enough output and telling a
 * restored process from the one that was checkpointed. */
#ifndef CKPT_TESTING_H
#define CKPT_TESTING_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ckpt.h"

/* The pid of the first process; a copy of it travels in the image. */
static pid_t testing_first_pid;

/* Call first: line-buffers stdout, so that the driver (and --at) see each
 * line when it is printed, and no line is printed twice after a restore. */
static inline void testing_start(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IONBF, 0);
	testing_first_pid = getpid();
}

/* True in a restored process: pids are not restored, so it runs under the
 * restorer's pid (glibc does not cache getpid()). If pids are ever
 * restored, tests that spin until this turns true time out and fail. */
static inline int testing_restored(void)
{
	return getpid() != testing_first_pid;
}

/* Seconds on CLOCK_MONOTONIC (which jumps forward over a restore). */
static inline double testing_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Sleeps ms milliseconds, resuming after the checkpoint signal. */
static inline void testing_nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* splitmix64: distinct, non-trivial test values from an index. */
static inline unsigned long long testing_value(unsigned long long i)
{
	unsigned long long z = (i + 1) * 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A thread's state letter from /proc/self/task/TID/stat ('R', 'S', 'D',
 * 't', ...), or '?' if it is gone. */
static inline char testing_thread_state(pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return '?';
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	/* Field 2 is "(comm)", and comm may hold ')'. */
	char *end = strrchr(buf, ')');
	return end && end[1] == ' ' ? end[2] : '?';
}

/* True if fd holds the restorer's placeholder for a descriptor that did
 * not come back: open (no later open() gets its number), O_PATH, so that
 * reads and writes fail with EBADF as on a closed one. */
#ifndef O_PATH
#define O_PATH 010000000 /* the same on x86_64 and aarch64 */
#endif
static inline int testing_placeholder(int fd)
{
	char c;
	int flags = fcntl(fd, F_GETFL);
	return flags >= 0 && (flags & O_PATH) && read(fd, &c, 1) == -1 &&
	       errno == EBADF && write(fd, "", 1) == -1 && errno == EBADF;
}

/* Prints "FAILED: what" and exits 1 unless cond holds. */
#define TESTING_ASSERT(cond, ...)                                              \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("FAILED: " __VA_ARGS__);                        \
			printf(" (%s, line %d)\n", #cond, __LINE__);           \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* Checkpoints to the default image. The app prints "checkpointed" and
 * exits 0 (or "FAILED: checkpoint failed: -N" and exits 1); only the
 * restored process returns, after printing "restored". */
static inline void testing_checkpoint_or_exit(void)
{
	int rc = ckpt_checkpoint(NULL);
	if (rc == 0) {
		printf("checkpointed\n");
		exit(0);
	}
	TESTING_ASSERT(rc == 1, "checkpoint failed: %d", rc);
	printf("restored\n");
}

/* Checkpoints to the default image for a driver (ckpt_drive.py) that kills
 * the app once the image is there: the app waits for that; only the
 * restored process returns, after printing "restored". */
static inline void testing_checkpoint_and_wait(void)
{
	int rc = ckpt_checkpoint(NULL);
	TESTING_ASSERT(rc >= 0, "checkpoint failed: %d", rc);
	if (rc == 0) {
		for (;;)
			pause(); /* killed by the driver */
	}
	printf("restored\n");
}

/* Writes the string s at offset off of fd, or fails. */
static inline void testing_put_at(int fd, const char *s, off_t off)
{
	TESTING_ASSERT(pwrite(fd, s, strlen(s), off) == (ssize_t)strlen(s),
		       "pwrite %s", s);
}

/* Up to n (< 256) bytes at offset off of fd, as a string (static). */
static inline const char *testing_get_at(int fd, off_t off, size_t n)
{
	static char buf[256];
	ssize_t got = pread(fd, buf, n, off);
	TESTING_ASSERT(got >= 0, "pread");
	buf[got] = 0;
	return buf;
}

/* Whether smaps' VmFlags of the mapping that starts at addr hold the
 * two-letter mnemonic flag ("dc", "wf", "lo", ...). */
static inline int testing_vm_flag(const void *addr, const char *flag)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	TESTING_ASSERT(f, "/proc/self/smaps");
	char line[1024];
	int found = 0, has = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long start, end;
		if (strncmp(line, "VmFlags:", 8) &&
		    sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, ' ') == line + strcspn(line, " ")) {
			found = start == (unsigned long)addr;
			continue;
		}
		if (!found || strncmp(line, "VmFlags:", 8))
			continue;
		for (char *at = line + 8; (at = strstr(at, flag)); at++) {
			if (at[-1] == ' ' && (at[2] == ' ' || at[2] == '\n'))
				has = 1;
		}
		break;
	}
	fclose(f);
	return has;
}

/* Under an emulator (qemu-user) /proc/self/task/TID/exe names the
 * emulator and /proc/self/exe the program it runs; /proc/self/task then
 * also lists a thread of the emulator's own (threads.md). */
static inline int testing_emulated(void)
{
	char a[4096], b[4096], path[64];
	snprintf(path, sizeof path, "/proc/self/task/%ld/exe",
		 (long)syscall(SYS_gettid));
	ssize_t n = readlink("/proc/self/exe", a, sizeof a);
	ssize_t m = readlink(path, b, sizeof b);
	return n > 0 && m > 0 && (n != m || memcmp(a, b, n) != 0);
}

#endif
