// What the restorer itself reads, writes or jumps through in the app's
// memory: the resume record and, of each thread, the saved context,
// glibc's tid word, the rseq area, the signal frame and the robust list
// head. Their regions are always read and checked,
// --lazy or not, and the register values are checked against this CPU
// before the point of no return (and again once in place).
#include <linux/errno.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/crc32c.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

struct span {
	uint64_t addr, len;
};

// Thread t's records, as address ranges (len 0: absent). The frame's
// start only: its region is the stack, which is always read.
constexpr int spans_per_thread = 5;
void thread_records(const image::thread_record &t,
		    span out[spans_per_thread])
{
	out[0] = {t.context_addr, sizeof(arch::context)};
	out[1] = {t.tid_address, t.tid_address ? 4u : 0u};
	out[2] = {t.rseq_area, t.rseq_area ? t.rseq_len : 0u};
	out[3] = {t.signal_frame, t.signal_frame ? 1u : 0u};
	out[4] = {t.robust_list, t.robust_list ? 3 * sizeof(uint64_t) : 0};
}

// The index of the region holding addr, or -1.
long region_of(uint64_t addr)
{
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if (r.start <= addr && addr < r.end)
			return i;
	}
	return -1;
}

const image::run *first_run(uint32_t region)
{
	const image::run *run = g.tables.runs;
	for (uint32_t i = 0; i < region; i++)
		run += g.tables.regions[i].run_count;
	return run;
}

// Reads app memory from the image's stored runs (one region).
bool read_from_image(uint64_t addr, void *buf, size_t len)
{
	long i = region_of(addr);
	if (i < 0 || len > g.tables.regions[i].end - addr)
		return false;
	const image::region &r = g.tables.regions[i];
	const image::run *run = first_run((uint32_t)i);
	uint64_t file_off = r.data_offset;
	char *out = static_cast<char *>(buf);
	for (uint32_t k = 0; k < r.run_count && len; k++, run++) {
		const uint64_t a = r.start + run->offset;
		if (addr >= a && addr < a + run->length) {
			uint64_t n = a + run->length - addr;
			if (n > len)
				n = len;
			if (ckpt::pread_full(g.fd, out, n,
					     file_off + (addr - a)) != (long)n)
				return false;
			out += n;
			addr += n;
			len -= n;
		}
		file_off += run->length;
	}
	return len == 0;
}

// Reads app memory in place, once restored: only readable regions.
bool read_from_memory(uint64_t addr, void *buf, size_t len)
{
	long i = region_of(addr);
	if (i < 0 || len > g.tables.regions[i].end - addr ||
	    !(g.tables.regions[i].prot & PROT_READ))
		return false;
	memcpy(buf, reinterpret_cast<const void *>(addr), len);
	return true;
}

// The region's data checksum, read from the image.
bool region_data_intact(uint32_t i)
{
	const image::region &r = g.tables.regions[i];
	char buf[16 << 10];
	uint32_t crc = 0;
	for (uint64_t off = 0; off < r.data_size; off += sizeof buf) {
		uint64_t n = r.data_size - off < sizeof buf ? r.data_size - off
							     : sizeof buf;
		if (ckpt::pread_full(g.fd, buf, n, r.data_offset + off) !=
		    (long)n)
			return false;
		crc = ckpt::crc32c(crc, buf, n);
	}
	return crc == r.data_crc;
}

const char *registers_fault(const image::thread_record &t,
			    arch::app_reader read)
{
	arch::context ctx;
	if (!read(t.context_addr, &ctx, sizeof ctx))
		return "the saved registers are not in the image";
	if (const char *why = arch::context_fault(ctx))
		return why;
	return arch::frame_fault(t.signal_frame, read);
}

// The first thread whose registers this CPU would fault on: its index,
// or -1; *why says what.
long registers_fault(arch::app_reader read, const char **why)
{
	for (uint32_t i = 0; i < g.tables.thread_count; i++) {
		*why = registers_fault(g.tables.threads[i], read);
		if (*why)
			return i;
	}
	return -1;
}

ckpt::text &cannot_resume(ckpt::text &t, long i, const char *why)
{
	return message(t).str("thread ").dec(i).str(" (tid ")
		.udec(g.tables.threads[i].tid).str("): cannot resume: ")
		.str(why).ch('\n');
}

} // namespace

bool holds_record(const image::region &r)
{
	const range in = {r.start, r.end};
	const uint64_t resume = g.tables.process->resume_addr;
	if (in.overlaps(resume, resume + sizeof(image::resume_args)))
		return true;
	for (uint32_t i = 0; i < g.tables.thread_count; i++) {
		span s[spans_per_thread];
		thread_records(g.tables.threads[i], s);
		for (const span &x : s) {
			if (x.len && in.overlaps(x.addr, x.addr + x.len))
				return true;
		}
	}
	return false;
}

bool check_records(ckpt::text &err)
{
	// The other regions' checksums are checked as they are read (or,
	// with --lazy, never); these are checked here, whatever the mode.
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if (!holds_record(r) || region_data_intact(i))
			continue;
		message(err).str("region ").udec(i).str(" at 0x").hex(r.start)
			.str(": ")
			.str(image::describe(image::fault::data_crc_mismatch))
			.str("; it holds the runtime's saved state\n");
		return false;
	}
	const char *why;
	if (long i = registers_fault(read_from_image, &why); i >= 0) {
		cannot_resume(err, i, why);
		return false;
	}
	return true;
}

void recheck_records()
{
	const char *why;
	if (long i = registers_fault(read_from_memory, &why); i >= 0) {
		char buf[512];
		ckpt::text t(buf, sizeof buf);
		die(cannot_resume(t, i, why));
	}
}

} // namespace restorer
