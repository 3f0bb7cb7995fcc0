// The image fuzzer's mutator: mutates one field of one record (or, now
// and then, the raw bytes anywhere, which may change the size), then makes
// the checksums and the file size agree with the result again, so that a
// mutated table is judged by the checks after meta_crc, not by meta_crc.
// Once in a while a fix-up is left out, so the refusals stay reachable.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "runtime/crc32c.h"
#include "runtime/image.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size,
				   size_t max_size);

namespace {

// memcpy, for tables that may be empty (an empty vector's data() may
// be null, which memcpy may not get).
void copy(void *to, const void *from, size_t len)
{
	if (len)
		memcpy(to, from, len);
}

struct rng {
	uint64_t s;
	uint64_t next()
	{
		s += 0x9e3779b97f4a7c15ull; // splitmix64
		uint64_t z = s;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		return z ^ (z >> 31);
	}
	uint64_t below(uint64_t n) { return n ? next() % n : 0; }
	bool one_in(uint64_t n) { return below(n) == 0; }
};

// A table of the image: where it starts and how big its records are.
struct table {
	uint64_t offset;
	uint64_t count;
	uint32_t record;
};

bool inside(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

// A value likely to sit on the edge of some check, for a field that held
// old.
uint64_t interesting(rng &r, uint64_t old, const image::header &h,
		     size_t size)
{
	const uint64_t page = h.page_size ? h.page_size : 4096;
	switch (r.below(14)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return ~0ull;
	case 3: return old + 1;
	case 4: return old - 1;
	case 5: return old + page;
	case 6: return old - page;
	case 7: return old ^ (1ull << r.below(64));
	case 8: return r.below(64);
	case 9: return 1ull << r.below(64);
	case 10: return size;
	case 11: return page * r.below(64);
	case 12: return (uint64_t)INT32_MAX + r.below(3);
	default: return old & ~(page - 1);
	}
}

// Mutates the 4 or 8 bytes at off of data (inside it).
void mutate_slot(uint8_t *data, size_t off, size_t len, rng &r,
		 const image::header &h, size_t size)
{
	if (r.one_in(3)) {
		LLVMFuzzerMutate(data + off, len, len);
		return;
	}
	uint64_t v = 0;
	memcpy(&v, data + off, len);
	v = interesting(r, v, h, size);
	memcpy(data + off, &v, len);
}

// Where the image stores the app's bytes at addr (as the restorer reads
// them: the region holding addr, its runs in order), or 0: not stored.
uint64_t stored_at(const uint8_t *data, size_t size, const image::header &h,
		   uint64_t addr)
{
	if (h.region_count > image::max_regions ||
	    h.run_count > image::max_runs ||
	    !inside(h.table_offset, h.region_count * sizeof(image::region),
		    size) ||
	    !inside(h.runs_offset, h.run_count * sizeof(image::run), size))
		return 0;
	uint64_t first = 0;
	for (uint32_t i = 0; i < h.region_count; i++) {
		image::region g;
		memcpy(&g, data + h.table_offset + i * sizeof g, sizeof g);
		if (addr < g.start || addr >= g.end) {
			first += g.run_count;
			continue;
		}
		uint64_t file = g.data_offset;
		for (uint64_t k = first; k < first + g.run_count; k++) {
			image::run u;
			if (k >= h.run_count)
				return 0;
			memcpy(&u, data + h.runs_offset + k * sizeof u, sizeof u);
			uint64_t off = addr - g.start;
			if (off >= u.offset && off - u.offset < u.length)
				return file + (off - u.offset);
			file += u.length;
		}
		return 0;
	}
	return 0;
}

// A word of the app's memory that the restorer reads and checks: the
// saved context, or the signal frame (its ucontext and FPU state, within
// 2 KiB of it). The data checksum is fixed up after.
void mutate_record(uint8_t *data, size_t size, const image::header &h,
		   rng &r)
{
	const bool frame = h.signal_frame && r.one_in(2);
	const uint64_t addr = frame ? h.signal_frame + r.below(2048 / 4) * 4
				    : h.context_addr + r.below(256 / 4) * 4;
	const uint64_t at = stored_at(data, size, h, addr);
	const size_t len = (addr & 7) || r.one_in(2) ? 4 : 8;
	if (at && inside(at, len, size))
		mutate_slot(data, at, len, r, h, size);
}

// One field of one record of one table, or of the header, or of the
// runtime's records in the app's memory.
void mutate_field(uint8_t *data, size_t size, rng &r)
{
	image::header h;
	memcpy(&h, data, sizeof h);
	if (r.one_in(6)) {
		mutate_record(data, size, h, r);
		return;
	}
	const table tables[] = {
		{0, 1, sizeof h},
		{h.table_offset, h.region_count, sizeof(image::region)},
		{h.runs_offset, h.run_count, sizeof(image::run)},
		{h.fds_offset, h.fd_count, sizeof(image::fd_entry)},
	};
	size_t pick = r.below(sizeof tables / sizeof tables[0] + 1);
	if (pick == sizeof tables / sizeof tables[0]) {
		// A byte of the string table (names, their terminators).
		if (h.strings_size && inside(h.strings_offset, h.strings_size,
					     size)) {
			size_t at = h.strings_offset + r.below(h.strings_size);
			data[at] = r.one_in(2) ? 0 : (uint8_t)r.next();
		}
		return;
	}
	const table &t = tables[pick];
	if (!t.count || !inside(t.offset, t.count * t.record, size))
		return;
	const uint64_t base = t.offset + r.below(t.count) * t.record;
	if (pick && t.count > 1 && r.one_in(8)) {
		// Two records swapped: the order checks.
		uint64_t other = t.offset + r.below(t.count) * t.record;
		uint8_t tmp[sizeof(image::header)];
		memcpy(tmp, data + base, t.record);
		memcpy(data + base, data + other, t.record);
		memcpy(data + other, tmp, t.record);
		return;
	}
	uint64_t off;
	if (pick)
		off = r.below(t.record / 4) * 4;
	else if (r.one_in(2)) // counts, offsets and the runtime's records
		off = r.below(offsetof(image::header, mm) / 4) * 4;
	else if (r.one_in(2)) // process state
		off = offsetof(image::header, process) +
		      r.below(sizeof(image::process_state) / 4) * 4;
	else
		off = r.below(sizeof h / 4) * 4;
	const size_t len = (off & 7) || r.one_in(2) ? 4 : 8;
	mutate_slot(data, base + off, len, r, h, size);
}

// The image's data CRCs, meta_crc and file_size, made to fit again.
void fix_up(uint8_t *data, size_t size, rng &r)
{
	image::header h;
	memcpy(&h, data, sizeof h);
	if (!r.one_in(16)) {
		h.file_size = size;
		memcpy(data + offsetof(image::header, file_size), &h.file_size,
		       sizeof h.file_size);
	}
	if (h.region_count > image::max_regions || h.run_count > image::max_runs ||
	    h.fd_count > image::max_fds || h.strings_size > image::max_strings ||
	    !inside(h.table_offset, h.region_count * sizeof(image::region),
		    size) ||
	    !inside(h.runs_offset, h.run_count * sizeof(image::run), size) ||
	    !inside(h.fds_offset, h.fd_count * sizeof(image::fd_entry), size) ||
	    !inside(h.strings_offset, h.strings_size, size))
		return;
	std::vector<image::region> regions(h.region_count);
	copy(regions.data(), data + h.table_offset,
	       regions.size() * sizeof(image::region));
	if (!r.one_in(16)) {
		for (image::region &g : regions) {
			if (g.data_size && inside(g.data_offset, g.data_size, size))
				g.data_crc = ckpt::crc32c(0, data + g.data_offset,
							  g.data_size);
		}
		copy(data + h.table_offset, regions.data(),
		       regions.size() * sizeof(image::region));
	}
	if (r.one_in(32))
		return;
	std::vector<image::run> runs(h.run_count);
	copy(runs.data(), data + h.runs_offset, runs.size() * sizeof(image::run));
	std::vector<image::fd_entry> fds(h.fd_count);
	copy(fds.data(), data + h.fds_offset,
	       fds.size() * sizeof(image::fd_entry));
	h.meta_crc = image::meta_crc(h, regions.data(), runs.data(), fds.data(),
				     (const char *)data + h.strings_offset);
	memcpy(data + offsetof(image::header, meta_crc), &h.meta_crc,
	       sizeof h.meta_crc);
}

} // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
					  size_t max_size, unsigned int seed)
{
	rng r{seed};
	if (size < sizeof(image::header) || r.one_in(8))
		size = LLVMFuzzerMutate(data, size, max_size);
	else
		for (uint64_t n = 1 + r.below(3); n--;)
			mutate_field(data, size, r);
	if (size >= sizeof(image::header))
		fix_up(data, size, r);
	return size;
}
