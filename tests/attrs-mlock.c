// Locked memory comes back locked: mlock() ("lo" in smaps' VmFlags) and
// MAP_LOCKED, with their contents (mlock2(MLOCK_ONFAULT), which qemu-user
// lacks: attrs-madvise.c). Where the
// restorer may not lock that much (RLIMIT_MEMLOCK without CAP_IPC_LOCK),
// it refuses before the point of no return, naming the limit.
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt -- %t | FileCheck %s
// RUN: %run %restorer --info %t.ckpt | FileCheck --check-prefix=INFO %s
// RUN: { prlimit --memlock=65536 sh -c 'if [ "$(id -u)" = 0 ]; then exec setpriv --bounding-set=-ipc_lock "$@"; fi; exec "$@"' sh %run %restorer %t.ckpt 2>&1; echo "exit $?"; } | FileCheck --check-prefix=LIMIT %s
//
// CHECK: gen0: mlock: lo, contents ok
// CHECK-NEXT: gen0: MAP_LOCKED: lo, contents ok
// CHECK-NEXT: gen0: signal KILL
// CHECK-NEXT: gen1: restored
// CHECK-NEXT: gen1: mlock: lo, contents ok
// CHECK-NEXT: gen1: MAP_LOCKED: lo, contents ok
// CHECK-NEXT: gen1: exit 0
//
// INFO: rw-p anon 131072 [locked]{{$}}
// INFO: rw-p anon 131072 [locked]{{$}}
//
// LIMIT: restorer: {{.*}}.ckpt: cannot lock 262144 bytes of memory again (mlock, MAP_LOCKED): {{EPERM|ENOMEM|EAGAIN}} {{.*}}; RLIMIT_MEMLOCK is 65536 bytes (ulimit -l is in KiB)
// LIMIT-NOT: restored
// LIMIT: exit 1
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ckpt.h"
#include "Inputs/testing.h"

enum { size = 128 << 10 };

static char *mem[2];
static const char *names[2] = {"mlock", "MAP_LOCKED"};

static void vm_flags(char *addr, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s", testing_vm_flag(addr, "lo") ? "lo" : "",
		 testing_vm_flag(addr, "lf") ? " lf" : "");
}

static void report(void)
{
	for (int i = 0; i < 2; i++) {
		char flags[32];
		vm_flags(mem[i], flags, sizeof flags);
		int ok = 1;
		for (size_t k = 0; k < size; k += 4096)
			ok &= mem[i][k] == (char)(i + 1);
		printf("%s: %s, contents %s\n", names[i], flags,
		       ok ? "ok" : "LOST");
	}
}

int main(void)
{
	testing_start();
	for (int i = 0; i < 2; i++) {
		mem[i] = mmap(NULL, size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | (i ? MAP_LOCKED : 0),
			      -1, 0);
		TESTING_ASSERT(mem[i] != MAP_FAILED, "mmap");
		memset(mem[i], i + 1, size);
	}
	TESTING_ASSERT(mlock(mem[0], size) == 0, "mlock");
	report();
	testing_checkpoint_and_wait();
	report();
	return 0;
}
