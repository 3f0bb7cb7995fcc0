// ckpt_checkpoint(): capture the registers, write the image (here, or in
// a copy-on-write child with CKPT_FORK=1), and the second return from the
// capture in a restored process.
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/futex.h>
#include <linux/resource.h>
#include <linux/signal.h>
#include <linux/wait.h>

#include "runtime/attrs.h"
#include "runtime/fmt.h"
#include "runtime/incremental.h"
#include "runtime/runtime.h"
#include "runtime/str.h"

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

// The forked checkpoints, in memory shared with the children that write
// them. Each has a number; the writers end in that order (each waits
// for the one before it to end, or die, before it renames its image), so
// an older image never lands over a newer one. Both futex words.
struct fork_record {
	uint32_t state;  // the latest's number << 1 | done; 0: none to wait for
	int32_t result;  // the latest's: 0 or -errno
	int32_t writer;  // pid of the latest's writer
	uint32_t taken;  // forked checkpoints so far: the latest's number
	uint32_t ended;  // the number of the last writer that ended
	uint32_t blind;  // a writer found memory it does not see as the app
	char message[1024]; // a failure the writer could not print, or ""
};
constexpr uint32_t done = 1;
fork_record *record;

// The writer's own: its number, and the writer before it (a pidfd, or
// -1 with its pid, or pid 0 if there was none still at work).
uint32_t writer_number;
int app_pid; // the app's, for the writer's status record
int32_t previous_writer;
long previous_pidfd = -1;

bool previous_writer_gone()
{
	if (previous_pidfd >= 0) {
		const sys::timespec now = {0, 0};
		sys::pollfd p = {(int32_t)previous_pidfd, 1 /* POLLIN */, 0};
		return sys::ppoll(&p, 1, &now) == 1;
	}
	return !previous_writer || sys::kill(previous_writer, 0) == -ESRCH;
}

// Waits until the writer before this one has ended (or died), so that
// this one's image reaches the path after it.
void wait_turn()
{
	const sys::timespec tick = {0, 20 * 1000 * 1000};
	for (;;) {
		uint32_t e = __atomic_load_n(&record->ended, __ATOMIC_ACQUIRE);
		if ((int32_t)(e - (writer_number - 1)) >= 0 ||
		    previous_writer_gone())
			return;
		sys::futex(&record->ended, FUTEX_WAIT, e, &tick);
	}
}

// begin_image(), with the records of the threads stop_other_threads()
// stopped after the taker's.
long begin_with_threads(image_job **job, text &why)
{
	long ret = begin_image(&saved_context, &resume, job, why);
	for (uint32_t i = 0; ret == 0 && i < stopped_thread_count(); i++) {
		image::thread_record *t = add_thread(*job);
		if (!t) {
			end_image(*job);
			why.str("more than ").udec(image::max_threads)
				.str(" threads");
			return -EOPNOTSUPP;
		}
		*t = stopped_thread(i);
		uint32_t n;
		const image::pending_signal *own = stopped_thread_signals(i, &n);
		for (uint32_t k = 0; ret == 0 && k < n; k++) {
			image::pending_signal *p = add_pending_signal(*job);
			if (!p) {
				end_image(*job);
				why.str("more than ")
					.udec(image::max_pending_signals)
					.str(" pending signals");
				return -E2BIG;
			}
			*p = own[k];
		}
	}
	return ret;
}

void report(const char *path, const text &why)
{
	char line[1024];
	text msg(line, sizeof line);
	msg.str("ckpt: checkpoint to ").str(path).str(" failed: ")
		.str(why.c_str()).ch('\n');
	print_err(msg);
}

// The image of a job begun here, written here; ends the job.
long write_begun(image_job *job, const char *path, text &why)
{
	long ret = write_image(job, path, why);
	end_image(job);
	if (ret < 0)
		report(path, why);
	return ret;
}

long write_here(const char *path, text &why)
{
	image_job *job;
	long ret = begin_with_threads(&job, why);
	if (ret < 0) {
		report(path, why);
		return ret;
	}
	return write_begun(job, path, why);
}

// The writer holds none of the app's descriptors: a pipe or socket it
// kept open would reach its peer's EOF only when the image is done, and
// it would hold the app's locks as long. fd 2 stays if it is a file or a
// terminal, for the writer's error message; if it is a pipe or socket,
// the message goes through the record to ckpt_wait(), which prints it.
// It keeps its own: the sources of the file contents it stores
// (kept_descriptors(), all above 2). True if fd 2 stays.
int32_t kept_fds[image::max_contents];

