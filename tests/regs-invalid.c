// Register values this CPU would fault on are refused before the point of
// no return: the saved FP control word of an API checkpoint (x86_64
// MXCSR against the CPU's MXCSR_MASK, aarch64 FPCR reserved bits) and the
// FP state in the signal frame of a signal checkpoint (header field
// signal_frame, set here by hand where the runtime does not yet).
// RUN: %cc %s %runtime -o %t
// RUN: rm -f %t.api.ckpt %t.sig.ckpt
// RUN: %run %t api %t.api.ckpt | FileCheck --check-prefix=APP %s
// RUN: %python %S/lib/patch_image.py %t.api.ckpt --context-fpcontrol 0xffff0000
// RUN: { %run %restorer %t.api.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=API-%arch %s
//
// (Through a pipe: a regular file as stdout would be reopened at restore.)
// RUN: %run %t signal %t.sig.ckpt | tee %t.sig.out | FileCheck --check-prefix=APP %s
// RUN: %python %S/lib/patch_image.py %t.sig.ckpt --set-signal-frame $(sed -n 's/^frame //p' %t.sig.out)
// RUN: cp %t.sig.ckpt %t.sigbad.ckpt
// RUN: %python %S/lib/patch_image.py %t.sigbad.ckpt --frame-fpcontrol 0xffff0000
// RUN: { %run %restorer %t.sigbad.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=FRAME-%arch %s
// RUN: %run %restorer %t.sig.ckpt | FileCheck --check-prefix=GOOD %s
//
// APP: checkpoint: 0
// API-x86_64: restorer: {{.*}}: cannot resume: MXCSR has bits set that this CPU reserves
// API-x86_64-NEXT: exit 1
// API-aarch64: restorer: {{.*}}: cannot resume: FPCR has bits set that the architecture reserves
// API-aarch64-NEXT: exit 1
// FRAME-x86_64: restorer: {{.*}}: cannot resume: the signal frame's MXCSR has bits set that this CPU reserves
// FRAME-x86_64-NEXT: exit 1
// FRAME-aarch64: restorer: {{.*}}: cannot resume: the signal frame's FPCR has bits set that the architecture reserves
// FRAME-aarch64-NEXT: exit 1
// GOOD: restored in the handler
// GOOD-NEXT: back in main
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "Inputs/testing.h"

static const char *path;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	printf("frame %p\n", uc);
	int rc = ckpt_checkpoint(path);
	if (rc == 1)
		printf("restored in the handler\n");
	else
		printf("checkpoint: %d\n", rc);
}

int main(int argc, char **argv)
{
	testing_start();
	if (argc != 3)
		return 2;
	path = argv[2];
	if (!strcmp(argv[1], "api")) {
		int rc = ckpt_checkpoint(path);
		printf(rc == 1 ? "restored\n" : "checkpoint: %d\n", rc);
		return 0;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("back in main\n");
	return 0;
}
