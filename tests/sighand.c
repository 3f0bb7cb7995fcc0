// The app's signal state survives a restore: its own SIGUSR1 handler (with
// its flags, sa_mask and the alternate stack it runs on), an ignored
// signal, and the blocked signals. A SIGUSR1 raised after the restore runs
// the handler on the alternate stack; a raised SIGTERM stays pending
// because it is still blocked.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --no-kill -- %t | FileCheck %s
//
// CHECK: gen0: handler ran 1 time(s) on the alternate stack
// CHECK-NEXT: gen0: checkpointed
// CHECK-NEXT: gen0: exit 0
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: SIGUSR1 handler, flags and mask ok
// CHECK-NEXT: gen1: SIGHUP ignored, SIGQUIT default
// CHECK-NEXT: gen1: blocked: SIGTERM SIGRTMIN+3, not SIGUSR1
// CHECK-NEXT: gen1: alternate stack ok
// CHECK-NEXT: gen1: handler ran 2 time(s) on the alternate stack
// CHECK-NEXT: gen1: SIGTERM pending, not delivered
// CHECK-NEXT: gen1: exit 0
#include <signal.h>
#include <string.h>

#include "ckpt.h"
#include "Inputs/testing.h"

#define ALTSTACK_SIZE (256 << 10)

static char altstack[ALTSTACK_SIZE] __attribute__((aligned(16)));
static volatile int handled, on_altstack, int_blocked;

static void on_usr1(int sig, siginfo_t *info, void *uc)
{
	(void)info;
	(void)uc;
	char here;
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	handled++;
	on_altstack += &here >= altstack && &here < altstack + ALTSTACK_SIZE;
	int_blocked += sig == SIGUSR1 && sigismember(&now, SIGINT);
}

static void raise_usr1(void)
{
	int before = handled;
	TESTING_ASSERT(raise(SIGUSR1) == 0, "raise(SIGUSR1)");
	TESTING_ASSERT(handled == before + 1, "the handler did not run");
	TESTING_ASSERT(on_altstack == handled, "not on the alternate stack");
	TESTING_ASSERT(int_blocked == handled,
		       "SIGINT (sa_mask) not blocked in the handler");
	printf("handler ran %d time(s) on the alternate stack\n", handled);
}

int main(void)
{
	testing_start();
	stack_t ss = {.ss_sp = altstack, .ss_size = ALTSTACK_SIZE};
	TESTING_ASSERT(sigaltstack(&ss, NULL) == 0, "sigaltstack");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	TESTING_ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	signal(SIGHUP, SIG_IGN);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise_usr1();

	testing_checkpoint_or_exit();

	struct sigaction now;
	TESTING_ASSERT(sigaction(SIGUSR1, NULL, &now) == 0, "sigaction");
	TESTING_ASSERT(now.sa_sigaction == on_usr1, "SIGUSR1 handler is %p",
		       (void *)now.sa_sigaction);
	int flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER |
		    SA_RESETHAND;
	TESTING_ASSERT((now.sa_flags & flags) ==
			       (SA_SIGINFO | SA_ONSTACK | SA_RESTART),
		       "SIGUSR1 flags %#x", now.sa_flags);
	TESTING_ASSERT(sigismember(&now.sa_mask, SIGINT) &&
			       !sigismember(&now.sa_mask, SIGQUIT),
		       "SIGUSR1 sa_mask");
	printf("SIGUSR1 handler, flags and mask ok\n");

	TESTING_ASSERT(sigaction(SIGHUP, NULL, &now) == 0 &&
			       now.sa_handler == SIG_IGN,
		       "SIGHUP is not ignored");
	TESTING_ASSERT(sigaction(SIGQUIT, NULL, &now) == 0 &&
			       now.sa_handler == SIG_DFL,
		       "SIGQUIT is not SIG_DFL");
	printf("SIGHUP ignored, SIGQUIT default\n");

	sigset_t mask;
	sigprocmask(SIG_BLOCK, NULL, &mask);
	TESTING_ASSERT(sigismember(&mask, SIGTERM), "SIGTERM not blocked");
	TESTING_ASSERT(sigismember(&mask, SIGRTMIN + 3),
		       "SIGRTMIN+3 not blocked");
	TESTING_ASSERT(!sigismember(&mask, SIGUSR1), "SIGUSR1 blocked");
	TESTING_ASSERT(!sigismember(&mask, SIGINT), "SIGINT blocked");
	printf("blocked: SIGTERM SIGRTMIN+3, not SIGUSR1\n");

	stack_t cur;
	TESTING_ASSERT(sigaltstack(NULL, &cur) == 0, "sigaltstack");
	TESTING_ASSERT(cur.ss_sp == altstack && cur.ss_size == ALTSTACK_SIZE &&
			       cur.ss_flags == 0,
		       "alternate stack %p size %zu flags %#x", cur.ss_sp,
		       cur.ss_size, cur.ss_flags);
	printf("alternate stack ok\n");

	raise_usr1();

	TESTING_ASSERT(raise(SIGTERM) == 0, "raise(SIGTERM)");
	sigset_t pending;
	sigpending(&pending);
	TESTING_ASSERT(sigismember(&pending, SIGTERM), "SIGTERM not pending");
	printf("SIGTERM pending, not delivered\n");
	signal(SIGTERM, SIG_IGN); // discards it, so the exit status is 0
	return 0;
}
