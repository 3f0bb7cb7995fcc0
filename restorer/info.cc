// restorer --info: the image's header and region table as stable text,
// one "key: value" per line, then one line per region.
#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/str.h"

namespace restorer {

namespace {

void line(ckpt::text &t)
{
	t.ch('\n');
	ckpt::print_out(t);
}

void prot(ckpt::text &t, const image::region &r)
{
	t.ch(r.prot & PROT_READ ? 'r' : '-');
	t.ch(r.prot & PROT_WRITE ? 'w' : '-');
	t.ch(r.prot & PROT_EXEC ? 'x' : '-');
	t.ch(r.flags & image::region_shared ? 's' : 'p');
}

void range_line(const char *key, uint64_t start, uint64_t end)
{
	char buf[128];
	ckpt::text t(buf, sizeof buf);
	t.str(key).str(": 0x").hex(start).str("-0x").hex(end);
	line(t);
}

} // namespace

void print_info()
{
	const image::header &h = g.header;
	char buf[4096 + 256];
	uint64_t stored = 0;
	for (uint32_t i = 0; i < h.region_count; i++)
		stored += g.regions[i].data_size;

	ckpt::text t(buf, sizeof buf);
	line(t.str("image: ").str(g.image_path));
	line(ckpt::text(buf, sizeof buf).str("format: ").udec(h.version));
	line(ckpt::text(buf, sizeof buf).str("arch: ").str(arch::name));
	line(ckpt::text(buf, sizeof buf).str("page size: ").udec(h.page_size));
	line(ckpt::text(buf, sizeof buf).str("file size: ").udec(h.file_size));
	line(ckpt::text(buf, sizeof buf).str("regions: ").udec(h.region_count));
	line(ckpt::text(buf, sizeof buf).str("bytes stored: ").udec(stored));
	line(ckpt::text(buf, sizeof buf).str("runs: ").udec(h.run_count));
	line(ckpt::text(buf, sizeof buf).str("context: 0x").hex(h.context_addr));
	if (h.mm.start_code) {
		range_line("code", h.mm.start_code, h.mm.end_code);
		range_line("data", h.mm.start_data, h.mm.end_data);
		range_line("brk", h.mm.start_brk, h.mm.brk);
		range_line("stack start", h.mm.start_stack, h.mm.start_stack);
	}
	line(ckpt::text(buf, sizeof buf)
		     .str("#   start-end                         prot kind   "
			  "stored name"));
	for (uint32_t i = 0; i < h.region_count; i++) {
		const image::region &r = g.regions[i];
		ckpt::text l(buf, sizeof buf);
		l.udec(i).str(i < 10 ? "   " : i < 100 ? "  " : " ");
		l.hex(r.start, 16).ch('-').hex(r.end, 16).ch(' ');
		prot(l, r);
		l.ch(' ').str(image::kind_name(r.kind));
		for (size_t n = ckpt::str_len(image::kind_name(r.kind)); n < 7;
		     n++)
			l.ch(' ');
		l.udec(r.data_size).ch(' ').str(g.strings + r.name);
		if (r.flags & image::region_guard)
			l.str(" [guard pages]");
		line(l);
	}
	print_process_info();
}

} // namespace restorer