bool drop_descriptors(image_job *job)
{
	struct ::statx st;
	bool keep = sys::statx(2, "", AT_EMPTY_PATH, STATX_TYPE, &st) == 0 &&
		    !S_ISFIFO(st.stx_mode) && !S_ISSOCK(st.stx_mode);
	const uint32_t kept = kept_descriptors(job, kept_fds,
					       image::max_contents);
	long ret = keep ? sys::close_range(0, 1) : sys::close_range(0, 2);
	unsigned from = 3;
	for (uint32_t i = 0; i <= kept && ret == 0; i++) {
		const unsigned to = i < kept ? (unsigned)kept_fds[i] : ~0u;
		if (to > from)
			ret = sys::close_range(from, to - 1 + (i == kept));
		from = to + 1;
	}
	if (ret < 0) { // before Linux 5.9: one at a time
		sys::rlimit lim = {};
		sys::prlimit(RLIMIT_NOFILE, nullptr, &lim);
		uint32_t k = 0;
		for (uint64_t fd = 0; fd < lim.cur && fd < (1u << 20); fd++) {
			while (k < kept && (uint64_t)kept_fds[k] < fd)
				k++;
			if ((fd != 2 || !keep) &&
			    (k == kept || (uint64_t)kept_fds[k] != fd))
				sys::close((int)fd);
		}
	}
	return keep;
}

// A checkpoint the signal asked for, whose writer found its copy blind,
// is asked for again: the app then writes it in place. Its moment was
// not the app's to choose, unlike that of a ckpt_checkpoint() call, which
// fails instead (ckpt_wait() says so; the next one is written in place).
bool ask_again()
{
	return checkpoint_signal_frame && request_checkpoint(app_pid) == 0;
}

