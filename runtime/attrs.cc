// Process-wide attributes that no other section holds: each read here
// without changing it, and recorded only where it is not the default (an
// image without them stays one an older restorer reads).
#include "runtime/attrs.h"

#include <linux/errno.h>

#include "arch/sys.h"
#include "runtime/io.h"
#include "runtime/maps.h"
#include "runtime/noreserve.h"
#include "runtime/str.h"

namespace ckpt {

process_attrs saved_attrs;

namespace {

void add(uint32_t type, int64_t value)
{
	saved_attrs.items[saved_attrs.count++] = {type, 0, value};
}

// /proc/self/oom_score_adj: a signed number and a newline.
bool oom_score_adj(int64_t *v)
{
	char buf[32];
	long n = read_file("/proc/self/oom_score_adj", buf, sizeof buf);
	if (n <= 0)
		return false;
	const bool neg = buf[0] == '-';
	size_t len = (size_t)n - neg;
	while (len && (buf[neg + len - 1] == '\n' || buf[neg + len - 1] == 0))
		len--;
	uint64_t u;
	if (!parse_u64(buf + neg, len, &u) || u > 1000)
		return false;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return true;
}

// MEMBARRIER_CMD_QUERY says what the kernel offers, not what the process
// registered for; but a private expedited barrier fails with EPERM until
// the process has registered for it, and is harmless otherwise (it only
// waits for this process's threads to pass a barrier).
uint32_t membarrier_registrations()
{
	struct probe {
		int cmd;
		uint32_t bit;
	};
	constexpr probe probes[] = {
		{8, image::membarrier_private_expedited},	     // PRIVATE_EXPEDITED
		{32, image::membarrier_private_expedited_sync_core}, // .._SYNC_CORE
		{128, image::membarrier_private_expedited_rseq},    // .._RSEQ
	};
	uint32_t got = 0;
	for (const probe &p : probes) {
		if (sys::membarrier(p.cmd) == 0)
			got |= p.bit;
	}
	return got;
}

} // namespace

void save_process_attrs()
{
	saved_attrs.count = 0;
	int64_t adj;
	if (oom_score_adj(&adj) && adj != 0)
		add(image::attr_oom_score_adj, adj);
	if (sys::prctl(PR_GET_THP_DISABLE) == 1)
		add(image::attr_thp_disable, 1);
	int reaper = 0;
	if (sys::prctl(PR_GET_CHILD_SUBREAPER, (uint64_t)&reaper) == 0 &&
	    reaper)
		add(image::attr_child_subreaper, 1);
	if (uint32_t m = membarrier_registrations())
		add(image::attr_membarrier, m);
}

bool add_shared_file(uint32_t region, uint32_t first)
{
	if (saved_attrs.count == sizeof saved_attrs.items /
					 sizeof saved_attrs.items[0])
		return false;
	saved_attrs.items[saved_attrs.count++] = {image::attr_shared_file,
						  region, (int64_t)first};
	return true;
}

namespace {

// The app may have memory a child does not see as it is: set by the
// interposed madvise() (from any thread), kept until a pause's smaps scan
// finds none. In the app's memory, so in its images too: a restored
// process gets that advice again from the restorer.
bool fork_advice;

// VmSize of the app in the pause (0: not read), and of the forked writer
// at its start; whether that writer found its copy blind.
uint64_t app_size_kib, writer_size_kib;
bool blind;

// "Key:\t  1234 kB" of /proc/self/status: the kernel's counters, which
// it reads without walking page tables.
bool status_kib(const char *status, const char *key, uint64_t *v)
{
	const size_t k = str_len(key);
	for (const char *p = status; *p; p++) {
		if ((p != status && p[-1] != '\n') || !starts_with(p, key))
			continue;
		p += k;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *digits = p;
		while (*p >= '0' && *p <= '9')
			p++;
		return p > digits && parse_u64(digits, (size_t)(p - digits), v);
	}
	return false;
}

// VmSize and VmLck, in KiB (static: a signal handler's stack is small).
bool memory_counts(uint64_t *size, uint64_t *locked)
{
	static char status[8 << 10];
	return read_file("/proc/self/status", status, sizeof status) > 0 &&
	       status_kib(status, "VmSize:", size) &&
	       status_kib(status, "VmLck:", locked);
}

struct fork_check {
	uint64_t start = 0, end = 0;
	bool forkable = true;
	bool advice = false; // memory a child does not see as it is
};

void check_line(void *ctx, const char *p, const char *stop)
{
	auto *c = static_cast<fork_check *>(ctx);
	maps_scanner scan(p, (size_t)(stop - p));
	map_entry e;
	if (p < stop && *p != 'V' && scan.next(&e)) {
		c->start = e.start;
		c->end = e.end;
		return;
	}
	if (stop - p < 8 || !starts_with(p, "VmFlags:"))
		return;
	const uint32_t bits = advice_bits(p + 8, stop);
	if (bits & (image::region_dontfork | image::region_wipeonfork |
		    image::region_droppable))
		c->forkable = false, c->advice = true;
	const uint32_t locks = bits & (image::region_locked |
				       image::region_lockonfault);
	if (!locks)
		return;
	if (saved_attrs.locked_count == max_locked_ranges) {
		c->forkable = false;
		return;
	}
	saved_attrs.locked[saved_attrs.locked_count++] = {c->start, c->end,
							  locks};
}

} // namespace

bool forkable_memory(bool writer_saw_some)
{
	saved_attrs.locked_count = 0;
	app_size_kib = 0;
	if (writer_saw_some)
		note_fork_advice();
	uint64_t size, locked;
	const bool counted = memory_counts(&size, &locked);
	if (counted && !locked &&
	    !__atomic_load_n(&fork_advice, __ATOMIC_ACQUIRE)) {
		app_size_kib = size;
		return true;
	}
	// Static: smaps lines are short, but a signal handler's stack is too.
	static char buf[16 << 10];
	fork_check c;
	if (!scan_smaps(buf, sizeof buf, check_line, &c))
		return false;
	// The other threads are stopped: one in madvise() notes it again
	// once the call is made.
	__atomic_store_n(&fork_advice, c.advice, __ATOMIC_RELEASE);
	if (!c.forkable)
		saved_attrs.locked_count = 0;
	if (counted && c.forkable)
		app_size_kib = size;
	return c.forkable;
}

void forget_locked_memory()
{
	saved_attrs.locked_count = 0;
}

void note_fork_advice()
{
	__atomic_store_n(&fork_advice, true, __ATOMIC_RELEASE);
}

void note_writer_size()
{
	blind = false; // an image of a writer's copy holds its globals
	uint64_t locked;
	if (!memory_counts(&writer_size_kib, &locked))
		writer_size_kib = 0;
}

long check_forked_copy(const image::region *regions, uint32_t count,
		       text &why)
{
	// fork() leaves MADV_DONTFORK mappings out of the child and its
	// VmSize (dup_mmap()); nothing else is mapped or unmapped between
	// the two readings (the app's other threads are stopped). One that
	// could not be read counts as smaller.
	if (app_size_kib && writer_size_kib < app_size_kib) {
		blind = true;
		why.str("the forked writer lacks ")
			.udec(app_size_kib - writer_size_kib)
			.str(" KiB of the app's memory (MADV_DONTFORK)");
		return -EAGAIN;
	}
	// fork() keeps the advice of MADV_WIPEONFORK memory (its own smaps
	// show it) but none of its contents.
	for (uint32_t i = 0; i < count; i++) {
		const image::region &r = regions[i];
		if (!(r.flags & (image::region_wipeonfork |
				 image::region_droppable)))
			continue;
		blind = true;
		why.str("the forked writer sees the app's memory at 0x")
			.hex(r.start).str(" zeroed (")
			.str(r.flags & image::region_droppable
				     ? "MAP_DROPPABLE"
				     : "MADV_WIPEONFORK")
			.ch(')');
		return -EAGAIN;
	}
	return 0;
}

bool forked_copy_blind()
{
	return blind;
}

} // namespace ckpt
