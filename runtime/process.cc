// Process attributes for the image: working directory, umask, limits,
// interval timers, name, personality, and the kernel's pointers into the
// app's memory (glibc's cached tid, robust futex list, rseq area).
#include <linux/errno.h>

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

// Which rseq area the thread has registered, without ptrace (the kernel
// tells only a tracer where it is): a registration request is checked
// against the current one first (rseq(2), kernel/rseq.c). The same area
// and length give EBUSY (EPERM: another signature), another area EINVAL;
// with none registered, the request succeeds and is undone at once. The
// registration that comes back is the one the thread had: glibc's, or
// none (an app that unregistered it). An app's own area cannot be found
// this way: the checkpoint is refused, saying so.
long save_rseq(image::process_state &p, text &msg)
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
	msg.str("the thread has an rseq area registered that is not glibc's "
		"(");
	msg.errno_name(ret).str(" for glibc's): it cannot be saved");
	return -EOPNOTSUPP;
}

} // namespace

namespace {

long save(image::header *h, image::fd_entry *fds, string_table &strings,
	  process_scratch &work, text &msg)
{
	image::process_state &p = h->process;
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
	if (sys::prctl(PR_GET_NAME, (uint64_t)p.name) == 0) {
		p.name[sizeof p.name - 1] = 0;
		p.flags |= image::process_name;
	}
	for (int r = 0; r < image::rlimit_count; r++) {
		if (sys::prlimit(r, nullptr, &p.rlimits[r]) == 0)
			p.rlimits_known |= 1u << r;
	}
	for (int t = 0; t < itimer_count; t++) {
		if (sys::getitimer(t, &p.itimers[t]) < 0)
			p.itimers[t] = {};
	}
	// qemu-user refuses these two (EINVAL, ENOSYS): then they stay 0 and
	// the restorer leaves the tid cache and robust list alone.
	if (sys::prctl(PR_GET_TID_ADDRESS, (uint64_t)&p.tid_address) < 0)
		p.tid_address = 0;
	if (sys::get_robust_list(&p.robust_list, &p.robust_list_len) < 0)
		p.robust_list = p.robust_list_len = 0;
	if (long ret = save_rseq(p, msg); ret < 0)
		return ret;
	return save_fds(h, fds, strings, work, msg);
}

} // namespace

long save_process(image::header *h, image::fd_entry *fds,
		  string_table &strings, text &msg)
{
	constexpr size_t size = (sizeof(process_scratch) + 4095) & ~4095ul;
	long addr = sys::mmap(0, size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys::failed(addr)) {
		msg.str("cannot map working memory: ").errno_name(addr);
		return addr;
	}
	long ret = save(h, fds, strings,
			*reinterpret_cast<process_scratch *>(addr), msg);
	sys::munmap(addr, size);
	return ret;
}

} // namespace ckpt
