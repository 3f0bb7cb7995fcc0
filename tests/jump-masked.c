// The restorer jumps into the app with every signal blocked, and the
// app's mask comes back where the app resumes: a timer that expires
// during the restore runs its handler in the app, after the restorer's
// mapping is gone, even when the handler longjmps out.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.ckpt && %run %t %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %python %S/lib/patch_image.py %t.ckpt --itimer 0=0.000001
// RUN: %run %restorer %t.ckpt | FileCheck %s
// APP: checkpointed
// CHECK: SIGALRM after the restore; restorer mapped: no
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static sigjmp_buf back;

static void on_alarm(int sig)
{
	(void)sig;
	siglongjmp(back, 1);
}

// Whether a mapping of the restorer's file (or an executable anonymous
// one, a moved copy) is left in this process.
static const char *restorer_mapped(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;
	while (f && fgets(line, sizeof line, f))
		found |= strstr(line, "/restorer") != NULL;
	if (f)
		fclose(f);
	return found ? "yes" : "no";
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 2)
		return 2;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	if (sigsetjmp(back, 1)) {
		printf("SIGALRM %s; restorer mapped: %s\n",
		       testing_restored() ? "after the restore" : "too early",
		       restorer_mapped());
		return 0;
	}
	// Ten seconds: the test patches the time left in the image.
	struct itimerval it = {{0, 0}, {10, 0}};
	setitimer(ITIMER_REAL, &it, NULL);
	int rc = ckpt_checkpoint(argv[1]);
	if (rc == 0) {
		printf("checkpointed\n");
		return 0;
	}
	// Restored: the timer fires within a microsecond.
	for (int i = 0; i < 1000; i++)
		testing_nap(10);
	printf("restored (%d), no SIGALRM\n", rc);
	return 1;
}
