// Process attributes for the image: working directory, umask, limits,
// interval timers, personality; and a thread's rseq registration.
#include <linux/errno.h>
#include <linux/futex.h>
#include <linux/signal.h>
#include <linux/wait.h>

#include "arch/sys.h"
#include "runtime/io.h"
#include "runtime/process.h"
#include "runtime/str.h"

// glibc >= 2.35 registers an rseq area for every thread, at the thread
// pointer + __rseq_offset, __rseq_size bytes of it in use (0: not
// registered). Weak references: runtime.o needs nothing at link time (the
// build allows only weak undefined symbols), an app on another libc
// leaves them null and has no registration to restore, and reading them
// is the one way to find the area (the kernel tells only ptrace where it
// is).
extern "C" __attribute__((weak, visibility("default"))) const long
	__rseq_offset;
extern "C" __attribute__((weak, visibility("default"))) const unsigned
	__rseq_size;

namespace ckpt {

namespace {

constexpr int itimer_count = image::itimer_count;

// The smallest length the rseq system call takes (ORIG_RSEQ_SIZE).
constexpr uint32_t rseq_min_len = 32;

// "Umask:\t0022" from /proc/self/status. umask() itself cannot read the
// mask without setting it, and another thread could create a file with
// the wrong mask in between.
bool read_umask(char *status, size_t cap, uint32_t *mask)
{
	long n = read_file("/proc/self/status", status, cap);
	if (n < 0)
		return false;
	for (const char *p = status; *p; p++) {
		if ((p == status || p[-1] == '\n') && starts_with(p, "Umask:")) {
			p += 6;
			while (*p == ' ' || *p == '\t')
				p++;
			uint32_t v = 0;
			const char *start = p;
			for (; *p >= '0' && *p <= '7'; p++)
				v = v * 8 + (*p - '0');
			*mask = v & 0777;
			return p != start;
		}
	}
	return false;
}

// struct rseq as the kernel first defined it: 32 bytes, 32-aligned.
struct alignas(32) rseq_probe_area {
	uint64_t words[4];
};

constexpr int rseq_flag_unregister = 1; // RSEQ_FLAG_UNREGISTER

// PTRACE_GET_RSEQ_CONFIGURATION (Linux 5.13) and what it fills.
constexpr long ptrace_seize = 0x4206;
constexpr long ptrace_interrupt = 0x4207;
constexpr long ptrace_detach = 17;
constexpr long ptrace_get_rseq_configuration = 0x420f;
struct rseq_configuration {
	uint64_t area;
	uint32_t len;
	uint32_t sig;
	uint32_t flags;
	uint32_t pad;
};

// Shared between the runtime and its helper child (MAP_SHARED).
struct rseq_query {
	uint32_t go;        // the parent has made the child its ptracer
	int32_t result;     // 0, or -errno of step
	const char *step;   // the runtime's own string: same address in both
	rseq_configuration conf;
};

[[noreturn]] void query_exit(rseq_query *q, const char *step, long ret)
{
	q->step = step;
	q->result = (int32_t)ret;
	sys::exit_group(0);
}

// The helper child: it traces the runtime's thread just long enough to
// read its rseq registration. The thread stops in its wait4() for this
// child (PTRACE_INTERRUPT stops a seized tracee even with every signal
// blocked; the wait is restarted when it is let go). A tracer's exit
// detaches too, so no failure below leaves the thread stopped.
[[noreturn]] void query_child(rseq_query *q, int tid)
{
	// Until the parent has named this child its ptracer (Yama), at most
	// a second. Not FUTEX_PRIVATE_FLAG: the word is in two processes.
	const sys::timespec second = {1, 0};
	while (!__atomic_load_n(&q->go, __ATOMIC_ACQUIRE)) {
		long ret = sys::futex(&q->go, FUTEX_WAIT, 0, &second);
		if (ret == -ETIMEDOUT)
			query_exit(q, "waiting for the runtime", ret);
	}
	long ret = sys::ptrace(ptrace_seize, tid, 0, 0);
	if (ret < 0)
		query_exit(q, "PTRACE_SEIZE", ret);
	ret = sys::ptrace(ptrace_interrupt, tid, 0, 0);
	if (ret < 0)
		query_exit(q, "PTRACE_INTERRUPT", ret);
	int status;
	do
		ret = sys::wait4(tid, &status, __WALL);
	while (ret == -EINTR);
	if (ret < 0)
		query_exit(q, "waiting for the thread to stop", ret);
	ret = sys::ptrace(ptrace_get_rseq_configuration, tid, sizeof q->conf,
			  (uint64_t)&q->conf);
	if (ret >= 0 && ret != sizeof q->conf)
		ret = -EIO; // a configuration of another size
	sys::ptrace(ptrace_detach, tid, 0, 0);
	query_exit(q, "PTRACE_GET_RSEQ_CONFIGURATION", ret < 0 ? ret : 0);
}

// The rseq registration of the calling thread, as only a tracer can read
// it: a helper child traces this thread for a moment. The thread is
// stopped in wait4() meanwhile, all signals blocked (the stop is a
// ptrace stop, no handler runs).
long query_rseq(rseq_configuration *conf, text &msg)
{
	long addr = sys::mmap(0, 4096, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sys::failed(addr)) {
		msg.str("cannot map memory to share with a child: ")
			.errno_name(addr);
		return addr;
	}
	rseq_query *q = reinterpret_cast<rseq_query *>(addr);
	*q = {0, -EIO, "the child", {}};
	int tid = (int)sys::gettid();
	long pid = sys::clone_process(0);
	if (pid == -EINVAL) // qemu-user: an exit signal is needed
		pid = sys::clone_process(SIGCHLD);
	if (pid == 0)
		query_child(q, tid);
	long ret = pid;
	if (pid > 0) {
		// Where Yama restricts ptrace to ancestors, let this child in
		// (EINVAL without Yama). The exception ends with the child.
		sys::prctl(PR_SET_PTRACER, (uint64_t)pid);
		__atomic_store_n(&q->go, 1, __ATOMIC_RELEASE);
		sys::futex(&q->go, FUTEX_WAKE, 1);
		int status;
		while (sys::wait4((int)pid, &status, __WALL) == -EINTR)
			;
		ret = q->result;
		if (ret < 0)
			msg.str(q->step).str(": ").errno_name(ret);
		else
			*conf = q->conf;
	} else {
		msg.str("fork: ").errno_name(ret);
	}
	sys::munmap(addr, 4096);
	return ret;
}

} // namespace

// Which rseq area the thread has registered. First without ptrace: a
// registration request is checked against the current one first
// (rseq(2), kernel/rseq.c). The same area and length give EBUSY (EPERM:
// another signature), another area EINVAL; with none registered, the
// request succeeds and is undone at once. glibc's area or none is found
// this way. Any other (the app's own, or glibc's under another
// signature) only a tracer can see: then a helper child reads it
// through ptrace. The registration that comes back is the one the
// thread had, with its signature.
long save_rseq(image::thread_record &p, text &msg)
{
	rseq_probe_area probe = {};
	uint64_t area = (uint64_t)&probe;
	uint32_t len = sizeof probe;
	const bool glibc = &__rseq_size && &__rseq_offset && __rseq_size;
	if (glibc) {
		area = arch::thread_pointer() + __rseq_offset;
		// glibc >= 2.40 reports the feature size (20), less than the
		// 32 bytes it registers with.
		len = __rseq_size < rseq_min_len ? rseq_min_len : __rseq_size;
	}
	long ret = sys::rseq(area, len, 0, arch::rseq_signature);
	if (ret == 0) {
		sys::rseq(area, len, rseq_flag_unregister, arch::rseq_signature);
		return 0; // none was registered
	}
	if (ret == -ENOSYS)
		return 0; // no rseq (qemu-user): none to restore
	if (ret == -EBUSY && glibc) {
		p.rseq_area = area;
		p.rseq_len = len;
		p.rseq_sig = arch::rseq_signature;
		return 0;
	}
	rseq_configuration conf = {};
	char why[128];
	text reason(why, sizeof why);
	ret = query_rseq(&conf, reason);
	if (ret < 0) {
		msg.str("the thread has an rseq area registered that is not "
			"glibc's, and ptrace cannot tell where (")
			.str(why, reason.size())
			.str("): it cannot be saved");
		return -EOPNOTSUPP;
	}
	if (!conf.area)
		return 0; // unregistered meanwhile: none
	// What the restorer accepts (image.cc): the kernel's own limits.
	if (conf.len < rseq_min_len || conf.len > 4096 || (conf.area & 31)) {
		msg.str("the thread's rseq area at 0x").hex(conf.area)
			.str(" (").udec(conf.len)
			.str(" bytes) cannot be registered again");
		return -EOPNOTSUPP;
	}
	p.rseq_area = conf.area;
	p.rseq_len = conf.len;
	p.rseq_sig = conf.sig;
	return 0;
}

namespace {

long save(image::process_state &p, image::fd_entry *fds, uint32_t *fd_count,
	  string_table &strings, process_scratch &work, text &msg)
{
	p = {};
	long n = sys::getcwd(work.cwd, sizeof work.cwd);
	// Not below the root (another mount namespace, chroot): unknown.
	if (n > 1 && work.cwd[0] == '/' &&
	    !strings.add(work.cwd, (size_t)n - 1, &p.cwd)) {
		msg.str("no room for the working directory's name");
		return -ENAMETOOLONG;
	}
	if (read_umask(work.status, sizeof work.status, &p.umask))
		p.flags |= image::process_umask;
	long persona = sys::personality(0xffffffff);
	if (persona >= 0) {
		p.personality = (uint32_t)persona;
		p.flags |= image::process_personality;
	}
	for (int r = 0; r < image::rlimit_count; r++) {
		if (sys::prlimit(r, nullptr, &p.rlimits[r]) == 0)
			p.rlimits_known |= 1u << r;
	}
	for (int t = 0; t < itimer_count; t++) {
		if (sys::getitimer(t, &p.itimers[t]) < 0)
			p.itimers[t] = {};
	}
	return save_fds(fds, fd_count, strings, work, msg);
}

} // namespace

long save_process(image::process_state *p, image::fd_entry *fds,
		  uint32_t *fd_count, string_table &strings, text &msg)
{
	constexpr size_t size = (sizeof(process_scratch) + 4095) & ~4095ul;
	long addr = sys::mmap(0, size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys::failed(addr)) {
		msg.str("cannot map working memory: ").errno_name(addr);
		return addr;
	}
	long ret = save(*p, fds, fd_count, strings,
			*reinterpret_cast<process_scratch *>(addr), msg);
	sys::munmap(addr, size);
	return ret;
}

} // namespace ckpt
