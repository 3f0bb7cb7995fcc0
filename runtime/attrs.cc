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

struct fork_check {
	uint64_t start = 0, end = 0;
	bool forkable = true;
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
		c->forkable = false;
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

bool forkable_memory()
{
	// Static: smaps lines are short, but a signal handler's stack is too.
	static char buf[16 << 10];
	saved_attrs.locked_count = 0;
	fork_check c;
	if (!scan_smaps(buf, sizeof buf, check_line, &c))
		return false;
	if (!c.forkable)
		saved_attrs.locked_count = 0;
	return c.forkable;
}

void forget_locked_memory()
{
	saved_attrs.locked_count = 0;
}

} // namespace ckpt
