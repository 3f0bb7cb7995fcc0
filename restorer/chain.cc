// Incremental images: an image with a parent (section 27) stores, of its
// region_incremental regions, only the pages written since the parent;
// the pages of its inherited runs are the parent's at the same addresses,
// and so on up to a full image. load_chain() opens every ancestor and
// checks it before the point of no return (the one recorded: its header
// checksum; whole; inheriting only what its parent had); fill_chain()
// then gives the regions their pages, oldest image first: each image's
// own runs are read (or, --lazy, mapped) over what the older ones gave,
// and the pages it has neither stored nor inherited are zeroed (dropped
// since, by munmap or MADV_DONTNEED). Every run of every image is read
// whole, eagerly, so that each region's checksum is checked.
#include <linux/errno.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/crc32c.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

struct link {
	int fd;
	image::header header;
	image::tables tables;
};

// chain[0] is the newest image's parent, chain[count - 1] the full one.
link chain[image::max_chain];
uint32_t chain_count;
char path_buf[4096 + 512];
char bounce[256 << 10];

bool refuse(ckpt::text &err, const char *what, long ret = 0)
{
	message(err).str("parent image ").str(path_buf).str(": ").str(what);
	if (ret < 0)
		err.str(": ").errno_name(ret);
	err.ch('\n');
	return false;
}

// path_buf: the directory of the newest image, then name.
bool parent_path(const char *name)
{
	const char *img = g.image_path;
	size_t n = ckpt::str_len(img), slash = n;
	while (slash && img[slash - 1] != '/')
		slash--;
	const size_t len = ckpt::str_len(name);
	if (slash + len + 1 > sizeof path_buf)
		return false;
	memcpy(path_buf, img, slash);
	memcpy(path_buf + slash, name, len + 1);
	return true;
}

} // namespace

// The region of tb that holds addr, or nullptr (binary search: sorted).
const image::region *region_at(const image::tables &tb, uint64_t addr)
{
	uint32_t lo = 0, hi = tb.region_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const image::region &r = tb.regions[mid];
		if (addr < r.start)
			hi = mid;
		else if (addr >= r.end)
			lo = mid + 1;
		else
			return &r;
	}
	return nullptr;
}

// Private anonymous memory: what may be inherited.
bool inheritable(const image::region &r)
{
	return r.kind != image::kind_file && r.kind != image::kind_kernel &&
	       !(r.flags & (image::region_shared | image::region_file_backed |
			    image::region_content | image::region_guard));
}

