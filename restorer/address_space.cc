// Whether this system lets the image's lowest and highest regions be
// mapped: the top of the user address space depends on the kernel (47 or
// 56 bits on x86_64, 39 to 52 on arm64) and the bottom on vm.mmap_min_addr
// (and CAP_SYS_RAWIO). Rather than trust constants, the restorer asks the
// kernel: it maps one page at each end, MAP_FIXED_NOREPLACE, and unmaps it.
// An address mapped now (the restorer's /proc/self/maps) is valid.
#include <linux/errno.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/io.h"
#include "runtime/maps.h"
#include "runtime/str.h"

namespace restorer {

namespace {

bool mapped_now(uint64_t addr)
{
	ckpt::maps_scanner scan(g.maps, ckpt::str_len(g.maps));
	ckpt::map_entry e;
	while (scan.next(&e)) {
		if (e.start <= addr && addr < e.end)
			return true;
	}
	return false;
}

// 0 if a page at addr can be mapped, else why not (-errno).
long probe(uint64_t addr)
{
	if (mapped_now(addr))
		return 0;
	long got = sys::mmap(addr, g.page_size, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
				     MAP_NORESERVE,
			     -1, 0);
	if (got == -EEXIST)
		return 0;
	if (sys::failed(got))
		return got;
	sys::munmap(got, g.page_size);
	// qemu-user takes MAP_FIXED_NOREPLACE as a hint: another address
	// means it cannot map this one (map_regions() would fail the same).
	return (uint64_t)got == addr ? 0 : -ENOMEM;
}

uint64_t mmap_min_addr()
{
	uint64_t v;
	return ckpt::read_number_file("/proc/sys/vm/mmap_min_addr", &v) ? v : 0;
}

bool refuse(ckpt::text &err, uint32_t i, const char *what, uint64_t v,
	    long ret)
{
	message(err).str("region ").udec(i).str(" at 0x")
		.hex(g.tables.regions[i].start).str(": ").str(what).hex(v)
		.str(": ").errno_name(ret).ch('\n');
	return false;
}

} // namespace

bool check_address_space(ckpt::text &err)
{
	// The lowest and highest regions the restorer maps: the kernel's
	// block is already where the kernel put it, or moves to a place the
	// vdso check accepted.
	const uint32_t n = g.tables.region_count;
	long low = -1, high = -1;
	for (uint32_t i = 0; i < n; i++) {
		if (g.tables.regions[i].kind == image::kind_kernel)
			continue;
		if (low < 0)
			low = i;
		high = i;
	}
	if (low < 0)
		return true;
	const image::region &lo = g.tables.regions[low];
	const image::region &hi = g.tables.regions[high];
	if (lo.start < mmap_min_addr()) {
		if (long ret = probe(lo.start); ret < 0)
			return refuse(err, (uint32_t)low,
				      "below vm.mmap_min_addr, cannot map 0x",
				      lo.start, ret);
	}
	const uint64_t last = hi.end - g.page_size;
	if (!self_range().overlaps(last, hi.end)) {
		if (long ret = probe(last); ret < 0)
			return refuse(err, (uint32_t)high,
				      "beyond this system's user address "
				      "space, cannot map 0x",
				      last, ret);
	}
	return true;
}

} // namespace restorer
