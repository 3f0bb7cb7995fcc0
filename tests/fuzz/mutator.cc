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

// A section of the image (or its header or directory): where it starts
// and how big its records are.
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

// The directory entries of the image, as far as they lie inside it.
size_t directory(const uint8_t *data, size_t size, image::section *out)
{
	image::header h;
	memcpy(&h, data, sizeof h);
	size_t n = h.section_count < image::max_sections ? h.section_count
							 : image::max_sections;
	if (!inside(sizeof h, n * sizeof *out, size))
		return 0;
	memcpy(out, data + sizeof h, n * sizeof *out);
	return n;
}

// The directory entry of section type t, or nullptr.
const image::section *find(const image::section *dir, size_t n, uint32_t t)
{
	for (size_t i = 0; i < n; i++) {
		if ((dir[i].type & ~(uint32_t)image::section_essential) == t)
			return &dir[i];
	}
	return nullptr;
}

// Where the image stores the app's bytes at addr (as the restorer reads
// them: the region holding addr, its runs in order), or 0: not stored.
uint64_t stored_at(const uint8_t *data, size_t size,
		   const image::section *regions, const image::section *runs,
		   uint64_t addr)
{
	if (!regions || !runs ||
	    regions->entry_size != sizeof(image::region) ||
	    runs->entry_size != sizeof(image::run) ||
	    !inside(regions->offset,
		    (uint64_t)regions->count * sizeof(image::region), size) ||
	    !inside(runs->offset, (uint64_t)runs->count * sizeof(image::run),
		    size))
		return 0;
	uint64_t first = 0;
	for (uint32_t i = 0; i < regions->count; i++) {
		image::region g;
		memcpy(&g, data + regions->offset + i * sizeof g, sizeof g);
		if (addr < g.start || addr >= g.end) {
			first += g.run_count;
			continue;
		}
		uint64_t file = g.data_offset;
		for (uint64_t k = first; k < first + g.run_count; k++) {
			image::run u;
			if (k >= runs->count)
				return 0;
			memcpy(&u, data + runs->offset + k * sizeof u, sizeof u);
			uint64_t off = addr - g.start;
			if (off >= u.offset && off - u.offset < u.length)
				return file + (off - u.offset);
			file += u.length;
		}
		return 0;
	}
	return 0;
}

// A word of the app's memory that the restorer reads and checks for a
// thread: its saved context, or its signal frame (the ucontext and FPU
// state, within 2 KiB of it). The data checksum is fixed up after.
void mutate_record(uint8_t *data, size_t size, const image::header &h,
		   const image::section *dir, size_t n, rng &r)
{
	const image::section *threads = find(dir, n, image::section_threads);
	if (!threads || !threads->count ||
	    threads->entry_size != sizeof(image::thread_record) ||
	    !inside(threads->offset,
		    (uint64_t)threads->count * sizeof(image::thread_record),
		    size))
		return;
	image::thread_record t;
	memcpy(&t, data + threads->offset + r.below(threads->count) * sizeof t,
	       sizeof t);
	const bool frame = t.signal_frame && r.one_in(2);
	const uint64_t addr = frame ? t.signal_frame + r.below(2048 / 4) * 4
				    : t.context_addr + r.below(256 / 4) * 4;
	const uint64_t at = stored_at(data, size,
				      find(dir, n, image::section_regions),
				      find(dir, n, image::section_runs), addr);
	const size_t len = (addr & 7) || r.one_in(2) ? 4 : 8;
	if (at && inside(at, len, size))
		mutate_slot(data, at, len, r, h, size);
}

// One field of one record of one section, of the directory or of the
// header, or of the runtime's records in the app's memory.
void mutate_field(uint8_t *data, size_t size, rng &r)
{
	image::header h;
	memcpy(&h, data, sizeof h);
	image::section dir[image::max_sections];
	const size_t n = directory(data, size, dir);
	if (r.one_in(6)) {
		mutate_record(data, size, h, dir, n, r);
		return;
	}
	table tables[2 + image::max_sections];
	size_t count = 0;
	tables[count++] = {0, 1, sizeof h};
	tables[count++] = {sizeof h, n, sizeof(image::section)};
	const image::section *strings = nullptr;
	for (size_t i = 0; i < n; i++) {
		const uint32_t t = dir[i].type & ~(uint32_t)image::section_essential;
		if (t == image::section_strings)
			strings = &dir[i];
		else if (dir[i].entry_size >= 4 &&
			 dir[i].entry_size <= sizeof(image::process_record))
			tables[count++] = {dir[i].offset, dir[i].count,
					   dir[i].entry_size};
	}
	size_t pick = r.below(count + 1);
	// Nearly any change to the header or the directory is refused, and
	// the mutants such refusals keep in the corpus hide every later
	// check: half their turns go to the sections written after them, the
	// process record and the thread records, whose checks come last.
	if (pick < 2 && count > 3 && r.one_in(2))
		pick += 2;
	if (pick == count) {
		// A byte of the string table (names, their terminators).
		if (strings && strings->size &&
		    inside(strings->offset, strings->size, size)) {
			size_t at = strings->offset + r.below(strings->size);
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
		uint8_t tmp[sizeof(image::process_record)];
		memcpy(tmp, data + base, t.record);
		memcpy(data + base, data + other, t.record);
		memcpy(data + other, tmp, t.record);
		return;
	}
	const image::section *threads = find(dir, n, image::section_threads);
	const image::section *process = find(dir, n, image::section_process);
	uint64_t off;
	if (pick == 0 || t.record < 8 || !r.one_in(2))
		off = r.below(t.record / 4) * 4;
	else if (threads && t.offset == threads->offset)
		// a thread's tid, flags and addresses
		off = r.below(offsetof(image::thread_record, name) / 4) * 4;
	else if (process && t.offset == process->offset && r.one_in(2))
		off = offsetof(image::process_record, process) +
		      r.below(sizeof(image::process_state) / 4) * 4;
	else
		off = r.below(t.record < 64 ? t.record / 4 : 16) * 4;
	const size_t len = (off & 7) || off + 8 > t.record || r.one_in(2) ? 4
									  : 8;
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
	image::section dir[image::max_sections];
	const size_t n = directory(data, size, dir);
	const image::section *regions = find(dir, n, image::section_regions);
	if (regions && regions->entry_size == sizeof(image::region) &&
	    inside(regions->offset,
		   (uint64_t)regions->count * sizeof(image::region), size) &&
	    !r.one_in(16)) {
		std::vector<image::region> table(regions->count);
		copy(table.data(), data + regions->offset,
		     table.size() * sizeof(image::region));
		for (image::region &g : table) {
			if (g.data_size && inside(g.data_offset, g.data_size, size))
				g.data_crc = ckpt::crc32c(0, data + g.data_offset,
							  g.data_size);
		}
		copy(data + regions->offset, table.data(),
		     table.size() * sizeof(image::region));
	}
	if (r.one_in(32) || h.meta_size < sizeof h || h.meta_size > size)
		return;
	h.meta_crc = image::meta_crc(data, h.meta_size);
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
