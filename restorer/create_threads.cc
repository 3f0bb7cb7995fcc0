// The image's threads, created again after the point of no return: each
// on a small stack of the restorer's, where it puts back its own state
// and waits until all exist (and the robust futexes they own carry their
// new tids) before it jumps into its saved context.
#include <linux/errno.h>
#include <linux/futex.h>
#include <linux/sched.h>

#include "arch/sys.h"
#include "restorer/restorer.h"

namespace restorer {

namespace {

// What pthread_create() asks for, with the thread pointer set by the
// kernel; CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID where the thread has
// a cached tid (set_tid_address(2)): the kernel stores the new tid there
// before either thread runs on, and clears it with a futex wake when the
// thread exits, as pthread_join() expects.
constexpr uint64_t thread_flags = CLONE_VM | CLONE_FS | CLONE_FILES |
				  CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
				  CLONE_SETTLS;
constexpr uint64_t tid_flags = CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;

// The kernel's limit on a robust list walk (ROBUST_LIST_LIMIT).
constexpr uint32_t robust_list_limit = 2048;

// Futex words: ready counts the new threads whose own state is back;
// go lets them jump, once every thread exists and the process is whole.
uint32_t ready;
uint32_t go;
uint32_t clones;

uint32_t new_tid[image::max_threads];

[[noreturn]] void thread_main(void *arg)
{
	const auto &t = *static_cast<const image::thread_record *>(arg);
	restore_thread(t);
	__atomic_fetch_add(&ready, 1, __ATOMIC_RELEASE);
	sys::futex(&ready, FUTEX_WAKE_PRIVATE, 1);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sys::futex(&go, FUTEX_WAIT_PRIVATE, 0);
	ckpt_arch_resume(reinterpret_cast<const arch::context *>(
		t.context_addr));
}

// Whether [addr, addr + len) lies in one region the image restored
// readable and writable.
bool writable(uint64_t addr, uint64_t len)
{
	const image::tables &tb = g.tables;
	for (uint32_t i = 0; i < tb.region_count; i++) {
		const image::region &r = tb.regions[i];
		if (addr >= r.start && addr < r.end)
			return len <= r.end - addr &&
			       (r.prot & (PROT_READ | PROT_WRITE)) ==
				       (PROT_READ | PROT_WRITE) &&
			       r.kind != image::kind_kernel;
	}
	return false;
}

// A robust futex word owned by old: now owned by new_tid, with its
// FUTEX_WAITERS and FUTEX_OWNER_DIED bits as they were.
void own(uint64_t word, uint32_t old, uint32_t tid)
{
	if ((word & 3) || !writable(word, sizeof(uint32_t)))
		return;
	auto *w = reinterpret_cast<uint32_t *>(word);
	if ((*w & FUTEX_TID_MASK) == old)
		*w = (*w & ~FUTEX_TID_MASK) | tid;
}

uint64_t load(uint64_t addr)
{
	return *reinterpret_cast<const uint64_t *>(addr);
}

// Walks the robust list of a thread as the kernel would at its exit
// (kernel/futex/core.c, exit_robust_list): struct robust_list_head is
// {next, futex_offset, list_op_pending}; each entry's lock word is at
// entry + futex_offset; bit 0 of a pointer marks a PI futex. A pointer
// that leaves the app's writable memory ends the walk.
void rewrite_robust_list(const image::thread_record &t, uint32_t tid)
{
	const uint64_t head = t.robust_list;
	if (!head || !writable(head, 3 * sizeof(uint64_t)))
		return;
	const int64_t offset = (int64_t)load(head + 8);
	uint64_t entry = load(head) & ~1ull;
	for (uint32_t n = 0; entry != head && n < robust_list_limit; n++) {
		if ((entry & 7) || !writable(entry, sizeof(uint64_t)))
			break;
		own(entry + offset, t.tid, tid);
		entry = load(entry) & ~1ull;
	}
	if (uint64_t pending = load(head + 16) & ~1ull)
		own(pending + offset, t.tid, tid);
}

[[noreturn]] void clone_failed(uint32_t i, const image::thread_record &t,
			       long ret)
{
	char buf[256];
	ckpt::text msg(buf, sizeof buf);
	message(msg).str("cannot create thread ").udec(i).str(" (tid ")
		.udec(t.tid).str(" at checkpoint): ").errno_name(ret).ch('\n');
	die(msg);
}

} // namespace

uint64_t thread_stacks_size(uint32_t thread_count)
{
	return thread_count > 1 ? (thread_count - 1) * thread_stack_size : 0;
}

void start_threads(uint64_t stacks)
{
	const image::tables &tb = g.tables;
	uint64_t top = stacks;
	for (uint32_t i = 0; i < tb.thread_count; i++) {
		const image::thread_record &t = tb.threads[i];
		if (t.flags & image::thread_group_leader) {
			new_tid[i] = (uint32_t)sys::gettid();
			continue;
		}
		top += thread_stack_size;
		// The argument for thread_main, where the new thread finds it.
		uint64_t sp = top - 16;
		*reinterpret_cast<const void **>(sp) = &t;
		int *tid_word = reinterpret_cast<int *>(t.tid_address);
		long tid = ckpt_arch_clone_thread(
			thread_flags | (t.tid_address ? tid_flags : 0),
			reinterpret_cast<void *>(sp), tid_word, tid_word,
			arch::thread_pointer_of(t.arch.state), thread_main);
		if (tid < 0)
			clone_failed(i, t, tid);
		new_tid[i] = (uint32_t)tid;
		clones++;
	}
	for (uint32_t i = 0; i < tb.thread_count; i++)
		rewrite_robust_list(tb.threads[i], new_tid[i]);
	// A thread that cannot restore its state ends the process with a
	// message, which must still have somewhere to go.
	for (uint32_t n; (n = __atomic_load_n(&ready, __ATOMIC_ACQUIRE)) !=
			 clones;)
		sys::futex(&ready, FUTEX_WAIT_PRIVATE, n);
}

void release_threads()
{
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	sys::futex(&go, FUTEX_WAKE_PRIVATE, 1 << 30);
}

} // namespace restorer
