// libFuzzer target: everything the restorer decides about an image before
// it changes anything in the system, on arbitrary bytes, in the order
// restorer/load.cc and main.cc apply it: the header, the section directory,
// the sections and the runtime's records (runtime/image.cc), the data
// checksums (as restore.cc checks them), then `restorer --info`
// (restorer/info.cc, process.cc, files.cc: the fd policy). Images of every
// architecture are checked for their own (image::target).
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

// What `restorer --info` prints, into fuzz::out.
void print_info(const image::header &h, const std::vector<char> &meta,
		const image::tables &tb)
{
	restorer::state &g = restorer::g;
	strcpy(g.image_path, "fuzz.ckpt");
	g.header = h;
	g.meta = meta.data();
	g.tables = tb;
	fuzz::out_len = 0;
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

// The decisions that need no system change beyond the tables, after
// check_runtime_state(). Being rewritten now by others, to be called here
// once they land (README.md, "Fuzzing the image checks"): the vdso layout
// check against a given kernel layout, the fd reopen decisions of
// prepare_files() for given file facts, the rlimit plan for given current
// limits, and the saved registers against this CPU:
//   arch::context_fault(ctx) and arch::frame_fault(t.signal_frame,
//   read_app) of each thread, for images of the host's architecture.
void plan(const fuzz::view &v, const image::tables &tb)
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
}

// Whether [p, p + len) lies inside the metadata.
bool in_meta(const std::vector<char> &meta, const void *p, uint64_t len)
{
	const char *c = static_cast<const char *>(p);
	return c >= meta.data() && len <= (uint64_t)(meta.data() + meta.size() - c);
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
	for (uint32_t i = 0; i < tb.fd_count; i++) {
		touch(image::fd_kind_name(tb.fds[i].kind));
		touch(tb.strings + tb.fds[i].name);
	}
	for (uint32_t i = 0; i < tb.thread_count; i++)
		touch(tb.threads[i].name);
	touch(tb.strings + tb.process->process.cwd);
	current = {data, &tb};
	plan(v, tb);
	print_info(h, meta, tb);
	return verdict(v, {});
}
