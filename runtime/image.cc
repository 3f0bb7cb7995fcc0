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

const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case kind_anon: return "anon";
	case kind_file: return "file";
	case kind_heap: return "heap";
	case kind_stack: return "stack";
	case kind_kernel: return "kernel";
	}
	return "?";
}

problem check_header(const header &h, uint64_t file_size, uint32_t page_size)
{
	if (memcmp(h.magic, magic, sizeof magic) != 0)
		return {"not a ckpt image (bad magic)"};
	if (h.version > format_version)
		return {"image format is newer than this restorer"};
	if (h.version != format_version)
		return {"unknown image format version"};
	if (h.machine != arch::elf_machine)
		return {"image is for another architecture"};
	if (h.page_size != page_size)
		return {"image page size differs from this system's"};
	if (h.header_size != sizeof(header) || h.region_size != sizeof(region))
		return {"header or region record size is wrong"};
	if (h.file_size != file_size)
		return {h.file_size > file_size ? "image is truncated"
						: "image has trailing bytes"};
	if (h.region_count == 0 || h.region_count > max_regions)
		return {"region count is out of range"};
	if (h.strings_size == 0 || h.strings_size > max_strings)
		return {"string table size is out of range"};
	if (h.auxv_words > max_auxv_words)
		return {"auxiliary vector is too long"};
	uint64_t table_size = (uint64_t)h.region_count * sizeof(region);
	if (h.table_offset != sizeof(header) ||
	    h.strings_offset != h.table_offset + table_size ||
	    !fits(h.strings_offset, h.strings_size, h.data_offset) ||
	    !page_aligned(h.data_offset, page_size) ||
	    h.data_offset > file_size)
		return {"table offsets are inconsistent"};
	return {};
}

uint32_t meta_crc(const header &h, const region *regions, const char *strings)
{
	header copy = h;
	copy.meta_crc = 0;
	uint32_t crc = ckpt::crc32c(0, &copy, sizeof copy);
	crc = ckpt::crc32c(crc, regions, (size_t)h.region_count *
				       sizeof(region));
	return ckpt::crc32c(crc, strings, h.strings_size);
}

problem check_tables(const header &h, const region *regions,
		     const char *strings)
{
	if (meta_crc(h, regions, strings) != h.meta_crc)
		return {"header checksum mismatch (corrupt image)"};
	if (strings[0] != 0 || strings[h.strings_size - 1] != 0)
		return {"string table is not terminated"};
	const uint64_t prot_mask = PROT_READ | PROT_WRITE | PROT_EXEC;
	uint64_t prev_end = 0;
	uint64_t data_end = h.data_offset;
	for (uint32_t i = 0; i < h.region_count; i++) {
		const region &r = regions[i];
		problem p{nullptr, (long)i, r.start};
		if (!page_aligned(r.start, h.page_size) ||
		    !page_aligned(r.end, h.page_size) || r.start >= r.end)
			p.what = "misaligned or empty region";
		else if (r.end > arch::user_address_limit)
			p.what = "region is beyond the user address space";
		else if (r.start < prev_end)
			p.what = "region overlaps the one before it or is "
				 "out of order";
		else if (r.kind >= kind_count || (r.prot & ~prot_mask) ||
			 (r.flags & ~(uint32_t)region_shared))
			p.what = "unknown region kind, protection or flags";
		else if (r.name >= h.strings_size)
			p.what = "region name is outside the string table";
		else if (r.data_size &&
			 (r.data_size != r.end - r.start ||
			  r.kind == kind_kernel))
			p.what = "region data size is wrong";
		else if (r.data_size &&
			 (r.data_offset != data_end ||
			  !fits(r.data_offset, r.data_size, h.file_size)))
			p.what = "region data is misplaced or beyond the end "
				 "of the image";
		if (p.what)
			return p;
		prev_end = r.end;
		if (r.data_size)
			data_end = r.data_offset + r.data_size;
	}
	if (data_end != h.file_size)
		return {"region data does not end where the image ends"};
	return {};
}

} // namespace image
