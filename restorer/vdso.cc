// The kernel's [vvar]/[vvar_vclock]/[vdso] block: the restorer's own copy
// moves to where the app had it. The vdso finds vvar by PC-relative
// addressing, so the block moves as a whole, and glibc holds pointers
// into the vdso, so it must land at the app's addresses exactly.
#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/maps.h"
#include "runtime/str.h"

namespace restorer {

namespace {

using piece = vdso_piece;

constexpr int max_pieces = 8;
piece mine[max_pieces];
int mine_count;

bool is_kernel_mapping(const ckpt::map_entry &e)
{
	return e.named("[vdso]") || e.named("[vvar]") ||
	       e.named("[vvar_vclock]");
}

void describe(ckpt::text &t, const piece *p, int n)
{
	if (!n)
		t.str("none");
	for (int i = 0; i < n; i++) {
		t.str(i ? ", " : "").str(p[i].name, p[i].name_len).ch(' ')
			.udec((p[i].end - p[i].start) >> 10).ch('K');
		if (i)
			t.str(" at +0x").hex(p[i].start - p[0].start);
	}
}

int image_pieces(piece *out)
{
	int n = 0;
	for (uint32_t i = 0; i < g.tables.region_count && n < max_pieces;
	     i++) {
		const image::region &r = g.tables.regions[i];
		if (r.kind != image::kind_kernel)
			continue;
		const char *name = g.tables.strings + r.name;
		out[n++] = {name, ckpt::str_len(name), r.start, r.end};
	}
	return n;
}

bool same_layout(const piece *a, int na, const piece *b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++) {
		if (a[i].name_len != b[i].name_len ||
		    memcmp(a[i].name, b[i].name, a[i].name_len) != 0 ||
		    a[i].end - a[i].start != b[i].end - b[i].start ||
		    a[i].start - a[0].start != b[i].start - b[0].start)
			return false;
	}
	return true;
}

} // namespace

bool check_vdso_layout(const vdso_piece *now, int now_count, ckpt::text &err)
{
	piece theirs[max_pieces];
	int n = image_pieces(theirs);
	if (!n || same_layout(now, now_count, theirs, n))
		return true;
	message(err).str("the image's vdso block (");
	describe(err, theirs, n);
	err.str(") differs from this kernel's (");
	describe(err, now, now_count);
	err.str("): restore on the kernel that wrote the image\n");
	return false;
}

bool check_vdso(ckpt::text &err)
{
	ckpt::maps_scanner scan(g.maps, ckpt::str_len(g.maps));
	ckpt::map_entry e;
	mine_count = 0;
	while (scan.next(&e)) {
		if (is_kernel_mapping(e) && mine_count < max_pieces)
			mine[mine_count++] = {e.name, e.name_len, e.start,
					      e.end};
	}
	return check_vdso_layout(mine, mine_count, err);
}

void move_vdso()
{
	piece theirs[max_pieces];
	int n = image_pieces(theirs);
	char buf[256];
	ckpt::text err(buf, sizeof buf);
	if (!n) {
		for (int i = 0; i < mine_count; i++)
			sys::munmap(mine[i].start, mine[i].end - mine[i].start);
		return;
	}
	if (mine[0].start == theirs[0].start)
		return;
	// Moving a piece onto the old place of another would unmap that
	// one: if the blocks overlap, first let the kernel put each piece
	// anywhere, then move it home.
	const range target = {theirs[0].start, theirs[n - 1].end};
	if (target.overlaps(mine[0].start, mine[n - 1].end)) {
		for (int i = 0; i < n; i++) {
			uint64_t len = mine[i].end - mine[i].start;
			long addr = sys::mremap(mine[i].start, len, len,
						MREMAP_MAYMOVE, 0);
			if (sys::failed(addr))
				die(message(err).str("cannot move [vdso]: ")
					    .errno_name(addr).ch('\n'));
			mine[i].start = addr;
			mine[i].end = addr + len;
		}
	}
	for (int i = 0; i < n; i++) {
		uint64_t len = mine[i].end - mine[i].start;
		long addr = sys::mremap(mine[i].start, len, len,
					MREMAP_MAYMOVE | MREMAP_FIXED,
					theirs[i].start);
		if ((uint64_t)addr != theirs[i].start)
			die(message(err).str("cannot move ")
				    .str(mine[i].name, mine[i].name_len)
				    .str(" to 0x").hex(theirs[i].start)
				    .str(": ").errno_name(addr).ch('\n'));
	}
}

} // namespace restorer
