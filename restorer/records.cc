// What the restorer itself reads, writes or jumps through in the app's
// memory: the saved context, the resume record, glibc's tid word, the rseq
// area and the signal frame. Their regions are always read and checked,
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

// The records, as address ranges (len 0: absent).
int records(span out[5])
{
	const image::header &h = g.header;
	const image::process_state &p = h.process;
	out[0] = {h.context_addr, sizeof(arch::context)};
	out[1] = {h.resume_addr, sizeof(image::resume_args)};
	out[2] = {p.tid_address, p.tid_address ? 4u : 0u};
	out[3] = {p.rseq_area, p.rseq_area ? p.rseq_len : 0u};
	// The frame's start: its region is the stack, which is always read.
	out[4] = {h.signal_frame, h.signal_frame ? 1u : 0u};
	return 5;
}

// The index of the region holding addr, or -1.
long region_of(uint64_t addr)
{
	for (uint32_t i = 0; i < g.header.region_count; i++) {
		if (g.regions[i].start <= addr && addr < g.regions[i].end)
			return i;
	}
	return -1;
}

const image::run *first_run(uint32_t region)
{
	const image::run *run = g.runs;
	for (uint32_t i = 0; i < region; i++)
		run += g.regions[i].run_count;
	return run;
}

// Reads app memory from the image's stored runs (one region).
bool read_from_image(uint64_t addr, void *buf, size_t len)
{
	long i = region_of(addr);
	if (i < 0 || len > g.regions[i].end - addr)
		return false;
	const image::region &r = g.regions[i];
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
	if (i < 0 || len > g.regions[i].end - addr ||
	    !(g.regions[i].prot & PROT_READ))
		return false;
	memcpy(buf, reinterpret_cast<const void *>(addr), len);
	return true;
}

// The region's data checksum, read from the image.
bool region_data_intact(uint32_t i)
{
	const image::region &r = g.regions[i];
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

const char *registers_fault(arch::app_reader read)
{
	arch::context ctx;
	if (!read(g.header.context_addr, &ctx, sizeof ctx))
		return "the saved registers are not in the image";
	if (const char *why = arch::context_fault(ctx))
		return why;
	return arch::frame_fault(g.header.signal_frame, read);
}

} // namespace

bool holds_record(const image::region &r)
{
	span s[5];
	for (int k = records(s) - 1; k >= 0; k--) {
		if (s[k].len && range{r.start, r.end}.overlaps(s[k].addr,
							       s[k].addr + s[k].len))
			return true;
	}
	return false;
}

bool check_records(ckpt::text &err)
{
	// The other regions' checksums are checked as they are read (or,
	// with --lazy, never); these are checked here, whatever the mode.
	for (uint32_t i = 0; i < g.header.region_count; i++) {
		const image::region &r = g.regions[i];
		if (!holds_record(r) || region_data_intact(i))
			continue;
		message(err).str("region ").udec(i).str(" at 0x").hex(r.start)
			.str(": ")
			.str(image::describe(image::fault::data_crc_mismatch))
			.str("; it holds the runtime's saved state\n");
		return false;
	}
	if (const char *why = registers_fault(read_from_image)) {
		message(err).str("cannot resume: ").str(why).ch('\n');
		return false;
	}
	return true;
}

void recheck_records()
{
	if (const char *why = registers_fault(read_from_memory)) {
		char buf[512];
		ckpt::text t(buf, sizeof buf);
		die(message(t).str("cannot resume: ").str(why).ch('\n'));
	}
}

} // namespace restorer
