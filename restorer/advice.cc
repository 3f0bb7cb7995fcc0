// Memory advice and locking (region_dontfork ... region_droppable, from
// smaps' VmFlags at the checkpoint), applied again to each region once it
// is mapped and filled: madvise() for the advice, mlock2() for locking.
// Locking is what can fail (RLIMIT_MEMLOCK bounds it without
// CAP_IPC_LOCK), so check_locked_memory() tries it first, before the
// point of no return, on a reservation of the same size.
#include <linux/errno.h>
#include <linux/resource.h>

#include "arch/sys.h"
#include "restorer/advice.h"
#include "restorer/restorer.h"
#include "runtime/str.h"

namespace restorer {

namespace {

constexpr int mlock_onfault = 1; // MLOCK_ONFAULT

// mlock2(), or mlock() where the kernel (an emulator) has no mlock2.
long lock(uint64_t start, uint64_t len, int flags)
{
	long ret = sys::mlock2(start, len, flags);
	if (ret == -ENOSYS && !flags)
		ret = sys::mlock(start, len);
	return ret;
}

} // namespace

bool check_locked_memory(ckpt::text &err)
{
	uint64_t total = 0;
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if (r.flags & image::region_locked)
			total += r.end - r.start;
	}
	if (!total)
		return true;
	// The kernel charges a locked range to RLIMIT_MEMLOCK whole, faulted
	// in or not: locking an inaccessible reservation on fault asks the
	// same question without touching a page. Without mlock2() (qemu-user)
	// a readable one is locked, which maps the zero page all over it
	// (mlock() of PROT_NONE memory fails: it cannot fault it in).
	long ret = -ENOSYS;
	constexpr int prots[2] = {PROT_NONE, PROT_READ};
	for (int prot : prots) {
		long addr = sys::mmap(0, total, prot,
				      MAP_PRIVATE | MAP_ANONYMOUS |
					      MAP_NORESERVE,
				      -1, 0);
		if (sys::failed(addr)) {
			ret = addr;
			break;
		}
		ret = prot == PROT_NONE
			      ? sys::mlock2((uint64_t)addr, total, mlock_onfault)
			      : sys::mlock((uint64_t)addr, total);
		sys::munmap((uint64_t)addr, total);
		if (ret != -ENOSYS && ret != -EINVAL)
			break;
	}
	if (ret >= 0)
		return true;
	sys::rlimit lim = {};
	sys::prlimit(RLIMIT_MEMLOCK, nullptr, &lim);
	message(err).str("cannot lock ").udec(total)
		.str(" bytes of memory again (mlock, MAP_LOCKED): ")
		.errno_name(ret).str("; RLIMIT_MEMLOCK is ");
	if (lim.cur == ~0ull)
		err.str("unlimited");
	else
		err.udec(lim.cur);
	err.str(" bytes (ulimit -l is in KiB)\n");
	return false;
}

void advise_region(uint32_t i, const image::region &r)
{
	const uint64_t len = r.end - r.start;
	const char *failed = nullptr;
	long ret = 0;
	for (const advice &a : advices) {
		if ((r.flags & a.bit) &&
		    (ret = sys::madvise(r.start, len, a.madv)) < 0) {
			failed = a.name;
			break;
		}
	}
	if (!failed && (r.flags & image::region_locked)) {
		const bool onfault = r.flags & image::region_lockonfault;
		ret = lock(r.start, len, onfault ? mlock_onfault : 0);
		if (ret < 0)
			failed = onfault ? "lock on fault (mlock2)" : "lock (mlock)";
	}
	if (!failed)
		return;
	char buf[256];
	ckpt::text t(buf, sizeof buf);
	message(t).str("region ").udec(i).str(" at 0x").hex(r.start)
		.str(": cannot ").str(failed).str(" it again: ").errno_name(ret);
	die(t.ch('\n'));
}

} // namespace restorer
