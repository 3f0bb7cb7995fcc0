// restorer --info: the image's header and sections as stable text, one
// "key: value" per line, then one line per region and one per thread.
#include <linux/signal.h>

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

ckpt::text &address(ckpt::text &t, uint64_t v)
{
	return v ? t.str("0x").hex(v) : t.str("none");
}

// thread TID [group leader] [taker]: context ..., frame ..., mask ...,
// altstack ..., tid address ..., robust list ..., rseq ..., name ...
void thread_line(const image::thread_record &th)
{
	char buf[512];
	ckpt::text t(buf, sizeof buf);
	t.str("thread ").udec(th.tid);
	if (th.flags & image::thread_group_leader)
		t.str(" group leader");
	if (th.flags & image::thread_taker)
		t.str(" taker");
	t.str(": context 0x").hex(th.context_addr).str(", frame ");
	address(t, th.signal_frame).str(", mask 0x").hex(th.sigmask);
	t.str(", altstack ");
	if (th.altstack.flags & SS_DISABLE)
		t.str("none");
	else
		t.str("0x").hex(th.altstack.sp).ch('+').udec(th.altstack.size);
	address(t.str(", tid address "), th.tid_address);
	address(t.str(", robust list "), th.robust_list);
	if (th.flags & image::thread_robust_unregistered)
		t.str(" (unregistered)");
	address(t.str(", rseq "), th.rseq_area);
	if (th.rseq_area)
		t.ch(' ').udec(th.rseq_len).str(" bytes signature 0x")
			.hex(th.rseq_sig);
	if (th.flags & image::thread_name)
		t.str(", name ").str(th.name);
	line(t);
}

} // namespace

void print_info()
{
	const image::header &h = g.header;
	const image::tables &tb = g.tables;
	const image::mm_fields &mm = tb.process->mm;
	char buf[4096 + 256];
	uint64_t stored = 0;
	for (uint32_t i = 0; i < g.tables.region_count; i++)
		stored += g.tables.regions[i].data_size;

	ckpt::text t(buf, sizeof buf);
	line(t.str("image: ").str(g.image_path));
	line(ckpt::text(buf, sizeof buf).str("format: ").udec(h.version));
	line(ckpt::text(buf, sizeof buf).str("arch: ").str(arch::name));
	line(ckpt::text(buf, sizeof buf).str("page size: ").udec(h.page_size));
	line(ckpt::text(buf, sizeof buf).str("file size: ").udec(h.file_size));
	line(ckpt::text(buf, sizeof buf).str("sections: ")
		     .udec(h.section_count));
	line(ckpt::text(buf, sizeof buf).str("regions: ").udec(tb.region_count));
	line(ckpt::text(buf, sizeof buf).str("bytes stored: ").udec(stored));
	line(ckpt::text(buf, sizeof buf).str("runs: ").udec(tb.run_count));
	if (tb.parent) {
		const image::parent_record &pr = *tb.parent;
		line(ckpt::text(buf, sizeof buf).str("parent: ")
			     .str(tb.strings + pr.name).str(", depth ")
			     .udec(pr.depth).str(", header checksum 0x")
			     .hex(pr.meta_crc).str(", inherited runs ")
			     .udec(tb.inherited_count));
	}
	if (mm.start_code) {
		range_line("code", mm.start_code, mm.end_code);
		range_line("data", mm.start_data, mm.end_data);
		range_line("brk", mm.start_brk, mm.brk);
		range_line("stack start", mm.start_stack, mm.start_stack);
	}
	line(ckpt::text(buf, sizeof buf)
		     .str("#   start-end                         prot kind   "
			  "stored name"));
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		ckpt::text l(buf, sizeof buf);
		l.udec(i).str(i < 10 ? "   " : i < 100 ? "  " : " ");
		l.hex(r.start, 16).ch('-').hex(r.end, 16).ch(' ');
		prot(l, r);
		l.ch(' ').str(image::kind_name(r.kind));
		for (size_t n = ckpt::str_len(image::kind_name(r.kind)); n < 7;
		     n++)
			l.ch(' ');
		l.udec(r.data_size).ch(' ').str(g.tables.strings + r.name);
		if (r.flags & image::region_guard)
			l.str(" [guard pages]");
		if (r.flags & image::region_file_private)
			l.str(" [from the file]");
		advice_info(l, r);
		shared_file_info(l, i);
		if (const char *what = image::kernel_object_name(
			    g.tables.strings + r.name))
			l.str(" [").str(what).str(": not restored]");
		line(l);
	}
	line(ckpt::text(buf, sizeof buf).str("threads: ")
		     .udec(tb.thread_count));
	for (uint32_t i = 0; i < tb.thread_count; i++)
		thread_line(tb.threads[i]);
	print_attrs_info();
	print_process_info();
}

} // namespace restorer
