/* Holds MiB of memory whose contents encode a version number and keeps
 * changing it; checkpoints come from the signal (CKPT_IMAGE names the
 * image). With --fresh it first writes an image itself. A restored copy
 * notices its new pid, checks that the memory is consistent with its
 * version, prints "restored version V: ok" (or what is wrong) and exits.
 * Updates happen with the checkpoint signal blocked, so every image holds
 * a consistent state. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"

#define MIB (1UL << 20)

static unsigned long version;
static unsigned long *mem;
static size_t words;

static void fill(void)
{
	for (size_t i = 0; i < words; i += 512)
		mem[i] = version * 1000003UL + i;
}

static int check(void)
{
	for (size_t i = 0; i < words; i += 512) {
		if (mem[i] != version * 1000003UL + i) {
			printf("restored version %lu: word %zu is %lu\n", version,
			       i, mem[i]);
			return 1;
		}
	}
	printf("restored version %lu: ok\n", version);
	return 0;
}

int main(int argc, char **argv)
{
	size_t mib = 48;
	int fresh = argc > 1 && strcmp(argv[1], "--fresh") == 0;
	words = mib * MIB / sizeof *mem;
	mem = malloc(mib * MIB);
	if (!mem)
		return 2;
	fill();
	pid_t pid = getpid();
	if (fresh && ckpt_checkpoint(NULL) != 0)
		return 3;
	if (getpid() != pid)
		return check();
	puts("READY");
	fflush(stdout);

	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	for (;;) {
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
		if (getpid() != pid)
			return check();
		sigprocmask(SIG_BLOCK, &usr2, NULL);
		version++;
		fill();
		sigprocmask(SIG_UNBLOCK, &usr2, NULL);
	}
}
