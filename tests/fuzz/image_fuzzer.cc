// libFuzzer target: the restorer's image validation (runtime/image.cc) on
// arbitrary bytes, in the order restorer/load.cc applies it. A crash or a
// sanitizer report is a bug; so is a header check that lets the tables
// reach outside the file.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "runtime/crc32c.h"
#include "runtime/image.h"

namespace {

constexpr uint32_t page_size = 4096;

void touch(const char *s)
{
	// Reading the whole message finds a bad index into the table.
	volatile size_t n = strlen(s);
	(void)n;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	ckpt::crc32c_init(nullptr);
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	image::header h;
	if (size < sizeof h)
		return 0; // load.cc refuses these as "too short" or "truncated"
	memcpy(&h, data, sizeof h);
	image::problem p = image::check_header(h, size, page_size);
	touch(image::describe(p.what));
	if (p.what != image::fault::none)
		return 0;

	// check_header promises that the tables lie inside the file.
	uint64_t table_size = (uint64_t)h.region_count * sizeof(image::region);
	uint64_t runs_size = (uint64_t)h.run_count * sizeof(image::run);
	uint64_t fds_size = (uint64_t)h.fd_count * sizeof(image::fd_entry);
	if (h.table_offset + table_size > size ||
	    h.runs_offset + runs_size > size ||
	    h.fds_offset + fds_size > size ||
	    h.strings_offset + h.strings_size > size)
		__builtin_trap();
	std::vector<image::region> regions(h.region_count);
	memcpy(regions.data(), data + h.table_offset, table_size);
	std::vector<image::run> runs(h.run_count);
	memcpy(runs.data(), data + h.runs_offset, runs_size);
	std::vector<image::fd_entry> fds(h.fd_count);
	memcpy(fds.data(), data + h.fds_offset, fds_size);
	std::vector<char> strings(data + h.strings_offset,
				  data + h.strings_offset + h.strings_size);

	p = image::check_tables(h, regions.data(), runs.data(), fds.data(),
				strings.data());
	if (p.what == image::fault::none)
		p = image::check_runtime_state(h, regions.data(), runs.data());
	touch(image::describe(p.what));
	if (p.what != image::fault::none)
		return 0;
	// What --info and the restorer then read.
	for (const image::region &r : regions) {
		touch(image::kind_name(r.kind));
		touch(strings.data() + r.name);
		if (r.data_size && r.data_offset + r.data_size > size)
			__builtin_trap();
	}
	for (const image::fd_entry &e : fds) {
		touch(image::fd_kind_name(e.kind));
		touch(strings.data() + e.name);
	}
	touch(strings.data() + h.process.cwd);
	return 0;
}
