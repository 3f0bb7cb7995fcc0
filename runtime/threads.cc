// The app's threads as /proc/self/task shows them, less the threads of an
// emulator that runs the app (qemu-user) and threads that have exited.
#include <linux/errno.h>
#include <linux/signal.h>

#include "runtime/dirents.h"
#include "runtime/io.h"
#include "runtime/runtime.h"
#include "runtime/str.h"
#include "runtime/threads.h"

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
	for (int d; (d = hex_digit(*s)) >= 0; s++)
		v = v << 4 | d;
	return v;
}

constexpr uint64_t bit(int sig)
{
	return 1ull << (sig - 1);
}

// /proc/self/task/TID/status, or false if the thread is gone.
bool read_status(uint32_t tid, char *status, size_t cap)
{
	char path[64];
	text p(path, sizeof path);
	p.str("/proc/self/task/").udec(tid).str("/status");
	return read_file(path, status, cap) >= 0;
}

bool exited(const char *status)
{
	const char *state = field(status, "State:\t");
	return state && (*state == 'Z' || *state == 'X');
}

// Whether a listed thread (not the caller) is one of the app's.
bool app_thread(uint32_t tid, bool under_emulator)
{
	char status[4096];
	if (!read_status(tid, status, sizeof status) || exited(status))
		return false; // gone, or runs no more code of the app
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

long for_each_other_thread(bool (*fn)(void *, uint32_t), void *arg)
{
	const long self = sys::gettid();
	long dir = sys::open("/proc/self/task",
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return dir;
	char dirents[2048];
	long n, ret = 0;
	static int under_emulator = -1; // the same for the whole run
	while (ret == 0 &&
	       (n = sys::getdents64((int)dir, dirents, sizeof dirents)) > 0) {
		for_each_dirent(dirents, n, [&](const char *name) {
			uint64_t tid;
			if (!dirent_number(name, &tid) || tid == (uint64_t)self)
				return true;
			if (under_emulator < 0)
				under_emulator = emulated(self);
			if (app_thread((uint32_t)tid, under_emulator) &&
			    !fn(arg, (uint32_t)tid))
				ret = 1;
			return ret == 0;
		});
	}
	sys::close((int)dir);
	return n < 0 ? n : ret;
}

thread_condition inspect_thread(uint32_t tid, int sig)
{
	char status[4096];
	if (!read_status(tid, status, sizeof status) || exited(status))
		return thread_condition::gone;
	const char *blk = field(status, "SigBlk:\t");
	if (blk && (parse_hex(blk) & bit(sig)))
		return thread_condition::blocks_signal;
	const char *state = field(status, "State:\t");
	if (state && (*state == 'T' || *state == 't'))
		return thread_condition::stopped;
	if (state && *state == 'D')
		return thread_condition::uninterruptible;
	return thread_condition::running;
}

} // namespace ckpt
