// A restored process can be checkpointed and restored again, three times
// in a row: by the checkpoint signal (each generation is signalled at a
// later tick) and by ckpt_checkpoint() called again in the restored
// process. The last generation sees every earlier tick's data in memory.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.sig.ckpt --restores 3 --at '^tick 2 ' \
// RUN:     --at '^tick 5 ' --at '^tick 8 ' -- %t signal \
// RUN:   | FileCheck --check-prefix=SIG %s
// RUN: %drive --image %t.api.ckpt --restores 3 --no-kill -- %t api \
// RUN:   | FileCheck --check-prefix=API %s
//
// SIG: gen0: tick 2 sum 3 restores 0
// SIG: gen0: signal KILL
// SIG-NOT: gen1: tick {{[0-2]}} sum
// SIG: gen1: tick 5 sum 15 restores 1
// SIG: gen1: signal KILL
// SIG-NOT: gen2: tick {{[0-5]}} sum
// SIG: gen2: tick 8 sum 36 restores 2
// SIG: gen2: signal KILL
// SIG-NOT: gen3: tick {{[0-8]}} sum
// SIG: gen3: tick 15 sum 120 restores 3
// SIG-NEXT: gen3: total 120, recounted 120, restores 3
// SIG-NEXT: gen3: exit 0
//
// API: gen0: step 0: rc=0
// API-NEXT: gen0: exit 0
// API-NEXT: gen1: step 0: rc=1
// API-NEXT: gen1: step 1: rc=0
// API-NEXT: gen1: exit 0
// API-NEXT: gen2: step 1: rc=1
// API-NEXT: gen2: step 2: rc=0
// API-NEXT: gen2: exit 0
// API-NEXT: gen3: step 2: rc=1
// API-NEXT: gen3: done after 3 restores, history 1 2 3
// API-NEXT: gen3: exit 0
#include <string.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define TICKS 16

static long history[TICKS];

static int by_signal(void)
{
	pid_t pid = getpid();
	int restores = 0;
	long sum = 0;
	for (int i = 0; i < TICKS; i++) {
		if (getpid() != pid) { // a new generation
			pid = getpid();
			restores++;
		}
		history[i] = i;
		sum += i;
		printf("tick %d sum %ld restores %d\n", i, sum, restores);
		testing_nap(100);
	}
	long recount = 0;
	for (int i = 0; i < TICKS; i++)
		recount += history[i];
	printf("total %ld, recounted %ld, restores %d\n", sum, recount,
	       restores);
	return sum == recount ? 0 : 1;
}

static int by_api(void)
{
	int restores = 0;
	for (int step = 0; step < 3; step++) {
		history[step] = step + 1;
		int rc = ckpt_checkpoint(NULL);
		printf("step %d: rc=%d\n", step, rc);
		if (rc != 1)
			return rc == 0 ? 0 : 1; // the driver restores it
		restores++;
	}
	printf("done after %d restores, history %ld %ld %ld\n", restores,
	       history[0], history[1], history[2]);
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc == 2 && strcmp(argv[1], "signal") == 0)
		return by_signal();
	if (argc == 2 && strcmp(argv[1], "api") == 0)
		return by_api();
	return 2;
}
