/* A program without the runtime linked in: it says whether LD_PRELOAD is
 * in its environment, then counts, a line each 50 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	int lines = argc > 1 ? atoi(argv[1]) : 40;
	const char *preload = getenv("LD_PRELOAD");
	printf("LD_PRELOAD: %s\n", preload ? preload : "(unset)");
	fflush(stdout);
	for (int i = 0; i < lines; i++) {
		printf("line %d\n", i);
		fflush(stdout);
		struct timespec ts = {0, 50 * 1000 * 1000};
		while (nanosleep(&ts, &ts) != 0)
			;
	}
	printf("done\n");
	return 0;
}
