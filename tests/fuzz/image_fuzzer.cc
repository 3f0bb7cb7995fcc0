// libFuzzer target: everything the restorer decides about an image before
// it changes anything in the system, on arbitrary bytes, in the order
// restorer/load.cc and main.cc apply it: the header, the section
// directory, the sections and the runtime's records (runtime/image.cc),
// the planning before the point of
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
			fprintf(stderr,
				"verdict: %s %uK: region %ld: thread %ld: %s\n",
				v.name, v.page_size / 1024, p.region, p.thread,
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

// The image, as load.cc leaves it in the restorer's state.
void load(const image::header &h, const std::vector<char> &meta,
	  const image::tables &tb)
{
	restorer::state &g = restorer::g;
	strcpy(g.image_path, "fuzz.ckpt");
	g.page_size = h.page_size;
	g.header = h;
	g.meta = meta.data();
	g.tables = tb;
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
	const image::tables *tb;
} current;

// Reads len bytes of the app's memory at addr from the image's stored
// data (an arch::app_reader); false where the image stores none.
bool read_app(uint64_t addr, void *buf, size_t len)
{
	const auto &c = current;
	uint32_t first = 0;
	for (uint32_t i = 0; i < c.tb->region_count; i++) {
		const image::region &r = c.tb->regions[i];
		if (addr < r.start || addr >= r.end) {
			first += r.run_count;
			continue;
		}
		uint64_t stored = 0;
		for (uint32_t k = 0; k < r.run_count; k++) {
			const image::run &u = c.tb->runs[first + k];
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

// Whether [p, p + len) lies inside the metadata.
bool in_meta(const std::vector<char> &meta, const void *p, uint64_t len)
{
	const char *c = static_cast<const char *>(p);
	return c >= meta.data() &&
	       len <= (uint64_t)(meta.data() + meta.size() - c);
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
void plan_limits(const image::tables &tb)
{
	constexpr uint64_t inf = ~0ull;
	const image::process_state &p = tb.process->process;
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
// the runtime's records (their regions' checksums, each thread's saved
// registers and signal frame against this CPU: check_records). False, with the
// reason in err, where check_records refuses the image.
bool plan(const fuzz::view &v, const image::header &h,
	  const image::tables &tb, ckpt::text &err)
{
	// check_runtime_state() promises that the runtime's records are
	// stored: the restorer reads each thread's context and writes the
	// resume record there.
	uint8_t ctx[512];
	uint8_t resume[sizeof(image::resume_args)];
	if (v.target.context_size > sizeof ctx ||
	    !read_app(tb.process->resume_addr, resume, sizeof resume))
		__builtin_trap();
	for (uint32_t i = 0; i < tb.thread_count; i++) {
		if (!read_app(tb.threads[i].context_addr, ctx,
			      v.target.context_size))
			__builtin_trap();
	}
	check_vdso_layouts(v);
	plan_limits(tb);
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

	// check_header promises that the metadata lies inside the file. The
	// restorer reads it into memory of its own: a copy of exactly its
	// size, so that the sanitizer sees any read beyond it.
	if (h.meta_size > size || h.meta_size < sizeof h)
		__builtin_trap();
	std::vector<char> meta(data, data + h.meta_size);
	image::tables tb;
	p = image::find_sections(h, meta.data(), &tb);
	if (p.what == image::fault::none) {
		// find_sections promises that every section lies inside it.
		if (!in_meta(meta, tb.process, sizeof *tb.process) ||
		    !in_meta(meta, tb.threads,
			     (uint64_t)tb.thread_count * sizeof *tb.threads) ||
		    !in_meta(meta, tb.regions,
			     (uint64_t)tb.region_count * sizeof *tb.regions) ||
		    !in_meta(meta, tb.runs,
			     (uint64_t)tb.run_count * sizeof *tb.runs) ||
		    !in_meta(meta, tb.fds,
			     (uint64_t)tb.fd_count * sizeof *tb.fds) ||
		    !in_meta(meta, tb.strings, tb.strings_size))
			__builtin_trap();
		p = image::check_tables(h, tb, v.target);
	}
	if (p.what == image::fault::none)
		p = image::check_runtime_state(h, tb, v.target);
	if (p.what != image::fault::none)
		return verdict(v, p);

	for (uint32_t i = 0; i < tb.fd_count; i++) {
		touch(image::fd_kind_name(tb.fds[i].kind));
		touch(tb.strings + tb.fds[i].name);
	}
	for (uint32_t i = 0; i < tb.thread_count; i++)
		touch(tb.threads[i].name);
	touch(tb.strings + tb.process->process.cwd);
	current = {data, &tb};
	fuzz::file = data;
	fuzz::file_size = size;
	load(h, meta, tb);
	char buf[4096];
	ckpt::text err(buf, sizeof buf);
	bool ok = plan(v, h, tb, err);
	print_info();
	if (!ok)
		return refused(v, err);

	// What the restorer then reads: each region's data, its checksum
	// checked as restore.cc checks it.
	for (uint32_t i = 0; i < tb.region_count; i++) {
		const image::region &r = tb.regions[i];
		touch(image::kind_name(r.kind));
		touch(tb.strings + r.name);
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
