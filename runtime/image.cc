// Validation of images: everything the restorer checks before it trusts
// an image with its address space.
#include "runtime/image.h"

#include <linux/mman.h>

#include "runtime/crc32c.h"
#include "runtime/str.h"

namespace image {

namespace {

bool page_aligned(uint64_t v, uint32_t page_size)
{
	return (v & (page_size - 1)) == 0;
}

// a + b <= limit, without overflow.
bool fits(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

} // namespace

const char *describe(fault f)
{
	// Arrays, not pointers: the restorer may hold no absolute address.
	static constexpr char text[][64] = {
		"no problem",
		"not a ckpt image (bad magic)",
		"image format is newer than this restorer",
		"unknown image format version",
		"image is for another architecture",
		"image page size differs from this system's",
		"header or region record size is wrong",
		"image is truncated",
		"image has trailing bytes",
		"region count is out of range",
		"run count is out of range",
		"string table size is out of range",
		"auxiliary vector is too long",
		"table offsets are inconsistent",
		"header checksum mismatch (corrupt image)",
		"string table is not terminated",
		"misaligned or empty region",
		"region is beyond the user address space",
		"region overlaps the one before it or is out of order",
		"unknown region kind, protection or flags",
		"region name is outside the string table",
		"region data size is wrong",
		"region run is misaligned, outside the region or out of order",
		"region data is misplaced or beyond the end of the image",
		"region data does not end where the image ends",
		"region data checksum mismatch (corrupt image)",
		"the runtime's state is not in writable saved memory",
		"fd count is out of range",
		"fd table entry is invalid or out of order",
		"process state (cwd, name, timers, rseq) is invalid",
	};
	static_assert(sizeof text / sizeof text[0] == (size_t)fault::count,
		      "one message per fault");
	return f < fault::count ? text[(int)f] : "unknown problem";
}

const char *kind_name(uint32_t kind)
{
	// An array of arrays: a switch may become a table of pointers, which
	// would be absolute addresses.
	static constexpr char names[kind_count][8] = {
		"anon", "file", "heap", "stack", "kernel"};
	return kind < kind_count ? names[kind] : "?";
}

const char *fd_kind_name(uint32_t kind)
{
	static constexpr char names[fd_kind_count][8] = {
		"file", "dir", "chr", "blk", "fifo", "socket", "anon",
		"memfd", "other"};
	return kind < fd_kind_count ? names[kind] : "?";
}

problem check_header(const header &h, uint64_t file_size, uint32_t page_size,
		     const target &t)
{
	if (memcmp(h.magic, magic, sizeof magic) != 0)
		return {fault::bad_magic};
	if (h.version > format_version)
		return {fault::newer_version};
	if (h.version != format_version)
		return {fault::unknown_version};
	if (h.machine != t.elf_machine)
		return {fault::other_arch};
	if (h.page_size != page_size)
		return {fault::other_page_size};
	if (h.header_size != sizeof(header) || h.region_size != sizeof(region))
		return {fault::bad_record_size};
	if (h.file_size != file_size)
		return {h.file_size > file_size ? fault::truncated
						: fault::trailing_bytes};
	if (h.region_count == 0 || h.region_count > max_regions)
		return {fault::bad_region_count};
	if (h.run_count > max_runs)
		return {fault::bad_run_count};
	if (h.strings_size == 0 || h.strings_size > max_strings)
		return {fault::bad_strings_size};
	if (h.auxv_words > max_auxv_words)
		return {fault::bad_auxv};
	if (h.fd_count > max_fds)
		return {fault::bad_fd_count};
	uint64_t table_size = (uint64_t)h.region_count * sizeof(region);
	uint64_t runs_size = (uint64_t)h.run_count * sizeof(run);
	uint64_t fds_size = (uint64_t)h.fd_count * sizeof(fd_entry);
	if (h.table_offset != sizeof(header) || h.reserved1 || h.reserved2 ||
	    h.runs_offset != h.table_offset + table_size ||
	    h.fds_offset != h.runs_offset + runs_size ||
	    h.strings_offset != h.fds_offset + fds_size ||
	    !fits(h.strings_offset, h.strings_size, h.data_offset) ||
	    !page_aligned(h.data_offset, page_size) ||
	    h.data_offset > file_size)
		return {fault::bad_offsets};
	return {};
}

uint32_t meta_crc(const header &h, const region *regions, const run *runs,
		  const fd_entry *fds, const char *strings)
{
	header copy = h;
	copy.meta_crc = 0;
	uint32_t crc = ckpt::crc32c(0, &copy, sizeof copy);
	crc = ckpt::crc32c(crc, regions, (size_t)h.region_count *
				       sizeof(region));
	crc = ckpt::crc32c(crc, runs, (size_t)h.run_count * sizeof(run));
	crc = ckpt::crc32c(crc, fds, (size_t)h.fd_count * sizeof(fd_entry));
	return ckpt::crc32c(crc, strings, h.strings_size);
}

namespace {

// The runs of region r, starting at runs[*next]: inside it, aligned,
// ordered, apart, and adding up to its data_size.
bool check_runs(const header &h, const region &r, const run *runs,
		uint32_t *next)
{
	if (r.run_count > h.run_count - *next)
		return false;
	const uint64_t len = r.end - r.start;
	uint64_t end = 0, stored = 0;
	for (uint32_t i = 0; i < r.run_count; i++) {
		const run &u = runs[(*next)++];
		if (!u.length || !page_aligned(u.offset, h.page_size) ||
		    !page_aligned(u.length, h.page_size) ||
		    (i && u.offset <= end) || !fits(u.offset, u.length, len))
			return false;
		end = u.offset + u.length;
		stored += u.length;
	}
	return stored == r.data_size;
}

// A region mapped from its file again: a shared mapping of a named file,
// with nothing stored.
bool check_file_backed(const header &h, const region &r)
{
	return (r.flags & region_shared) && r.kind == kind_file && r.name &&
	       !r.data_size && !r.run_count &&
	       page_aligned(r.file_offset, h.page_size);
}

// The fd table: increasing descriptor numbers, known kinds and flags,
// names inside the string table, dup_of pointing back to an entry that
// is no dup itself.
problem check_fds(const header &h, const fd_entry *fds)
{
	int64_t prev = -1;
	for (uint32_t i = 0; i < h.fd_count; i++) {
		const fd_entry &e = fds[i];
		if (e.fd <= prev || e.fd >= fd_limit || e.kind >= fd_kind_count ||
		    (e.flags & ~(uint32_t)(fd_cloexec | fd_deleted | fd_lost)) ||
		    e.name >= h.strings_size ||
		    (e.dup_of != -1 &&
		     (e.dup_of < 0 || (uint32_t)e.dup_of >= i ||
		      fds[e.dup_of].dup_of != -1)))
			return {fault::bad_fd};
		prev = e.fd;
	}
	return {};
}

problem check_process(const header &h)
{
	const process_state &p = h.process;
	bool ok = p.cwd < h.strings_size && p.umask <= 0777 &&
		  p.name[sizeof p.name - 1] == 0 && !p.reserved &&
		  !(p.flags & ~(uint32_t)(process_umask | process_personality |
					  process_name)) &&
		  !(p.rlimits_known >> rlimit_count);
	for (const sys::itimerval &t : p.itimers) {
		ok = ok && t.value.sec >= 0 && t.interval.sec >= 0 &&
		     (uint64_t)t.value.nsec < 1000000 &&
		     (uint64_t)t.interval.nsec < 1000000;
	}
	// The kernel's minimum (ORIG_RSEQ_SIZE, 32 bytes) up to a page.
	if (p.rseq_area)
		ok = ok && p.rseq_len >= 32 && p.rseq_len <= 4096 &&
		     !(p.rseq_area & 31);
	else
		ok = ok && !p.rseq_len && !p.rseq_sig;
	return {ok ? fault::none : fault::bad_process_state};
}

} // namespace

problem check_tables(const header &h, const region *regions, const run *runs,
		     const fd_entry *fds, const char *strings, const target &t)
{
	if (meta_crc(h, regions, runs, fds, strings) != h.meta_crc)
		return {fault::bad_meta_crc};
	if (strings[0] != 0 || strings[h.strings_size - 1] != 0)
		return {fault::strings_unterminated};
	const uint64_t prot_mask = PROT_READ | PROT_WRITE | PROT_EXEC;
	uint64_t prev_end = 0;
	uint64_t data_end = h.data_offset;
	uint32_t next_run = 0;
	for (uint32_t i = 0; i < h.region_count; i++) {
		const region &r = regions[i];
		problem p{fault::none, (long)i, r.start};
		if (!page_aligned(r.start, h.page_size) ||
		    !page_aligned(r.end, h.page_size) || r.start >= r.end)
			p.what = fault::misaligned_region;
		else if (r.end > t.user_address_limit)
			p.what = fault::region_beyond_limit;
		else if (r.start < prev_end)
			p.what = fault::region_overlap;
		else if (r.kind >= kind_count || (r.prot & ~prot_mask) ||
			 (r.flags & ~(uint32_t)(region_shared |
						region_file_backed |
						region_noreserve |
						region_guard)) ||
			 ((r.flags & region_guard) &&
			  (r.data_size || r.run_count)) ||
			 ((r.flags & region_file_backed) &&
			  !check_file_backed(h, r)))
			p.what = fault::bad_region_fields;
		else if (r.name >= h.strings_size)
			p.what = fault::bad_region_name;
		else if ((r.data_size || r.run_count) && r.kind == kind_kernel)
			p.what = fault::bad_data_size;
		else if (!check_runs(h, r, runs, &next_run))
			p.what = fault::bad_run;
		else if (r.data_size &&
			 (r.data_offset != data_end ||
			  !fits(r.data_offset, r.data_size, h.file_size)))
			p.what = fault::misplaced_data;
		if (p.what != fault::none)
			return p;
		prev_end = r.end;
		if (r.data_size)
			data_end = r.data_offset + r.data_size;
	}
	if (next_run != h.run_count)
		return {fault::bad_run_count};
	if (data_end != h.file_size)
		return {fault::data_end_mismatch};
	problem p = check_fds(h, fds);
	if (p.what == fault::none)
		p = check_process(h);
	return p;
}

namespace {

// [addr, addr + len) lies in stored bytes of a writable region.
bool in_saved_writable(const header &h, const region *regions, const run *runs,
		       uint64_t addr, uint64_t len)
{
	uint32_t first = 0;
	for (uint32_t i = 0; i < h.region_count; i++) {
		const region &r = regions[i];
		if (addr >= r.start && addr < r.end) {
			if (!(r.prot & PROT_WRITE))
				return false;
			for (uint32_t k = 0; k < r.run_count; k++) {
				const run &u = runs[first + k];
				uint64_t off = addr - r.start;
				if (off >= u.offset && off < u.offset + u.length)
					return len <= u.offset + u.length - off;
			}
			return false;
		}
		first += r.run_count;
	}
	return false;
}

} // namespace

problem check_runtime_state(const header &h, const region *regions,
			    const run *runs, const target &t)
{
	if (!in_saved_writable(h, regions, runs, h.context_addr,
			       t.context_size) ||
	    !in_saved_writable(h, regions, runs, h.resume_addr,
			       sizeof(resume_args)))
		return {fault::runtime_state_missing};
	const process_state &p = h.process;
	if ((p.tid_address && !in_saved_writable(h, regions, runs,
						 p.tid_address,
						 sizeof(int32_t))) ||
	    (p.rseq_area && !in_saved_writable(h, regions, runs, p.rseq_area,
					       p.rseq_len)))
		return {fault::bad_process_state};
	return {};
}

} // namespace image
