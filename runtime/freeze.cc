// Stopping every other thread of the app for a checkpoint, and letting
// them go again. No thread of ckpt's own: the thread that takes the
// checkpoint (the taker) sends each other thread the checkpoint signal,
// tagged as a stop request, and each stops itself in the runtime's
// handler, where its whole interrupted context is in its signal frame on
// its own stack (so in the image); it records the rest of its state in a
// slot of the freeze table and waits there until the taker releases it.
#include <linux/errno.h>
#include <linux/futex.h>
#include <linux/signal.h>
#include <linux/time.h>

#include "runtime/fmt.h"
#include "runtime/runtime.h"
#include "runtime/str.h"
#include "runtime/threads.h"

namespace ckpt {

namespace {

// si_value of a stop request (with si_code SI_QUEUE and this process as
// the sender): no request of the app's carries it by accident.
constexpr uint64_t stop_request = 0x434b505453544f50; // "CKPTSTOP"

// How long the taker waits for a thread: one that cannot run its handler
// (the signal blocked, a job-control or ptrace stop) for a second, or one
// that has not arrived at all after ten, fails the checkpoint. A thread
// that blocks the signal may be waiting, all signals blocked, for a lock
// that a stopped thread holds (glibc's exiting threads free their stacks
// so): after 20 ms of that, every thread goes on for a moment and the
// freeze starts again; the same thread so for a second fails it.
constexpr uint64_t ns = 1000 * 1000 * 1000ull;
constexpr uint64_t cannot_run_limit = 1 * ns;
constexpr uint64_t arrival_limit = 10 * ns;
constexpr uint64_t blocked_retry = 20 * 1000 * 1000;
const sys::timespec pause = {0, 5 * 1000 * 1000};
const sys::timespec tick = {0, 10 * 1000 * 1000};

constexpr uint32_t max_others = image::max_threads - 1;

struct slot {
	image::thread_record record;
	// The generation of the freeze whose record this slot holds once
	// complete (its thread then waits); a word, so that a slot filled
	// for an earlier freeze never looks ready for this one.
	uint32_t ready;
	int32_t result;      // save_thread(): 0 or -errno, with message
	char message[180];
	uint32_t signal_count; // signals pending for the thread alone
	image::pending_signal signals[image::max_thread_signals];
};

// What the taker knows of a thread it has signalled.
struct signalled {
	uint32_t tid;
	uint32_t arrived;
	uint64_t sent;          // when, CLOCK_MONOTONIC ns
	uint64_t cannot_run;    // since when it cannot run its handler, or 0
};

// In memory of the runtime's own, mapped at the first checkpoint of a
// multi-threaded process and kept (it is in the image, which is harmless:
// a restored process starts with no freeze under way).
struct freeze_table {
	// generation << 32 | stopping | slots taken. A thread takes a slot
	// with one compare-and-swap, which fails once the taker has stopped
	// accepting threads (stopping clear), so a late thread never writes
	// into a slot of another freeze.
	uint64_t claim;
	uint32_t arrived;  // futex: slots made ready
	uint32_t released; // futex: the generation last released
	uint32_t count;    // entries in known
	signalled known[max_others];
	slot slots[max_others];
};
constexpr uint64_t stopping = 1ull << 31;
constexpr uint64_t taken_mask = stopping - 1;

freeze_table *table;
uint32_t frozen; // slots of the current freeze, once complete

uint64_t now()
{
	sys::timespec t = {};
	sys::clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.sec * ns + (uint64_t)t.nsec;
}

signalled *find(freeze_table *f, uint32_t tid)
{
	for (uint32_t i = 0; i < f->count; i++) {
		if (f->known[i].tid == tid)
			return &f->known[i];
	}
	return nullptr;
}

struct scan {
	freeze_table *f;
	int pid;
	uint32_t uid;
	bool fresh;     // a thread not seen before was found
	long error;     // a thread could not be sent the request
	uint32_t error_tid;
};

bool signal_new(void *arg, uint32_t tid)
{
	scan &s = *static_cast<scan *>(arg);
	if (find(s.f, tid))
		return true;
	if (s.f->count == max_others) {
		s.error = -EOPNOTSUPP;
		s.error_tid = tid;
		return false;
	}
	sys::queued_siginfo info = {};
	info.signo = config.signal;
	info.code = sys::si_queue;
	info.pid = s.pid;
	info.uid = s.uid;
	info.value = stop_request;
	long ret = sys::rt_tgsigqueueinfo(s.pid, (int)tid, config.signal,
					  &info);
	if (ret == -ESRCH)
		return true; // exited since the listing
	if (ret < 0) {
		s.error = ret;
		s.error_tid = tid;
		return false;
	}
	s.f->known[s.f->count++] = {tid, 0, now(), 0};
	s.fresh = true;
	return true;
}

// Marks the threads whose slots are ready; true if every known thread
// has arrived (or is gone: marked arrived with no slot).
bool all_arrived(freeze_table *f, uint32_t generation)
{
	uint32_t taken = (uint32_t)(__atomic_load_n(&f->claim,
						    __ATOMIC_ACQUIRE) &
				    taken_mask);
	for (uint32_t i = 0; i < taken && i < max_others; i++) {
		const slot &s = f->slots[i];
		if (__atomic_load_n(&s.ready, __ATOMIC_ACQUIRE) != generation)
			continue;
		// A thread that took the request as its own signal may
		// have come before the listing found it.
		signalled *k = find(f, s.record.tid);
		if (!k && f->count < max_others) {
			k = &f->known[f->count++];
			*k = {s.record.tid, 0, now(), 0};
		}
		if (k)
			k->arrived = 1;
	}
	for (uint32_t i = 0; i < f->count; i++) {
		if (!f->known[i].arrived)
			return false;
	}
	return true;
}

long cannot_stop(text &why, uint32_t tid, const char *reason)
{
	why.str("thread ").udec(tid).str(" ").str(reason);
	return -EAGAIN;
}

// Looks at the threads that have not arrived: the gone are dropped, and
// one that cannot be stopped fails the freeze, named.
// The thread that last made a freeze start again, and since when it
// blocks the signal, across the tries of one checkpoint.
struct {
	uint32_t tid;
	uint64_t since;
} blocker;

long check_laggards(freeze_table *f, uint64_t start, text &why)
{
	const uint64_t t = now();
	for (uint32_t i = 0; i < f->count; i++) {
		signalled &k = f->known[i];
		if (k.arrived)
			continue;
		thread_condition c = inspect_thread(k.tid, config.signal);
		if (c == thread_condition::gone) {
			k.arrived = 1;
			continue;
		}
		bool can_run = c == thread_condition::running ||
			       c == thread_condition::uninterruptible;
		if (can_run)
			k.cannot_run = 0;
		else if (!k.cannot_run)
			k.cannot_run = t;
		if (c == thread_condition::blocks_signal &&
		    t - k.cannot_run >= blocked_retry) {
			// One thread found blocking it try after try for a
			// second, or any for ten (a process that keeps making
			// threads, each blocking it for a moment), fails.
			if (k.tid != blocker.tid)
				blocker = {k.tid, k.cannot_run};
			if (t - blocker.since < cannot_run_limit &&
			    t - start < arrival_limit)
				return -EINPROGRESS; // let go, and again
			why.str("thread ").udec(k.tid)
				.str(" blocks the checkpoint signal (")
				.dec(config.signal).str(")");
			return -EAGAIN;
		}
		if (k.cannot_run && t - k.cannot_run >= cannot_run_limit)
			return cannot_stop(why, k.tid,
					   "is stopped (job control or ptrace)");
		if (t - k.sent >= arrival_limit)
			return cannot_stop(
				why, k.tid,
				c == thread_condition::uninterruptible
					? "did not stop within 10 s (it is in "
					  "uninterruptible sleep)"
					: "did not stop within 10 s");
	}
	return 0;
}

// Stops accepting threads; after a failed freeze, waits (a little) for
// the threads that took a slot to finish with it. A table a thread may
// still write is left to it, and the next freeze maps a new one.
void close_claims(freeze_table *f, bool wait_for_slots)
{
	uint64_t c = __atomic_fetch_and(&f->claim, ~stopping, __ATOMIC_ACQ_REL);
	if (!wait_for_slots)
		return;
	const uint32_t taken = (uint32_t)(c & taken_mask);
	const uint32_t generation = (uint32_t)(c >> 32);
	for (int tries = 0; tries < 200; tries++) {
		uint32_t ready = 0;
		for (uint32_t i = 0; i < taken && i < max_others; i++)
			ready += __atomic_load_n(&f->slots[i].ready,
						 __ATOMIC_ACQUIRE) == generation;
		if (ready >= (taken < max_others ? taken : max_others))
			return;
		uint32_t a = __atomic_load_n(&f->arrived, __ATOMIC_ACQUIRE);
		sys::futex(&f->arrived, FUTEX_WAIT_PRIVATE, a, &tick);
	}
	table = nullptr;
}

void release(freeze_table *f)
{
	uint32_t generation = (uint32_t)(f->claim >> 32);
	__atomic_store_n(&f->released, generation, __ATOMIC_RELEASE);
	sys::futex(&f->released, FUTEX_WAKE_PRIVATE, 1 << 30);
}

long map_table()
{
	if (table)
		return 0;
	constexpr uint64_t size = (sizeof(freeze_table) + 4095) & ~4095ull;
	// NORESERVE: only the pages a freeze touches count.
	long addr = sys::mmap(0, size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			      0);
	if (sys::failed(addr))
		return addr;
	table = reinterpret_cast<freeze_table *>(addr);
	return 0;
}

// One try at stopping them all: the number stopped; -EINPROGRESS to try
// again; or -errno, with the reason.
long try_to_stop(freeze_table *f, uint64_t start, text &why)
{
	const uint32_t generation = (uint32_t)(f->claim >> 32) + 1;
	f->count = 0;
	__atomic_store_n(&f->arrived, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->claim, (uint64_t)generation << 32 | stopping,
			 __ATOMIC_RELEASE);
	scan s = {f, (int)sys::getpid(), (uint32_t)sys::getuid(), false, 0, 0};
	long ret = 0;
	for (;;) {
		// Every thread seen so far has stopped: none of them can start
		// another, so a listing that finds no new one is complete.
		bool arrived = all_arrived(f, generation);
		s.fresh = false;
		ret = for_each_other_thread(signal_new, &s);
		if (ret < 0) {
			why.str("cannot list /proc/self/task: ").errno_name(ret);
			break;
		}
		if (s.error == -EOPNOTSUPP) {
			why.str("more than ").udec(image::max_threads)
				.str(" threads");
			ret = s.error;
			break;
		}
		if (s.error < 0) {
			why.str("cannot signal thread ").udec(s.error_tid)
				.str(": ").errno_name(s.error);
			ret = s.error;
			break;
		}
		if (arrived && !s.fresh)
			break;
		uint32_t a = __atomic_load_n(&f->arrived, __ATOMIC_ACQUIRE);
		if (!s.fresh && !all_arrived(f, generation))
			sys::futex(&f->arrived, FUTEX_WAIT_PRIVATE, a, &tick);
		if ((ret = check_laggards(f, start, why)) < 0)
			break;
	}
	close_claims(f, ret < 0);
	if (ret < 0) {
		release(f);
		return ret;
	}
	const uint32_t taken = (uint32_t)(f->claim & taken_mask);
	for (uint32_t i = 0; i < taken; i++) {
		const slot &sl = f->slots[i];
		if (__atomic_load_n(&sl.ready, __ATOMIC_ACQUIRE) != generation) {
			// Cannot be: every thread that took a slot is one the
			// listing found, and each of those has arrived.
			why.str("slot ").udec(i).str(" of the freeze is not "
						      "complete");
			release(f);
			return -EIO;
		}
		if (sl.result < 0) {
			why.str("thread ").udec(sl.record.tid).str(": ")
				.str(sl.message);
			release(f);
			return sl.result;
		}
	}
	return taken;
}


bool found(void *arg, uint32_t)
{
	*static_cast<bool *>(arg) = true;
	return false;
}

} // namespace

long stop_other_threads(text &why)
{
	frozen = 0;
	// A process with one thread needs no freeze table (nor its region in
	// the image): no other thread can start one meanwhile.
	bool others = false;
	if (long ret = for_each_other_thread(found, &others); ret < 0) {
		why.str("cannot list /proc/self/task: ").errno_name(ret);
		return ret;
	}
	if (!others)
		return 0;
	const uint64_t start = now();
	blocker = {};
	for (;;) {
		if (long ret = map_table(); ret < 0) {
			why.str("cannot map the freeze table: ").errno_name(ret);
			return ret;
		}
		long ret = try_to_stop(table, start, why);
		if (ret != -EINPROGRESS) {
			frozen = ret < 0 ? 0 : (uint32_t)ret;
			return ret;
		}
		sys::nanosleep(&pause);
	}
}

void release_other_threads()
{
	frozen = 0;
	if (table)
		release(table);
}

uint32_t stopped_thread_count()
{
	return frozen;
}

const image::thread_record &stopped_thread(uint32_t i)
{
	return table->slots[i].record;
}

const image::pending_signal *stopped_thread_signals(uint32_t i,
						    uint32_t *count)
{
	*count = table->slots[i].signal_count;
	return table->slots[i].signals;
}

bool is_stop_request(const void *siginfo)
{
	const auto *info = static_cast<const sys::queued_siginfo *>(siginfo);
	return info && info->code == sys::si_queue &&
	       info->value == stop_request && info->pid == sys::getpid();
}

stop_result stop_for_checkpoint(void *frame)
{
	freeze_table *f = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
	if (!f)
		return stop_result::none;
	uint64_t c = __atomic_load_n(&f->claim, __ATOMIC_ACQUIRE);
	do {
		if (!(c & stopping) || (c & taken_mask) >= max_others)
			return stop_result::none;
	} while (!__atomic_compare_exchange_n(&f->claim, &c, c + 1, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	const uint32_t generation = (uint32_t)(c >> 32);
	slot &s = f->slots[c & taken_mask];
	// On this thread's stack, so in the image: the restored thread
	// comes back to life here.
	arch::context ctx;
	uint64_t mask;
	memcpy(&mask, (const char *)frame + arch::frame_sigmask_offset,
	       sizeof mask);
	text msg(s.message, sizeof s.message);
	s.result = (int32_t)save_thread(&s.record, 0, &ctx, mask,
					(uint64_t)frame, msg);
	s.signal_count = 0;
	if (s.result == 0)
		s.result = (int32_t)save_own_signals(s.signals, &s.signal_count,
						     msg);
	if (ckpt_arch_capture(&ctx)) {
		resume_thread();
		return stop_result::restored;
	}
	__atomic_store_n(&s.ready, generation, __ATOMIC_RELEASE);
	__atomic_fetch_add(&f->arrived, 1, __ATOMIC_RELEASE);
	sys::futex(&f->arrived, FUTEX_WAKE_PRIVATE, 1);
	for (uint32_t r; (r = __atomic_load_n(&f->released, __ATOMIC_ACQUIRE)) !=
			 generation;)
		sys::futex(&f->released, FUTEX_WAIT_PRIVATE, r);
	return stop_result::released;
}

} // namespace ckpt
