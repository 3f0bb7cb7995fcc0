// Planning against vm.max_map_count, before the point of no return: the
// kernel refuses an mmap or mprotect that would give the process more
// mappings (VMAs) than that with ENOMEM. Every region is one mapping at
// least; each run read into a region the app could not write (made
// writable, then protected again) or mapped lazily from the image may
// split it into two more. --lazy maps regions from the image while that
// stays within the limit, less room for the app to map more; the others
// are read.
#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/io.h"
#include "runtime/maps.h"
#include "runtime/str.h"

namespace restorer {

namespace {

uint64_t lazy_budget;

uint64_t max_map_count()
{
	uint64_t v;
	if (!ckpt::read_number_file("/proc/sys/vm/max_map_count", &v))
		return 65530; // DEFAULT_MAX_MAP_COUNT
	return v;
}

// What survives unmap_all_but_self(): the restorer, the kernel's block
// and an emulator's page. Counted from the restorer's maps as they are.
uint64_t kept_mappings()
{
	ckpt::maps_scanner scan(g.maps, ckpt::str_len(g.maps));
	ckpt::map_entry e;
	uint64_t n = 0;
	const range self = self_range();
	while (scan.next(&e)) {
		if (self.overlaps(e.start, e.end) || e.named("[vdso]") ||
		    e.named("[vvar]") || e.named("[vvar_vclock]") ||
		    (!e.name_len && e.prot == (PROT_READ | PROT_EXEC)))
			n++;
	}
	return n;
}

} // namespace

bool plan_mappings(ckpt::text &err)
{
	const uint64_t limit = max_map_count();
	uint64_t need = kept_mappings();
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if (r.kind == image::kind_kernel)
			continue;
		need++;
		if (!(r.prot & PROT_WRITE) && !(r.flags & image::region_shared))
			need += 2 * (uint64_t)r.run_count;
	}
	if (need > limit) {
		message(err).str("the restored process needs up to ").udec(need)
			.str(" mappings, vm.max_map_count is ").udec(limit)
			.ch('\n');
		return false;
	}
	// An eighth of the limit stays for the app to map more.
	const uint64_t room = limit / 8;
	lazy_budget = limit - need > room ? limit - need - room : 0;
	return true;
}

bool lazy_fits(const image::region &r)
{
	// Unwritable regions were counted as read already.
	const uint64_t cost = (r.prot & PROT_WRITE) ? 2 * (uint64_t)r.run_count
						    : 0;
	if (cost > lazy_budget)
		return false;
	lazy_budget -= cost;
	return true;
}

} // namespace restorer
