// libFuzzer target: everything the restorer decides about an image before
// it changes anything in the system, on arbitrary bytes, in the order
// restorer/load.cc and main.cc apply it: the header, the tables and the
// runtime's records (runtime/image.cc), the planning before the point of
// no return (the vdso layout, the rlimit plan, the runtime's records and
// registers: restorer/vdso.cc, process.cc, records.cc,
// arch/<host>/registers.cc), `restorer --info` (restorer/info.cc,
// process.cc, files.cc: the fd policy), then the data checksums (as
// restore.cc checks them). Images of every architecture are checked for
// their own (image::target); their registers only on a host of theirs.
//
// The mutator (mutator.cc) fixes up the checksums after each mutation, so
// that mutated tables get past meta_crc to every later check, while the
// checksum code itself still runs on every input.
//
// A crash or a sanitizer report is a bug; so is an accepted image whose
// tables or data reach outside the file (__builtin_trap below).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "restorer/restorer.h"
#include "runtime/crc32c.h"
#include "runtime/image.h"
#include "tests/fuzz/fuzz.h"

namespace {

// memcpy, for tables that may be empty (an empty vector's data() may
// be null, which memcpy may not get).
void copy(void *to, const void *from, size_t len)
{
	if (len)
		memcpy(to, from, len);
}

void touch(const char *s)
{
	// Reading the whole message finds a bad index into the table.
	volatile size_t n = strlen(s);
	(void)n;
}

// CKPT_FUZZ_VERDICT=1: one line per input on stderr (accepted, or the
// refusal), and at exit how often each refusal was seen: the proof that
// mutated images reach each check.
bool verdicts;
uint64_t seen[(int)image::fault::count + 1];
uint64_t refusals; // by the planning (plan()), counted apart

void print_seen()
{
	fprintf(stderr, "verdicts:\n");
	for (int f = 0; f <= (int)image::fault::count; f++) {
		if (!seen[f])
			continue;
		fprintf(stderr, "  %s: %llu\n",
			f == (int)image::fault::count
				? "accepted"
				: image::describe((image::fault)f),
			(unsigned long long)seen[f]);
	}
	if (refusals)
		fprintf(stderr, "  refused by the planning: %llu\n",
			(unsigned long long)refusals);
}

int verdict(const fuzz::view &v, const image::problem &p)
{
	int f = p.what == image::fault::none ? (int)image::fault::count
					     : (int)p.what;
	seen[f]++;
	touch(image::describe(p.what));
	if (verdicts) {
		if (p.what == image::fault::none)
			fprintf(stderr, "verdict: %s %uK: accepted\n", v.name,
				v.page_size / 1024);
		else
			fprintf(stderr, "verdict: %s %uK: region %ld: %s\n",
				v.name, v.page_size / 1024, p.region,
				image::describe(p.what));
	}
	return 0;
}

int refused(const fuzz::view &v, const ckpt::text &err)
{
	refusals++;
	touch(err.c_str());
	if (verdicts)
		fprintf(stderr, "verdict: %s %uK: planning: %s", v.name,
			v.page_size / 1024, err.c_str());
	return 0;
}

// The restorer's tables: arrays in its state today, pointers into a
// mapping of their own once the tables are sized by the header.
template <class T, size_t N>
void use_table(T (&table)[N], std::vector<T> &v)
{
	copy(table, v.data(), v.size() * sizeof(T));
}
template <class T> void use_table(T *&table, std::vector<T> &v)
{
	table = v.data();
}

// The image, as load.cc leaves it in the restorer's state.
void load(const image::header &h, std::vector<image::region> &regions,
	  std::vector<image::run> &runs, std::vector<image::fd_entry> &fds,
	  std::vector<char> &strings)
{
	restorer::state &g = restorer::g;
	strcpy(g.image_path, "fuzz.ckpt");
	g.page_size = h.page_size;
	g.header = h;
	use_table(g.regions, regions);
	use_table(g.runs, runs);
	use_table(g.fds, fds);
	use_table(g.strings, strings);
	fuzz::out_len = 0;
}

// What `restorer --info` prints (with the warnings before it), into
// fuzz::out.
void print_info()
{
	restorer::print_info();
	if (verdicts)
		fwrite(fuzz::out, 1, fuzz::out_len, stdout);
}

// The accepted image being checked, for read_app().
struct {
	const uint8_t *data;
	const image::header *h;
	const image::region *regions;
	const image::run *runs;
} current;

// Reads len bytes of the app's memory at addr from the image's stored
// data (an arch::app_reader); false where the image stores none.
bool read_app(uint64_t addr, void *buf, size_t len)
{
	const auto &c = current;
	uint32_t first = 0;
	for (uint32_t i = 0; i < c.h->region_count; i++) {
		const image::region &r = c.regions[i];
		if (addr < r.start || addr >= r.end) {
			first += r.run_count;
			continue;
		}
		uint64_t stored = 0;
		for (uint32_t k = 0; k < r.run_count; k++) {
			const image::run &u = c.runs[first + k];
			uint64_t off = addr - r.start;
			if (off >= u.offset && off - u.offset < u.length) {
				if (len > u.length - (off - u.offset))
					return false;
				memcpy(buf, c.data + r.data_offset + stored +
						    (off - u.offset), len);
				return true;
			}
			stored += u.length;
		}
		return false;
	}
	return false;
}

// The kernel's [vvar]/[vdso] blocks the image is checked against: x86_64
// before and since 6.13 ([vvar_vclock]), the 2-page vdso at the image's
// page size (as the seeds have it), and none (qemu-user).
struct layout {
	int count;
	uint32_t pages[3]; // of each piece, 0: the sizes are in bytes
	uint64_t bytes[3];
	const char *names[3];
};
constexpr layout layouts[] = {
	{2, {0, 0}, {16 << 10, 8 << 10}, {"[vvar]", "[vdso]"}},
	{3, {0, 0, 0}, {16 << 10, 8 << 10, 8 << 10},
	 {"[vvar]", "[vvar_vclock]", "[vdso]"}},
	{2, {4, 2}, {0, 0}, {"[vvar]", "[vdso]"}},
	{2, {2, 4}, {0, 0}, {"[vdso]", "[vvar]"}},
	{0, {}, {}, {}},
};

void check_vdso_layouts(const fuzz::view &v)
{
	for (const layout &l : layouts) {
		restorer::vdso_piece now[3];
		uint64_t at = 0x7ffff7fc0000;
		for (int i = 0; i < l.count; i++) {
			uint64_t len = l.pages[i] ? (uint64_t)l.pages[i] *
							    v.page_size
						  : l.bytes[i];
			now[i] = {l.names[i], strlen(l.names[i]), at, at + len};
			at += len;
		}
		char buf[1024];
		ckpt::text err(buf, sizeof buf);
		if (!restorer::check_vdso_layout(now, l.count, err))
			touch(err.c_str());
	}
}

// The rlimit plan for each limit the image knows, against a few current
// limits, raising the hard one allowed (0) or refused (-EPERM).
void plan_limits(const image::header &h)
{
	constexpr uint64_t inf = ~0ull;
	const image::process_state &p = h.process;
	for (int r = 0; r < image::rlimit_count; r++) {
		if (!(p.rlimits_known & (1u << r)))
			continue;
		const sys::rlimit want = p.rlimits[r];
		const sys::rlimit nows[] = {
			{inf, inf}, {1024, 4096}, {0, 0}, want, {want.max, want.cur}};
		for (const sys::rlimit &now : nows) {
			for (long raised : {0l, -1l /* EPERM */}) {
				sys::rlimit got =
					restorer::plan_limit(r, want, now, raised);
				// The image's hard limit, or the one that is
				// if raising it was refused; a soft limit
				// never above the image's nor the hard one.
				uint64_t max = raised < 0 && want.max > now.max
						       ? now.max
						       : want.max;
				if (got.max != max || got.cur > got.max ||
				    got.cur > want.cur)
					__builtin_trap();
			}
		}
	}
}

// The decisions that need no system change beyond the tables, after
// check_runtime_state(), as restore.cc takes them before the point of no
// return: the vdso layout against given kernel layouts, the rlimit plan
// for given current limits, and, for images of the host's architecture,
// the runtime's records (their regions' checksums, the saved registers
// and the signal frame against this CPU: check_records). False, with the
// reason in err, where check_records refuses the image.
bool plan(const fuzz::view &v, const image::header &h, ckpt::text &err)
{
	// check_runtime_state() promises that the runtime's records are
	// stored: the restorer reads the context and writes the resume
	// record there.
	uint8_t ctx[512];
	uint8_t resume[sizeof(image::resume_args)];
	if (v.target.context_size > sizeof ctx ||
	    !read_app(h.context_addr, ctx, v.target.context_size) ||
	    !read_app(h.resume_addr, resume, sizeof resume))
		__builtin_trap();
	check_vdso_layouts(v);
	plan_limits(h);
	if (h.machine != image::this_machine.elf_machine)
		return true; // arch::context_fault is the host's
	restorer::g.fd = fuzz::image_fd;
	return restorer::check_records(err);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	ckpt::crc32c_init(nullptr);
	const char *v = getenv("CKPT_FUZZ_VERDICT");
	verdicts = v && *v == '1';
	if (verdicts)
		atexit(print_seen);
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	image::header h;
	if (size < sizeof h)
		return 0; // load.cc refuses these as "too short" or "truncated"
	memcpy(&h, data, sizeof h);
	// The names take any value: a message may name an unchecked field.
	touch(image::kind_name(data[size - 1] % 8));
	touch(image::fd_kind_name(data[size - 2] % 16));
	touch(image::describe((image::fault)(data[size - 3] % 64)));
	const fuzz::view v = fuzz::view_of(h);
	image::problem p = image::check_header(h, size, v.page_size, v.target);
	if (p.what != image::fault::none)
		return verdict(v, p);

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
	copy(regions.data(), data + h.table_offset, table_size);
	std::vector<image::run> runs(h.run_count);
	copy(runs.data(), data + h.runs_offset, runs_size);
	std::vector<image::fd_entry> fds(h.fd_count);
	copy(fds.data(), data + h.fds_offset, fds_size);
	std::vector<char> strings(data + h.strings_offset,
				  data + h.strings_offset + h.strings_size);

	p = image::check_tables(h, regions.data(), runs.data(), fds.data(),
				strings.data(), v.target);
	if (p.what == image::fault::none)
		p = image::check_runtime_state(h, regions.data(), runs.data(),
					       v.target);
	if (p.what != image::fault::none)
		return verdict(v, p);

	for (const image::fd_entry &e : fds) {
		touch(image::fd_kind_name(e.kind));
		touch(strings.data() + e.name);
	}
	touch(strings.data() + h.process.cwd);
	current = {data, &h, regions.data(), runs.data()};
	fuzz::file = data;
	fuzz::file_size = size;
	load(h, regions, runs, fds, strings);
	char buf[4096];
	ckpt::text err(buf, sizeof buf);
	bool ok = plan(v, h, err);
	print_info();
	if (!ok)
		return refused(v, err);

	// What the restorer then reads: each region's data, its checksum
	// checked as restore.cc checks it.
	for (uint32_t i = 0; i < h.region_count; i++) {
		const image::region &r = regions[i];
		touch(image::kind_name(r.kind));
		touch(strings.data() + r.name);
		if (!r.data_size)
			continue;
		if (r.data_offset + r.data_size > size)
			__builtin_trap();
		if (ckpt::crc32c(0, data + r.data_offset, r.data_size) !=
		    r.data_crc)
			return verdict(v, {image::fault::data_crc_mismatch,
					   (long)i, r.start});
	}
	return verdict(v, {});
}
