// One thread's kernel state, from its thread record: checked for every
// thread before the point of no return, then set by each restored thread
// for itself (the kernel keeps it per thread): name, glibc's cached tid,
// robust futex list, rseq registration, alternate signal stack and, last,
// the thread pointer.
#include <linux/signal.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/str.h"

namespace restorer {

namespace {

// The size of struct robust_list_head: set_robust_list() takes no other.
constexpr uint64_t robust_list_head_size = 3 * sizeof(uint64_t);

// rseq's value for "registration failed": glibc then asks the kernel for
// the CPU number instead of reading the area (struct rseq's cpu_id, the
// second 32-bit word).
constexpr uint32_t rseq_cpu_id_registration_failed = (uint32_t)-2;
constexpr uint64_t rseq_cpu_id_offset = 4;
// struct rseq's rseq_cs: the critical section the thread is in. None at a
// checkpoint (the thread runs the runtime's code), but a stale pointer
// left there would have the kernel check it at the next preemption.
constexpr uint64_t rseq_cs_offset = 8;

// "thread N (tid T): " after the image's name.
ckpt::text &thread_message(ckpt::text &t, const image::thread_record &th)
{
	return message(t).str("thread ").udec((uint64_t)(&th - g.tables.threads))
		.str(" (tid ").udec(th.tid).str("): ");
}

[[noreturn]] void died_in(const image::thread_record &th, const char *call,
			  long ret)
{
	char buf[256];
	ckpt::text t(buf, sizeof buf);
	die(thread_message(t, th).str(call).str(": ").errno_name(ret).ch('\n'));
}

} // namespace

bool check_threads(ckpt::text &err)
{
	for (uint32_t i = 0; i < g.tables.thread_count; i++) {
		const image::thread_record &th = g.tables.threads[i];
		const sys::stack &ss = th.altstack;
		if (!(ss.flags & SS_DISABLE) && ss.size < g.min_sigstack) {
			thread_message(err, th)
				.str("the alternate signal stack (")
				.udec(ss.size)
				.str(" bytes) is smaller than this system's "
				     "minimum (AT_MINSIGSTKSZ ")
				.udec(g.min_sigstack).str(")\n");
			return false;
		}
		if (th.robust_list &&
		    th.robust_list_len != robust_list_head_size) {
			thread_message(err, th).str("robust futex list of ")
				.udec(th.robust_list_len)
				.str(" bytes: the kernel takes only ")
				.udec(robust_list_head_size).ch('\n');
			return false;
		}
	}
	return true;
}

void restore_thread(const image::thread_record &th)
{
	if (th.flags & image::thread_name)
		sys::prctl(PR_SET_NAME, (uint64_t)th.name);
	queue_thread_signals(th);
	// glibc keeps the thread's tid in its struct pthread and hands it to
	// the kernel for PI and robust mutexes; the kernel clears the word
	// at set_tid_address() when the thread exits.
	if (th.tid_address) {
		long tid = sys::gettid();
		*reinterpret_cast<int32_t *>(th.tid_address) = (int32_t)tid;
		// It returns the tid: it cannot fail.
		sys::set_tid_address(reinterpret_cast<void *>(th.tid_address));
	}
	if (th.robust_list && !(th.flags & image::thread_robust_unregistered)) {
		// The length was checked (check_threads): only ENOSYS is left.
		long ret = sys::set_robust_list(th.robust_list,
						th.robust_list_len);
		if (ret < 0)
			died_in(th, "set_robust_list", ret);
	}
	if (th.rseq_area) {
		*reinterpret_cast<uint64_t *>(th.rseq_area + rseq_cs_offset) = 0;
		long ret = sys::rseq(th.rseq_area, th.rseq_len, 0, th.rseq_sig);
		if (ret < 0) {
			*reinterpret_cast<uint32_t *>(th.rseq_area +
						      rseq_cpu_id_offset) =
				rseq_cpu_id_registration_failed;
			char buf[256];
			ckpt::text t(buf, sizeof buf);
			warn(thread_message(t, th)
				     .str("cannot register the rseq area "
					  "again (")
				     .errno_name(ret)
				     .str("): sched_getcpu() falls back to "
					  "a system call\n"));
		}
	}
	sys::stack ss = th.altstack;
	if (!(ss.flags & SS_DISABLE)) {
		// SS_ONSTACK only reports that the checkpoint ran on it.
		ss.flags &= SS_AUTODISARM;
		if (long ret = sys::sigaltstack(&ss, nullptr); ret < 0)
			died_in(th, "sigaltstack", ret);
	}
	// Last: from here on the thread's TLS is the app's.
	if (long ret = arch::restore_thread_state(&th.arch.state); ret < 0)
		died_in(th, "cannot restore the thread pointer", ret);
}

} // namespace restorer
