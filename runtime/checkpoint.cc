// ckpt_checkpoint(): capture the registers, write the image (here, or in
// a copy-on-write child with CKPT_FORK=1), and the second return from the
// capture in a restored process.
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/futex.h>
#include <linux/resource.h>
#include <linux/signal.h>
#include <linux/wait.h>

#include "runtime/fmt.h"
#include "runtime/runtime.h"

namespace ckpt {

uint64_t checkpoint_mask;
uint64_t checkpoint_signal_frame;
address_range checkpoint_stack;

namespace {

// Both live in the app's memory, so both are in the image: the restorer
// reads the context from there and fills in resume_args.
arch::context saved_context;
image::resume_args resume;
int busy;

// How the last forked checkpoint ended, in memory shared with the child
// that writes it. state is a futex word.
struct fork_record {
	uint32_t state;  // running, done
	int32_t result;  // 0 or -errno
	int32_t writer;  // pid of the child writing the image
	char message[1024]; // a failure the writer could not print, or ""
};
enum : uint32_t { idle, running, done };
fork_record *record;

void report(const char *path, const text &why)
{
	char line[1024];
	text msg(line, sizeof line);
	msg.str("ckpt: checkpoint to ").str(path).str(" failed: ")
		.str(why.c_str()).ch('\n');
	print_err(msg);
}

long write_here(const char *path)
{
	char buf[512];
	text why(buf, sizeof buf);
	image_job *job;
	long ret = begin_image(&saved_context, &resume, &job, why);
	if (ret == 0) {
		ret = write_image(job, path, why);
		end_image(job);
	}
	if (ret < 0)
		report(path, why);
	return ret;
}

// The writer holds none of the app's descriptors: a pipe or socket it
// kept open would reach its peer's EOF only when the image is done, and
// it would hold the app's locks as long. fd 2 stays if it is a file or a
// terminal, for the writer's error message; if it is a pipe or socket,
// the message goes through the record to ckpt_wait(), which prints it.
// True if fd 2 stays.
bool drop_descriptors()
{
	struct ::statx st;
	bool keep = sys::statx(2, "", AT_EMPTY_PATH, STATX_TYPE, &st) == 0 &&
		    !S_ISFIFO(st.stx_mode) && !S_ISSOCK(st.stx_mode);
	long ret = keep ? sys::close_range(0, 1) : sys::close_range(0, 2);
	if (ret == 0)
		ret = sys::close_range(3, ~0u);
	if (ret < 0) { // before Linux 5.9: one at a time
		sys::rlimit lim = {};
		sys::prlimit(RLIMIT_NOFILE, nullptr, &lim);
		for (uint64_t fd = 0; fd < lim.cur && fd < (1u << 20); fd++)
			if (fd != 2 || !keep)
				sys::close((int)fd);
	}
	return keep;
}

[[noreturn]] void writer_child(image_job *job, const char *path,
			       bool have_stderr)
{
	char buf[512];
	text why(buf, sizeof buf);
	long ret = write_image(job, path, why);
	if (ret < 0 && have_stderr) {
		report(path, why);
	} else if (ret < 0) {
		text msg(record->message, sizeof record->message);
		msg.str("ckpt: checkpoint to ").str(path).str(" failed: ")
			.str(why.c_str()).ch('\n');
	}
	record->result = (int32_t)ret;
	__atomic_store_n(&record->state, (uint32_t)done, __ATOMIC_RELEASE);
	sys::futex(&record->state, FUTEX_WAKE, 1 << 30);
	sys::exit_group(ret < 0);
}

// fork() with no SIGCHLD to the parent. qemu-user forks only with
// SIGCHLD as the exit signal (EINVAL otherwise): there, the app may see
// one SIGCHLD per forked checkpoint.
long fork_quietly()
{
	long pid = sys::clone_process(0);
	return pid == -EINVAL ? sys::clone_process(SIGCHLD) : pid;
}

// The app pauses only for the kernel state and two fork()s: a child forks
// the writer and exits at once, so the writer is nobody's child the app
// could see or would have to reap.
long write_forked(const char *path)
{
	if (!record) {
		long addr = sys::mmap(0, sizeof *record, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (sys::failed(addr))
			return addr;
		record = reinterpret_cast<fork_record *>(addr);
	}
	char buf[512];
	text why(buf, sizeof buf);
	image_job *job;
	long ret = begin_image(&saved_context, &resume, &job, why);
	if (ret < 0) {
		report(path, why);
		return ret;
	}
	*record = {running, 0, 0, {}};
	long pid = fork_quietly();
	if (pid == 0) {
		// The app's handlers must not run in its copies.
		const uint64_t all = ~0ull;
		sys::rt_sigprocmask(SIG_SETMASK, &all, nullptr);
		bool have_stderr = drop_descriptors();
		long writer = fork_quietly();
		if (writer == 0)
			writer_child(job, path, have_stderr);
		record->writer = (int32_t)writer;
		if (writer < 0) {
			record->result = (int32_t)writer;
			record->state = done;
		}
		sys::exit_group(0);
	}
	if (pid > 0) {
		int status;
		while (sys::wait4((int)pid, &status, __WALL) == -EINTR)
			;
	}
	end_image(job);
	if (pid < 0 || record->writer < 0) {
		ret = pid < 0 ? pid : record->writer;
		record->state = idle;
		report(path, why.str("fork: ").errno_name(ret));
		return ret;
	}
	return 0;
}

// Until threads are saved, an image of one thread of several would not
// resume (the others would be missing): refuse, naming the count.
long single_threaded(const char *path)
{
	long n = count_app_threads();
	if (n == 1)
		return 0;
	char buf[256];
	text why(buf, sizeof buf);
	if (n < 0) {
		report(path, why.str("cannot list /proc/self/task: ")
				     .errno_name(n));
		return n;
	}
	report(path, why.str("the process has ").dec(n).str(
			     " threads; only single-threaded processes can be "
			     "checkpointed"));
	return -EOPNOTSUPP; // libc's ENOTSUP
}

long take(void *path_arg)
{
	const char *path = static_cast<const char *>(path_arg);
	long ret = single_threaded(path);
	if (ret == 0)
		ret = config.fork ? write_forked(path) : write_here(path);
	return ret;
}

// The checkpoint's work needs some 10 KiB of stack, more than a fiber or
// an alternate signal stack may have left: it runs on a stack mapped for
// it and left out of the image (writer.cc skips checkpoint_stack), and
// the app's stack holds only the capture and the kernel's signal frame.
long on_own_stack(const char *path)
{
	constexpr uint64_t size = 128 << 10; // NORESERVE: only used pages count
	long addr = sys::mmap(0, size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				      MAP_STACK,
			      -1, 0);
	if (sys::failed(addr)) {
		char buf[128];
		text why(buf, sizeof buf);
		report(path, why.str("cannot map a stack: ").errno_name(addr));
		return addr;
	}
	checkpoint_stack = {(uint64_t)addr, (uint64_t)addr + size};
	long ret = ckpt_arch_call_on_stack(take, const_cast<char *>(path),
					   (void *)(addr + size));
	checkpoint_stack = {};
	sys::munmap(addr, size);
	return ret;
}

// Runs in the restored process, on the app's stack, with its memory, TLS
// and signal state back: drop what the restorer left mapped.
void finish_restore()
{
	image::resume_args a = resume;
	resume = {};
	if (a.restorer_end > a.restorer_start)
		sys::munmap(a.restorer_start,
			    a.restorer_end - a.restorer_start);
	if (a.flags & image::resume_foreign_break)
		sync_libc_break();
	if (record)
		*record = {idle, 0, 0, {}}; // its writer was another process's
	start_interval_timer();
}

} // namespace

long checkpoint(const char *path, void *signal_frame)
{
	// No handler of the app may run while its memory is being written:
	// one that changed memory between the checksum and the write would
	// leave an image that fails its own check. Both returns (and the
	// restored process, whose restorer jumps here with everything
	// blocked) put the app's mask back exactly.
	const uint64_t all = ~0ull;
	uint64_t app_mask;
	sys::rt_sigprocmask(SIG_SETMASK, &all, &app_mask);
	long ret = -EBUSY;
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
		sys::rt_sigprocmask(SIG_SETMASK, &app_mask, nullptr);
		return ret;
	}
	checkpoint_mask = app_mask;
	checkpoint_signal_frame = (uint64_t)signal_frame;
	if (ckpt_arch_capture(&saved_context)) {
		finish_restore();
		ret = 1;
	} else {
		ret = on_own_stack(path);
	}
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	sys::rt_sigprocmask(SIG_SETMASK, &app_mask, nullptr);
	return ret;
}

long wait_forked()
{
	if (!record || record->state == idle)
		return 0;
	// A writer killed before it could say so leaves "running" behind:
	// look for it between waits. Not with kill(pid, 0): a dead writer
	// left a zombie (under a subreaper that does not reap it) is still
	// found. A pidfd says "exited" for a zombie too, and, once open,
	// never names another process that got the pid later.
	long pidfd = sys::pidfd_open(record->writer);
	const sys::timespec tick = {0, 100 * 1000 * 1000}, now = {0, 0};
	while (__atomic_load_n(&record->state, __ATOMIC_ACQUIRE) == running) {
		sys::futex(&record->state, FUTEX_WAIT, running, &tick);
		bool gone;
		if (pidfd >= 0) {
			sys::pollfd p = {(int32_t)pidfd, 1 /* POLLIN */, 0};
			gone = sys::ppoll(&p, 1, &now) == 1;
		} else { // ESRCH: reaped already; ENOSYS: kernel < 5.3
			gone = sys::kill(record->writer, 0) == -ESRCH;
		}
		if (gone && __atomic_load_n(&record->state, __ATOMIC_ACQUIRE) ==
				    running)
			record->result = -ECHILD, record->state = done;
	}
	if (pidfd >= 0)
		sys::close((int)pidfd);
	if (record->message[0]) {
		char line[sizeof record->message];
		text msg(line, sizeof line);
		print_err(msg.str(record->message));
	}
	record->state = idle;
	return record->result;
}

} // namespace ckpt

extern "C" __attribute__((visibility("default"))) int
ckpt_checkpoint(const char *path)
{
	return (int)ckpt::checkpoint(path ? path : ckpt::config.image_path);
}

extern "C" __attribute__((visibility("default"))) int ckpt_wait(void)
{
	return (int)ckpt::wait_forked();
}