[[noreturn]] void writer_child(image_job *job, const char *path,
			       bool have_stderr)
{
	char buf[512];
	text why(buf, sizeof buf);
	long ret = write_image(job, path, why, wait_turn);
	wait_turn(); // a failed writer ends in its turn too
	bool again = false;
	if (ret < 0 && forked_copy_blind()) {
		// Set before the request: the app's next pause reads smaps.
		__atomic_store_n(&record->blind, 1, __ATOMIC_RELEASE);
		again = ask_again();
		if (!again)
			why.str("; the next checkpoint is written in place");
	}
	// Asked for again: that checkpoint says how it ends.
	if (!again)
		publish_status(path, app_pid, ret, why.c_str());
	if (ret < 0 && !again && have_stderr) {
		report(path, why);
	} else if (ret < 0 && !again) {
		text msg(record->message, sizeof record->message);
		msg.str("ckpt: checkpoint to ").str(path).str(" failed: ")
			.str(why.c_str()).ch('\n');
	}
	// The result is the latest's to give: an older writer's is
	// overwritten by the newer one's, which ends after it.
	record->result = (int32_t)ret;
	__atomic_store_n(&record->ended, writer_number, __ATOMIC_RELEASE);
	sys::futex(&record->ended, FUTEX_WAKE, 1 << 30);
	uint32_t running = writer_number << 1;
	if (__atomic_compare_exchange_n(&record->state, &running,
					running | done, false,
					__ATOMIC_RELEASE, __ATOMIC_RELAXED))
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

// What the app's child that makes the writer needs, in the app's memory
// (which that child shares).
struct spawn_args {
	image_job *job;
	const char *path;
	uint32_t number;
	int32_t previous;
	bool vfork; // the app waits until spawn_writer() has exited
};

// The writer: its memory is its own copy, so are its globals.
[[noreturn]] void writer_main(const spawn_args &a, int spawner)
{
	// The app waits for its child, spawner, which has its exit left to
	// do: the writer, a CPU hog from here on, lets it finish first, or on
	// a busy machine the app would wait for a time slice. A pidfd polls
	// readable once the process has exited. At most 100 ms.
	long pidfd = a.vfork ? sys::pidfd_open(spawner) : -1;
	if (pidfd >= 0) {
		const sys::timespec limit = {0, 100 * 1000 * 1000};
		sys::pollfd p = {(int32_t)pidfd, 1 /* POLLIN */, 0};
		sys::ppoll(&p, 1, &limit);
		sys::close((int)pidfd);
	}
	// The app's handlers must not run in its copies.
	const uint64_t all = ~0ull;
	sys::rt_sigprocmask(SIG_SETMASK, &all, nullptr);
	note_writer_size(); // before it maps anything
	mark_forked(a.job);
	bool have_stderr = drop_descriptors(a.job);
	writer_number = a.number;
	previous_writer = a.previous;
	// Opened now, while the pid can only be that writer's (or a
	// zombie's): a pidfd never names a later process.
	previous_pidfd = a.previous ? sys::pidfd_open(a.previous) : -1;
	if (previous_pidfd == -ESRCH)
		previous_writer = 0;
	writer_child(a.job, a.path, have_stderr);
}

// The app's child, made with CLONE_VM | CLONE_VFORK: it shares the app's
// memory (no copy of the page tables is made for it, and none torn down
// when it exits) and the app waits until it has exited. It forks the
// writer, the one copy of the memory, and exits at once, so that the
// writer is nobody's child the app could see or would have to reap. It
// writes nothing of the app's memory but the shared record and its own
// stack. Under qemu-user (which makes CLONE_VFORK a fork) it is an
// ordinary copy, and the app waits for it all the same.
[[noreturn]] void spawn_writer(void *arg)
{
	const spawn_args a = *static_cast<const spawn_args *>(arg);
	const int self = (int)sys::getpid();
	long writer = fork_quietly();
	if (writer == 0)
		writer_main(a, self);
	record->writer = (int32_t)writer;
	sys::exit_group(0);
}

// The app's child, on the lower half of the checkpoint's own stack (the
// app's frames there are a few KiB at the top; the writer, a copy of this
// child, goes on on it, and the image leaves that stack out); its pid or
// -errno.
long spawn(spawn_args *a)
{
	constexpr uint64_t vfork = 0x4000 | 0x100; // CLONE_VFORK | CLONE_VM
	const uint64_t half = (checkpoint_stack.end - checkpoint_stack.start) / 2;
	const uint64_t sp = (checkpoint_stack.start + half - 16) & ~15ull;
	*reinterpret_cast<spawn_args **>(sp) = a;
	a->vfork = true;
	long pid = ckpt_arch_clone_thread(vfork, reinterpret_cast<void *>(sp),
					  nullptr, nullptr, 0, spawn_writer);
	// qemu-user: only with SIGCHLD (see fork_quietly()), and as a fork.
	if (pid == -EINVAL) {
		a->vfork = false;
		pid = ckpt_arch_clone_thread(vfork | SIGCHLD,
					     reinterpret_cast<void *>(sp),
					     nullptr, nullptr, 0, spawn_writer);
	}
	// A seccomp filter may allow fork() and refuse CLONE_VM: a copy
	// then, as spawn_writer() works in one too (two forks, as before).
	if (pid < 0) {
		a->vfork = false;
		pid = fork_quietly();
		if (pid == 0)
			spawn_writer(a);
	}
	return pid;
}

// The app pauses only for the kernel state and one fork(): its child
// (spawn_writer) forks the writer and exits at once. With memory a child
// would not see as it is, written in place (*forked false).
long write_forked(const char *path, text &why, bool *forked)
{
	app_pid = (int)sys::getpid();
	if (!record) {
		long addr = sys::mmap(0, sizeof *record, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (sys::failed(addr))
			return addr;
		record = reinterpret_cast<fork_record *>(addr);
	}
	image_job *job;
	long ret = begin_with_threads(&job, why);
	if (ret < 0) {
		report(path, why);
		return ret;
	}
	// Last before the fork: the app's size, for the writer to compare.
	if (!forkable_memory(__atomic_exchange_n(&record->blind, 0,
						 __ATOMIC_ACQ_REL))) {
		*forked = false;
		return write_begun(job, path, why);
	}
	const uint32_t number = record->taken + 1;
	// A writer still at work: the new one waits for it (it cannot
	// have ended without saying so unless it died).
	const int32_t previous =
		(int32_t)(record->ended - record->taken) < 0 ? record->writer
							     : 0;
	record->taken = number;
	record->writer = 0;
	record->message[0] = 0;
	__atomic_store_n(&record->state, number << 1, __ATOMIC_RELEASE);
	spawn_args args = {job, path, number, previous, false};
	long pid = spawn(&args);
	if (pid > 0) {
		int status;
		while (sys::wait4((int)pid, &status, __WALL) == -EINTR)
			;
	}
	end_image(job);
	if (pid < 0 || record->writer <= 0) {
		// Nothing will write this one: it ends here, and whoever
		// waits for it is told about the one before it no more.
		ret = pid < 0 ? pid : record->writer ? record->writer : -ECHILD;
		record->taken = number - 1;
		record->writer = previous;
		__atomic_store_n(&record->state,
				 previous ? (number - 1) << 1 : 0,
				 __ATOMIC_RELEASE);
		report(path, why.str("fork: ").errno_name(ret));
		return ret;
	}
	return 0;
}

// The other threads stay stopped while the image is made (in a forked
// checkpoint, only until the writer exists: its memory is a copy).
long take(void *path_arg)
{
	const char *path = static_cast<const char *>(path_arg);
	char buf[512];
	text why(buf, sizeof buf);
	bool forked = config.fork;
	long ret = stop_other_threads(why);
	if (ret < 0) {
		report(path, why);
	} else {
		ret = forked ? write_forked(path, why, &forked)
			     : write_here(path, why);
		forget_locked_memory();
		release_other_threads();
	}
	// A forked checkpoint that got as far as its writer: the writer
	// says how it ended.
	if (!forked || ret < 0)
		publish_status(path, (int)sys::getpid(), ret, why.c_str());
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
		publish_status(path, (int)sys::getpid(), addr, why.c_str());
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
// and signal state back: once every thread is off the restorer's memory,
// drop it, make the process whole and let the other threads go on.
void finish_restore()
{
	__atomic_fetch_sub(&resume.inside, 1, __ATOMIC_ACQ_REL);
	for (uint32_t n; (n = __atomic_load_n(&resume.inside,
					      __ATOMIC_ACQUIRE)) != 0;)
		sys::futex(&resume.inside, FUTEX_WAIT_PRIVATE, n);
	if (resume.restorer_end > resume.restorer_start)
		sys::munmap(resume.restorer_start,
			    resume.restorer_end - resume.restorer_start);
	resume.restorer_start = resume.restorer_end = 0;
	if (resume.flags & image::resume_foreign_break)
		sync_libc_break();
	resume.flags = 0;
	if (record)
		*record = {}; // its writers were another process's
	incremental_restored();
	start_interval_timer();
	__atomic_store_n(&resume.go, 1, __ATOMIC_RELEASE);
	sys::futex(&resume.go, FUTEX_WAKE_PRIVATE, 1 << 30);
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
	// In the handler, the mask is the handler's: the thread's own is
	// the one its signal frame holds (and rt_sigreturn puts back).
	checkpoint_mask = app_mask;
	if (signal_frame)
		memcpy(&checkpoint_mask,
		       (const char *)signal_frame + arch::frame_sigmask_offset,
		       sizeof checkpoint_mask);
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

void resume_thread()
{
	__atomic_fetch_sub(&resume.inside, 1, __ATOMIC_ACQ_REL);
	sys::futex(&resume.inside, FUTEX_WAKE_PRIVATE, 1);
	while (!__atomic_load_n(&resume.go, __ATOMIC_ACQUIRE))
		sys::futex(&resume.go, FUTEX_WAIT_PRIVATE, 0);
}

long wait_forked()
{
	if (!record || !record->state)
		return 0;
	const uint32_t running = record->state & ~done;
	// A writer killed before it could say so leaves "running" behind:
	// look for it between waits. Not with kill(pid, 0): a dead writer
	// left a zombie (under a subreaper that does not reap it) is still
	// found. A pidfd says "exited" for a zombie too, and, once open,
	// never names another process that got the pid later.
	long pidfd = sys::pidfd_open(record->writer);
	const sys::timespec tick = {0, 100 * 1000 * 1000}, now = {0, 0};
	// Done, or its writer ended without marking it (a checkpoint whose
	// fork failed made the one before it the latest again).
	auto waiting = [&] {
		return __atomic_load_n(&record->state, __ATOMIC_ACQUIRE) ==
			       running &&
		       (int32_t)(__atomic_load_n(&record->ended,
						 __ATOMIC_ACQUIRE) -
				 (running >> 1)) < 0;
	};
	while (waiting()) {
		sys::futex(&record->state, FUTEX_WAIT, running, &tick);
		bool gone;
		if (pidfd >= 0) {
			sys::pollfd p = {(int32_t)pidfd, 1 /* POLLIN */, 0};
			gone = sys::ppoll(&p, 1, &now) == 1;
		} else { // ESRCH: reaped already; ENOSYS: kernel < 5.3
			gone = sys::kill(record->writer, 0) == -ESRCH;
		}
		// A writer that ended said so before it exited: one gone and
		// still not done died.
		uint32_t expected = running;
		if (gone && waiting()) {
			record->result = -ECHILD;
			__atomic_compare_exchange_n(&record->state, &expected,
						    running | done, false,
						    __ATOMIC_RELEASE,
						    __ATOMIC_RELAXED);
		}
	}
	if (pidfd >= 0)
		sys::close((int)pidfd);
	if (record->message[0]) {
		char line[sizeof record->message];
		text msg(line, sizeof line);
		print_err(msg.str(record->message));
	}
	long result = record->result;
	record->state = 0;
	return result;
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
