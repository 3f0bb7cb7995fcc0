/* Demo app: counts ticks every 0.2 s, keeping a running total in memory.
 * Linked with runtime.o, so SIGUSR2 checkpoints it to counter.ckpt. */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define TICKS 25

static long history[TICKS]; /* each tick's value: memory that must survive */

static void nap(long ns)
{
	struct timespec ts = {0, ns};
	/* The checkpoint signal interrupts the sleep: sleep the rest. */
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int main(void)
{
	long total = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("counter: pid %d, %d ticks\n", (int)getpid(), TICKS);
	for (int i = 1; i <= TICKS; i++) {
		history[i - 1] = i;
		total += i;
		printf("tick %2d  total %3ld  (pid %d)\n", i, total,
		       (int)getpid());
		nap(200 * 1000 * 1000);
	}
	long sum = 0;
	for (int i = 0; i < TICKS; i++)
		sum += history[i];
	printf("done: total %ld, recounted from memory %ld, expected %d\n",
	       total, sum, TICKS * (TICKS + 1) / 2);
	return total == sum && sum == TICKS * (TICKS + 1) / 2 ? 0 : 1;
}
