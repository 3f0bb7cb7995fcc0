// A shared library of an app linked with runtime.o, loaded by dlopen(),
// installs its own SIGUSR2 handler with sigaction(): its call binds to the
// runtime's (the executable exports the names libc.so defines too), so
// the library gets plain SIGUSR2s and a checkpoint request still
// checkpoints, before and after a restore.
// RUN: %cc -shared -fPIC -DLIBRARY %s -o %t.so
// RUN: %cc %s %runtime -o %t -ldl
// RUN: rm -f %t.ckpt
// RUN: env CKPT_IMAGE=%t.ckpt %run %t %t.so %t.ckpt | FileCheck --check-prefix=APP %s
// RUN: %run %restorer %t.ckpt | FileCheck --check-prefix=RESTORED %s
// APP: plain: the library's handler ran 1 time(s), image: no
// APP-NEXT: request: image: new
// RESTORED: restored
// RESTORED-NEXT: plain: the library's handler ran 2 time(s), image: old
#define _GNU_SOURCE
#include <signal.h>

#ifdef LIBRARY

static volatile sig_atomic_t ran;

static void handler(int sig)
{
	(void)sig;
	ran++;
}

void library_install(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = handler;
	sigaction(SIGUSR2, &sa, 0);
}

int library_ran(void)
{
	return ran;
}

#else

#include <dlfcn.h>
#include <sys/stat.h>

#include "Inputs/testing.h"

static const char *image;

static ino_t inode(void)
{
	struct stat st;
	return stat(image, &st) == 0 ? st.st_ino : 0;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 3, "usage: signal-shared-lib LIBRARY IMAGE");
	image = argv[2];
	void *lib = dlopen(argv[1], RTLD_NOW);
	TESTING_ASSERT(lib, "dlopen: %s", dlerror());
	void (*install)(void) = (void (*)(void))dlsym(lib, "library_install");
	int (*ran)(void) = (int (*)(void))dlsym(lib, "library_ran");
	TESTING_ASSERT(install && ran, "dlsym");
	install();
	kill(getpid(), SIGUSR2);
	printf("plain: the library's handler ran %d time(s), image: %s\n",
	       ran(), inode() ? "yes" : "no");
	ino_t before = inode();
	union sigval v = {.sival_ptr = (void *)CKPT_REQUEST};
	sigqueue(getpid(), SIGUSR2, v);
	if (!testing_restored()) {
		printf("request: image: %s\n", inode() != before ? "new" : "old");
		return 0;
	}
	printf("restored\n");
	before = inode();
	kill(getpid(), SIGUSR2);
	printf("plain: the library's handler ran %d time(s), image: %s\n",
	       ran(), inode() != before ? "new" : "old");
	return 0;
}

#endif
