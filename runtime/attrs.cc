// Process-wide attributes that no other section holds: each read here
// without changing it, and recorded only where it is not the default (an
// image without them stays one an older restorer reads).
#include "runtime/attrs.h"

#include <linux/errno.h>

#include "arch/sys.h"
#include "runtime/io.h"
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

} // namespace ckpt
