// Lists the app's threads: /proc/self/task, less the threads of an
// emulator that runs the app (qemu-user) and threads that are exiting.
#include <linux/errno.h>
#include <linux/signal.h>

#include "runtime/dirents.h"
#include "runtime/io.h"
#include "runtime/runtime.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

// qemu-user answers /proc/self/exe with the guest's program but not
// /proc/self/task/TID/exe, which names qemu itself: the two differ only
// under an emulator.
bool emulated(long tid)
{
	char self[4096], task[4096], path[64];
	long a = sys::readlinkat(AT_FDCWD, "/proc/self/exe", self, sizeof self);
	text p(path, sizeof path);
	p.str("/proc/self/task/").dec(tid).str("/exe");
	long b = sys::readlinkat(AT_FDCWD, path, task, sizeof task);
	return a > 0 && b > 0 && (a != b || memcmp(self, task, a) != 0);
}

// The value after "key" on its line of a /proc status file; nullptr if
// there is no such line.
const char *field(const char *status, const char *key)
{
	for (const char *line = status; *line;) {
		if (starts_with(line, key))
			return line + str_len(key);
		while (*line && *line != '\n')
			line++;
		if (*line)
			line++;
	}
	return nullptr;
}

uint64_t parse_hex(const char *s)
{
	uint64_t v = 0;
	for (;; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return v;
		v = v << 4 | d;
	}
}

constexpr uint64_t bit(int sig)
{
	return 1ull << (sig - 1);
}

// Whether thread tid (not the caller) is one of the app's.
bool app_thread(uint64_t tid, bool under_emulator)
{
	char path[64], status[4096];
	text p(path, sizeof path);
	p.str("/proc/self/task/").udec(tid).str("/status");
	if (read_file(path, status, sizeof status) < 0)
		return false; // gone since the listing
	// Exited, not yet reaped: runs no more code of the app.
	const char *state = field(status, "State:\t");
	if (state && (*state == 'Z' || *state == 'X'))
		return false;
	if (!under_emulator)
		return true;
	// qemu 7.2 keeps the host mask of every guest thread at the guest's
	// mask less SIGSEGV and SIGBUS, which it needs for itself (or at
	// everything, for a moment, inside block_signals()). Its own RCU
	// thread blocks everything but SIGSEGV, SIGFPE and SIGILL. So SIGBUS
	// blocked with SIGSEGV open is qemu's thread, never the guest's.
	const char *blk = field(status, "SigBlk:\t");
	if (!blk)
		return true;
	uint64_t mask = parse_hex(blk);
	return !((mask & bit(SIGBUS)) && !(mask & bit(SIGSEGV)));
}

} // namespace

long count_app_threads()
{
	long self = sys::gettid();
	long dir = sys::open("/proc/self/task",
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return dir;
	char dirents[2048];
	long count = 1, n;
	int under_emulator = -1; // not known yet
	while ((n = sys::getdents64((int)dir, dirents, sizeof dirents)) > 0) {
		for_each_dirent(dirents, n, [&](const char *name) {
			uint64_t tid;
			if (!dirent_number(name, &tid) || tid == (uint64_t)self)
				return true;
			if (under_emulator < 0)
				under_emulator = emulated(self);
			count += app_thread(tid, under_emulator);
			return true;
		});
	}
	sys::close((int)dir);
	return n < 0 ? n : count;
}

} // namespace ckpt