namespace {

// Every inherited run of child lies in inheritable regions of parent.
bool inherits_what_parent_has(const image::tables &child,
			      const image::tables &parent)
{
	for (uint32_t k = 0; k < child.inherited_count; k++) {
		const image::inherited_run &u = child.inherited[k];
		const image::region &r = child.regions[u.region];
		uint64_t a = r.start + u.offset, end = a + u.length;
		while (a < end) {
			const image::region *p = region_at(parent, a);
			if (!p || !inheritable(*p))
				return false;
			a = p->end;
		}
	}
	return true;
}

// Opens, checks and maps the metadata of the image at path_buf into l,
// at *at (advanced); false with the reason in err.
bool open_link(ckpt::text &err, link &l, uint64_t *at)
{
	long fd = sys::open(path_buf, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return refuse(err, "cannot open it (a chain needs every image "
				   "it was made of)", fd);
	l.fd = (int)fd;
	uint64_t size;
	long ret;
	if (const char *why = untrusted_image(l.fd, &size, &ret))
		return refuse(err, why, ret);
	image::header &h = l.header;
	if (size < sizeof h ||
	    ckpt::pread_full(l.fd, &h, sizeof h, 0) != (long)sizeof h)
		return refuse(err, "image is truncated");
	image::problem p = image::check_header(h, size, g.page_size);
	if (p.what != image::fault::none)
		return refuse(err, image::describe(p.what));
	const uint64_t len = (h.meta_size + g.page_size - 1) &
			     ~(uint64_t)(g.page_size - 1);
	long addr = sys::mmap(*at, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			      -1, 0);
	if ((uint64_t)addr != *at) {
		if (!sys::failed(addr))
			sys::munmap(addr, len);
		return refuse(err, "cannot map room for its tables",
			      sys::failed(addr) ? addr : -EEXIST);
	}
	char *meta = reinterpret_cast<char *>(addr);
	*at += len;
	g.tables_len += len;
	if (ckpt::pread_full(l.fd, meta, h.meta_size, 0) != (long)h.meta_size)
		return refuse(err, "image is truncated");
	p = image::find_sections(h, meta, &l.tables);
	if (p.what == image::fault::none)
		p = image::check_tables(h, l.tables);
	if (p.what != image::fault::none)
		return refuse(err, image::describe(p.what));
	return true;
}

const image::tables &tables_of(uint32_t k) { return chain_tables(k); }
int fd_of(uint32_t k) { return chain_fd(k); }

// The newest image's region_incremental regions are the targets: the
// only memory the older images' pages go to.
const image::region *target_at(uint64_t addr)
{
	const image::region *r = region_at(g.tables, addr);
	return r && (r->flags & image::region_incremental) ? r : nullptr;
}

// The end of the target (or non-target) stretch that starts at addr.
uint64_t stretch_end(uint64_t addr, uint64_t end, const image::region *t)
{
	if (t)
		return t->end < end ? t->end : end;
	uint32_t lo = 0, hi = g.tables.region_count;
	while (lo < hi) { // the first region starting after addr
		uint32_t mid = lo + (hi - lo) / 2;
		if (g.tables.regions[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < g.tables.region_count; lo++) {
		const image::region &r = g.tables.regions[lo];
		if (r.start >= end)
			break;
		if (r.flags & image::region_incremental)
			return r.start;
	}
	return end;
}

[[noreturn]] void link_failed(uint32_t k, const image::region &r,
			      const char *what, long ret)
{
	char buf[512];
	ckpt::text t(buf, sizeof buf);
	message(t);
	if (k)
		t.str("its ").udec(k).str(k == 1 ? "st" : "th")
			.str(" ancestor: ");
	t.str("region at 0x").hex(r.start).str(": ").str(what);
	if (ret < 0)
		t.str(": ").errno_name(ret);
	die(t.ch('\n'));
}

// Reads (or maps) [addr, addr + len) of image k's data at file_off: into
// place where the newest image's targets are, else only for the checksum.
void place(uint32_t k, const image::region &r, uint64_t addr, uint64_t len,
	   uint64_t file_off, uint32_t *crc, bool lazy)
{
	const uint64_t end = addr + len;
	while (addr < end) {
		const image::region *t = target_at(addr);
		const uint64_t e = stretch_end(addr, end, t);
		if (t && lazy) {
			long got = sys::mmap(addr, e - addr, (int)t->prot,
					     MAP_PRIVATE | MAP_FIXED, fd_of(k),
					     file_off);
			if ((uint64_t)got != addr)
				link_failed(k, r, "cannot map from the image",
					    sys::failed(got) ? got : -EEXIST);
		}
		for (uint64_t a = addr; !lazy && a < e;) {
			uint64_t n = e - a < sizeof bounce ? e - a
							    : sizeof bounce;
			char *dst = t ? reinterpret_cast<char *>(a) : bounce;
			long got = ckpt::pread_full(fd_of(k), dst, n,
						    file_off + (a - addr));
			if (got < 0)
				link_failed(k, r, "cannot read", got);
			if ((uint64_t)got != n)
				link_failed(k, r, "short file", 0);
			*crc = ckpt::crc32c(*crc, dst, n);
			a += n;
		}
		file_off += e - addr;
		addr = e;
	}
}

// Zeroes the targets' pages in [addr, end): dropped since the parent.
void zero(uint32_t k, const image::region &r, uint64_t addr, uint64_t end,
	  bool lazy)
{
	while (addr < end) {
		const image::region *t = target_at(addr);
		const uint64_t e = stretch_end(addr, end, t);
		long ret = 0;
		// Over pages mapped from an image only a new mapping is
		// zero (MADV_DONTNEED would bring the file's back).
		if (t && lazy)
			ret = sys::mmap(addr, e - addr, (int)t->prot,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					-1, 0);
		else if (t)
			ret = sys::madvise(addr, e - addr, MADV_DONTNEED);
		if (sys::failed(ret))
			link_failed(k, r, "cannot zero pages", ret);
		addr = e;
	}
}

// Image k's pages, over those of the older ones.
void apply(uint32_t k, bool lazy)
{
	const image::tables &tb = tables_of(k);
	const image::run *run = tb.runs;
	const image::inherited_run *inh = tb.inherited;
	const image::inherited_run *inh_end = inh + tb.inherited_count;
	const bool oldest = !tb.parent;
	for (uint32_t i = 0; i < tb.region_count; i++) {
		const image::region &r = tb.regions[i];
		uint32_t crc = 0;
		uint64_t file_off = r.data_offset, at = r.start;
		const image::run *end = run + r.run_count;
		// The newest image's other regions are map_regions()'s; of
		// the older ones, only private anonymous memory can be
		// inherited.
		if (!inheritable(r) ||
		    (k == 0 && !(r.flags & image::region_incremental))) {
			run = end;
			while (inh < inh_end && inh->region == i)
				inh++;
			continue;
		}
		while (run < end || (inh < inh_end && inh->region == i)) {
			const bool own = run < end &&
					 (inh == inh_end || inh->region != i ||
					  run->offset < inh->offset);
			const uint64_t off = own ? run->offset : inh->offset;
			const uint64_t len = own ? run->length : inh->length;
			if (!oldest && r.start + off > at)
				zero(k, r, at, r.start + off, lazy);
			if (own) {
				place(k, r, r.start + off, len, file_off, &crc,
				      lazy);
				file_off += len;
				run++;
			} else {
				inh++;
			}
			at = r.start + off + len;
		}
		if (!oldest && at < r.end)
			zero(k, r, at, r.end, lazy);
		if (!lazy && r.data_size && crc != r.data_crc)
			link_failed(k, r,
				    image::describe(
					    image::fault::data_crc_mismatch),
				    0);
	}
}

} // namespace

uint32_t chain_length()
{
	return chain_count + 1;
}

const image::tables &chain_tables(uint32_t k)
{
	return k ? chain[k - 1].tables : g.tables;
}

int chain_fd(uint32_t k)
{
	return k ? chain[k - 1].fd : g.fd;
}

const image::header &chain_header(uint32_t k)
{
	return k ? chain[k - 1].header : g.header;
}

bool load_chain(ckpt::text &err)
{
	chain_count = 0;
	const image::tables *child = &g.tables;
	uint64_t at = self_image_end() + g.tables_len;
	while (child->parent) {
		const image::parent_record &pr = *child->parent;
		if (chain_count == image::max_chain - 1 ||
		    !parent_path(child->strings + pr.name)) {
			message(err).str("its chain of parents is too long\n");
			return false;
		}
		link &l = chain[chain_count++];
		l.fd = -1;
		if (!open_link(err, l, &at))
			return false;
		const uint32_t depth = l.tables.parent ? l.tables.parent->depth
						       : 0;
		if (l.header.meta_crc != pr.meta_crc || depth + 1 != pr.depth)
			return refuse(err, "not the image this one was made "
					   "from (another header checksum: "
					   "replaced, or a newer chain's)");
		if (!inherits_what_parent_has(*child, l.tables))
			return refuse(err, "does not hold the pages the image "
					   "after it inherits");
		child = &l.tables;
	}
	return true;
}

bool chain_lazy_fits()
{
	uint64_t runs = 0;
	for (uint32_t k = 0; k <= chain_count; k++)
		runs += tables_of(k).run_count + tables_of(k).inherited_count;
	return runs <= 16384;
}

void fill_chain()
{
	if (!chain_count && !g.tables.parent)
		return;
	const bool lazy = g.opts.lazy && chain_lazy_fits();
	// Writable while the pages come in (only the targets).
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if ((r.flags & image::region_incremental) && !lazy &&
		    !(r.prot & PROT_WRITE)) {
			long ret = sys::mprotect(r.start, r.end - r.start,
						 PROT_READ | PROT_WRITE);
			if (ret < 0)
				link_failed(0, r, "mprotect", ret);
		}
	}
	for (uint32_t k = chain_count + 1; k-- > 0;)
		apply(k, lazy);
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if ((r.flags & image::region_incremental) && !lazy &&
		    !(r.prot & PROT_WRITE)) {
			long ret = sys::mprotect(r.start, r.end - r.start,
						 (int)r.prot);
			if (ret < 0)
				link_failed(0, r, "mprotect", ret);
		}
	}
	for (uint32_t k = 0; k < chain_count; k++)
		sys::close(chain[k].fd);
}

} // namespace restorer
