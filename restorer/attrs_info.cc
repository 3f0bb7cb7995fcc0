// restorer --info for section 23 and region advice (issue #13, part A):
// what the restore sets again, as text, and counts of it. Apart from attrs.cc and
// advice.cc, which act, so that the image fuzzer links it alone.
#include "restorer/advice.h"
#include "restorer/restorer.h"
#include "runtime/str.h"

namespace restorer {

uint32_t shared_file_count()
{
	uint32_t n = 0;
	for (uint32_t k = 0; k < g.tables.attr_count; k++) {
		const image::process_attr &a = g.tables.attrs[k];
		n += a.type == image::attr_shared_file && a.value == a.region;
	}
	return n;
}

void advice_info(ckpt::text &t, const image::region &r)
{
	for (const advice &a : advices) {
		if (r.flags & a.bit)
			t.str(" [").str(a.name).ch(']');
	}
	if (r.flags & image::region_lockonfault)
		t.str(" [locked on fault]");
	else if (r.flags & image::region_locked)
		t.str(" [locked]");
	if (r.flags & image::region_droppable)
		t.str(" [droppable]");
}

void shared_file_info(ckpt::text &t, uint32_t i)
{
	for (uint32_t k = 0; k < g.tables.attr_count; k++) {
		const image::process_attr &a = g.tables.attrs[k];
		if (a.type == image::attr_shared_file && a.region == i) {
			t.str(" [memfd");
			if (a.value != i)
				t.str(" of region ").udec((uint64_t)a.value);
			t.ch(']');
		}
	}
}

void print_attrs_info()
{
	char buf[256];
	for (uint32_t k = 0; k < g.tables.attr_count; k++) {
		const image::process_attr &a = g.tables.attrs[k];
		ckpt::text t(buf, sizeof buf);
		switch (a.type) {
		case image::attr_oom_score_adj:
			t.str("oom_score_adj: ").dec(a.value);
			break;
		case image::attr_thp_disable:
			t.str("thp disabled: yes");
			break;
		case image::attr_child_subreaper:
			t.str("child subreaper: yes");
			break;
		case image::attr_membarrier:
			t.str("membarrier registered:");
			if (a.value & image::membarrier_private_expedited)
				t.str(" private-expedited");
			if (a.value & image::membarrier_private_expedited_sync_core)
				t.str(" private-expedited-sync-core");
			if (a.value & image::membarrier_private_expedited_rseq)
				t.str(" private-expedited-rseq");
			break;
		default:
			continue;
		}
		ckpt::print_out(t.ch('\n'));
	}
}

} // namespace restorer
