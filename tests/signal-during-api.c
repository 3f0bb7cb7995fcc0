// A checkpoint signal that arrives while ckpt_checkpoint() writes an image
// is not dropped: it stays pending while every signal is blocked and
// takes its checkpoint when the first ends. A helper process sends
// SIGUSR2 once it sees the app block it (the app never does: only the
// checkpoint); the signal's image (CKPT_IMAGE, another path) appears
// every time.
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.api %t.sig
// RUN: env CKPT_IMAGE=%t.sig %run %t %t.api %t.sig | FileCheck %s
// CHECK: signal checkpoints: 10 of 10
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "Inputs/testing.h"

#define LEN (16UL << 20)

static int usr2_blocked(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	unsigned long long mask = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "SigBlk: %llx", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return (mask >> (SIGUSR2 - 1)) & 1;
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	char *data = malloc(LEN);
	memset(data, 1, LEN);
	int go[2];
	if (pipe(go))
		return 2;
	pid_t app = getpid();
	pid_t helper = fork();
	if (helper == 0) {
		char c;
		close(go[1]);
		while (read(go[0], &c, 1) == 1) {
			// Until the API checkpoint runs (bounded: 10 s).
			for (int i = 0; i < 100000 && !usr2_blocked(app); i++)
				usleep(100);
			kill(app, SIGUSR2);
		}
		_exit(0);
	}
	int taken = 0;
	for (int round = 0; round < 10; round++) {
		unlink(argv[2]);
		write(go[1], "x", 1);
		if (ckpt_checkpoint(argv[1]) != 0)
			break;
		for (int i = 0; i < 10000 && access(argv[2], F_OK); i++)
			testing_nap(1);
		taken += access(argv[2], F_OK) == 0;
	}
	close(go[1]);
	waitpid(helper, NULL, 0);
	printf("signal checkpoints: %d of 10\n", taken);
	return 0;
}
