// Per-thread kernel state comes back in every thread: its name (comm,
// PR_SET_NAME), its signal mask (each thread blocks other signals) and
// its alternate signal stack (two threads have one each, one has none):
// after the restore each thread checks its own, from its own thread, and
// the two with an alternate stack take a signal on it.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.ckpt --at '^READY$' --delay 50 -- %t \
// RUN:   | FileCheck %s
//
// CHECK: gen0: READY
// CHECK-NOT: gen0: thread
// CHECK: gen0: signal KILL
// CHECK-DAG: gen1: thread 0: name ckpt-t0, comm ckpt-t0, mask as before, altstack as before, handler on it
// CHECK-DAG: gen1: thread 1: name ckpt-t1, comm ckpt-t1, mask as before, altstack as before, handler on it
// CHECK-DAG: gen1: thread 2: name ckpt-t2, comm ckpt-t2, mask as before, no altstack as before
// CHECK-DAG: gen1: thread 3: name ckpt-main, comm ckpt-main, mask as before, no altstack as before
// CHECK: gen1: 4 threads checked
// CHECK-NEXT: gen1: exit 0
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "Inputs/testing.h"

#define ALTSTACK (64 << 10)

struct slot {
	int index;
	char name[16];
	sigset_t mask;
	void *altstack; // NULL: none
};

static struct slot slots[4];
static int ready, checked;
static __thread volatile char *handler_local; // where the handler ran

static void on_usr1(int sig)
{
	volatile char here = (char)sig;
	handler_local = &here;
}

static void setup(struct slot *s)
{
	prctl(PR_SET_NAME, s->name);
	pthread_sigmask(SIG_SETMASK, &s->mask, NULL);
	if (s->altstack) {
		stack_t ss = {.ss_sp = s->altstack, .ss_size = ALTSTACK};
		TESTING_ASSERT(sigaltstack(&ss, NULL) == 0, "sigaltstack");
	}
}

static int same_mask(const sigset_t *a, const sigset_t *b)
{
	for (int sig = 1; sig < 65; sig++)
		if (sig != SIGKILL && sig != SIGSTOP &&
		    sigismember(a, sig) != sigismember(b, sig))
			return 0;
	return 1;
}

static void check(struct slot *s)
{
	char name[17] = {0}, comm[64] = {0}, path[64];
	prctl(PR_GET_NAME, name);
	snprintf(path, sizeof path, "/proc/self/task/%d/comm",
		 (int)syscall(SYS_gettid));
	FILE *f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof comm, f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	sigset_t mask;
	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	stack_t ss;
	sigaltstack(NULL, &ss);
	const char *alt;
	char on[32] = "";
	if (!s->altstack)
		alt = ss.ss_flags & SS_DISABLE ? "no altstack as before"
					       : "an altstack appeared";
	else if (ss.ss_flags & SS_DISABLE)
		alt = "altstack lost";
	else if (ss.ss_sp != s->altstack || ss.ss_size != ALTSTACK)
		alt = "altstack moved";
	else {
		alt = "altstack as before";
		pthread_kill(pthread_self(), SIGUSR1);
		char *lo = s->altstack;
		strcpy(on, handler_local >= lo && handler_local < lo + ALTSTACK
				   ? ", handler on it" : ", handler off it");
	}
	printf("thread %d: name %s, comm %s, mask %s, %s%s\n", s->index, name,
	       comm, same_mask(&mask, &s->mask) ? "as before" : "changed",
	       alt, on);
	__atomic_add_fetch(&checked, 1, __ATOMIC_SEQ_CST);
}

static void wait_restored(void)
{
	double start = testing_now();
	while (!testing_restored() && testing_now() - start < 60)
		testing_nap(5);
}

static void *worker(void *arg)
{
	struct slot *s = arg;
	setup(s);
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	wait_restored();
	check(s);
	return NULL;
}

int main(void)
{
	testing_start();
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK | SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	// Each thread blocks a set of its own (none the checkpoint signal).
	const int blocked[4][3] = {
		{SIGHUP, 0, 0}, {SIGTERM, SIGRTMIN + 2, 0},
		{SIGHUP, SIGTERM, SIGURG}, {SIGPIPE, SIGRTMIN + 5, 0},
	};
	for (int i = 0; i < 4; i++) {
		struct slot *s = &slots[i];
		s->index = i;
		snprintf(s->name, sizeof s->name, i < 3 ? "ckpt-t%d" : "ckpt-main",
			 i);
		sigemptyset(&s->mask);
		for (int j = 0; j < 3 && blocked[i][j]; j++)
			sigaddset(&s->mask, blocked[i][j]);
		s->altstack = i < 2 ? malloc(ALTSTACK) : NULL;
	}
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		TESTING_ASSERT(pthread_create(&t[i], NULL, worker, &slots[i])
				       == 0, "thread %d", i);
	setup(&slots[3]);
	for (int i = 0; i < 10000 && __atomic_load_n(&ready, __ATOMIC_SEQ_CST)
			< 3; i++)
		testing_nap(1);
	printf("READY\n");
	wait_restored();
	check(&slots[3]);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("%d threads checked\n", checked);
	return 0;
}
