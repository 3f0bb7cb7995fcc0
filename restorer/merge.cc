// restorer --merge OUT IMAGE: one full image with the memory and state
// IMAGE's chain restores. Every image of the chain is checked as a
// restore checks it (load_chain()) and every region's data against its
// checksum; then OUT gets IMAGE's metadata without the chain's sections
// (26, 27), with new runs for its region_incremental regions, their
// pages taken from the newest image of the chain that stores them, and
// IMAGE's own data for the rest. Written to OUT.tmp.PID and renamed
// over OUT when complete.
#include <linux/errno.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/crc32c.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

char buf[256 << 10];

struct out_file {
	int fd;
	uint64_t off;  // where the next data byte goes
	uint32_t crc;  // of the region being written
};

bool say(ckpt::text &err, const char *what, long ret = 0)
{
	message(err).str("merge: ").str(what);
	if (ret < 0)
		err.str(": ").errno_name(ret);
	err.ch('\n');
	return false;
}

// Memory for n bytes, zero; 0 if none.
uint64_t grab(uint64_t n)
{
	n = (n + g.page_size - 1) & ~(uint64_t)(g.page_size - 1);
	long a = sys::mmap(0, n ? n : g.page_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return sys::failed(a) ? 0 : (uint64_t)a;
}

long put(out_file &o, const void *p, uint64_t n, uint64_t at)
{
	for (uint64_t done = 0; done < n;) {
		long w = sys::pwrite(o.fd, (const char *)p + done, n - done,
				     at + done);
		if (w == -EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? w : -EIO;
		done += w;
	}
	return 0;
}

// Copies n bytes at from in image k's file to the output's data end.
bool copy(ckpt::text &err, out_file &o, uint32_t k, uint64_t from, uint64_t n,
	  bool crc)
{
	while (n) {
		uint64_t len = n < sizeof buf ? n : sizeof buf;
		long got = ckpt::pread_full(chain_fd(k), buf, len, from);
		if (got != (long)len)
			return say(err, "an image of the chain is cut short",
				   got < 0 ? got : 0);
		if (crc)
			o.crc = ckpt::crc32c(o.crc, buf, len);
		long ret = put(o, buf, len, o.off);
		if (ret < 0)
			return say(err, "cannot write the merged image", ret);
		o.off += len;
		from += len;
		n -= len;
	}
	return true;
}

// Every region's data of every image in the chain against its checksum.
bool check_data(ckpt::text &err)
{
	for (uint32_t k = 0; k < chain_length(); k++) {
		const image::tables &tb = chain_tables(k);
		for (uint32_t i = 0; i < tb.region_count; i++) {
			const image::region &r = tb.regions[i];
			uint32_t crc = 0;
			for (uint64_t off = 0; off < r.data_size;) {
				uint64_t n = r.data_size - off;
				n = n < sizeof buf ? n : sizeof buf;
				if (ckpt::pread_full(chain_fd(k), buf, n,
						     r.data_offset + off) != (long)n)
					return say(err, "an image of the chain "
						   "is cut short");
				crc = ckpt::crc32c(crc, buf, n);
				off += n;
			}
			if (crc != r.data_crc) {
				message(err).str("merge: image ").udec(k)
					.str(" of the chain, region at 0x")
					.hex(r.start).str(": ")
					.str(image::describe(
						image::fault::data_crc_mismatch))
					.ch('\n');
				return false;
			}
		}
	}
	return true;
}

// Where each page of region r comes from: 0 a hole, else
// (k + 1) << 48 | its page in image k's file.
void resolve(const image::region &r, uint64_t *from)
{
	const uint64_t ps = g.page_size;
	for (uint32_t k = chain_length(); k-- > 0;) {
		const image::tables &tb = chain_tables(k);
		const bool oldest = !tb.parent;
		const image::run *run = tb.runs;
		const image::inherited_run *inh = tb.inherited;
		const image::inherited_run *inh_end = inh + tb.inherited_count;
		for (uint32_t i = 0; i < tb.region_count; i++) {
			const image::region &x = tb.regions[i];
			const image::run *end = run + x.run_count;
			if (x.end <= r.start || x.start >= r.end ||
			    !inheritable(x)) {
				run = end;
				while (inh < inh_end && inh->region == i)
					inh++;
				continue;
			}
			// Page p of x, in r's terms, if r has it.
			auto set = [&](uint64_t a, uint64_t e, uint64_t v,
				       bool step) {
				for (; a < e; a += ps, v += step) {
					if (a >= r.start && a < r.end)
						from[(a - r.start) / ps] = v;
				}
			};
			uint64_t file_off = x.data_offset, at = x.start;
			while (run < end || (inh < inh_end && inh->region == i)) {
				const bool own = run < end &&
						 (inh == inh_end ||
						  inh->region != i ||
						  run->offset < inh->offset);
				const uint64_t a = x.start + (own ? run->offset
								  : inh->offset);
				const uint64_t len = own ? run->length
							 : inh->length;
				if (!oldest)
					set(at, a, 0, false);
				if (own) {
					set(a, a + len,
					    (uint64_t)(k + 1) << 48 |
						    file_off / ps,
					    true);
					file_off += len;
					run++;
				} else {
					inh++;
				}
				at = a + len;
			}
			if (!oldest)
				set(at, x.end, 0, false);
		}
	}
}

// Writes incremental region r's data, from the chain, at the output's
// data end; its new runs into runs (*count of them).
bool write_region(ckpt::text &err, out_file &o, image::region &r,
		  image::run *runs, uint32_t *count)
{
	const uint64_t ps = g.page_size;
	const uint64_t start_off = o.off;
	o.crc = 0;
	r.run_count = 0;
	const uint64_t pages = (r.end - r.start) / ps;
	uint64_t *from = (uint64_t *)grab(pages * 8);
	if (!from)
		return say(err, "cannot map working memory", -ENOMEM);
	resolve(r, from);
	bool ok = true;
	for (uint64_t p = 0; ok && p < pages;) {
		if (!from[p]) {
			p++;
			continue;
		}
		const uint64_t first = p;
		while (ok && p < pages && from[p]) {
			// Pages of one image, in a row in its file.
			uint64_t q = p + 1;
			while (q < pages && from[q] == from[p] + (q - p))
				q++;
			const uint32_t k = (uint32_t)(from[p] >> 48) - 1;
			const uint64_t file_page = from[p] & ((1ull << 48) - 1);
			ok = copy(err, o, k, file_page * ps, (q - p) * ps, true);
			p = q;
		}
		if (*count == image::max_runs)
			return say(err, "too many runs");
		runs[(*count)++] = {first * ps, (p - first) * ps};
		r.run_count++;
	}
	sys::munmap((uint64_t)from, pages * 8);
	r.flags &= ~(uint32_t)image::region_incremental;
	r.data_offset = o.off > start_off ? start_off : 0;
	r.data_size = o.off - start_off;
	r.data_crc = o.crc;
	return ok;
}

} // namespace

bool merge_chain(const char *out, ckpt::text &err)
{
	if (!check_data(err))
		return false;
	const image::header &h = g.header;
	const image::tables &tb = g.tables;
	const uint64_t ps = g.page_size;
	// The new runs: at most one per page of the incremental regions.
	uint64_t cap = tb.run_count;
	for (uint32_t i = 0; i < tb.region_count; i++) {
		const image::region &r = tb.regions[i];
		if (r.flags & image::region_incremental)
			cap += (r.end - r.start) / ps / 2 + 1;
	}
	if (cap > image::max_runs)
		cap = image::max_runs;
	auto *regions = (image::region *)grab(tb.region_count *
					       sizeof(image::region));
	auto *runs = (image::run *)grab(cap * sizeof(image::run));
	auto *meta = (char *)grab(h.meta_size + cap * sizeof(image::run) + 4096);
	if (!regions || !runs || !meta)
		return say(err, "cannot map working memory", -ENOMEM);
	memcpy(regions, tb.regions, tb.region_count * sizeof(image::region));

	char tmp[4096 + 32];
	ckpt::text t(tmp, sizeof tmp);
	t.str(out).str(".tmp.").dec(sys::getpid());
	if (t.size() + 1 >= sizeof tmp)
		return say(err, "the output path is too long");
	long fd = sys::open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					 O_CLOEXEC,
			    0600);
	if (fd < 0)
		return say(err, "cannot create the merged image", fd);
	out_file o = {(int)fd, 0, 0};

	// The metadata's size first: the data starts after it.
	const auto *dir = reinterpret_cast<const image::section *>(
		g.meta + sizeof(image::header));
	uint32_t sections = 0;
	uint64_t meta_size = sizeof(image::header);
	for (uint32_t k = 0; k < h.section_count; k++) {
		const uint32_t type = dir[k].type & ~(uint32_t)image::section_essential;
		if (type != image::section_inherited_runs &&
		    type != image::section_parent)
			sections++;
	}
	meta_size += sections * sizeof(image::section);
	// Region data: the old runs where nothing changes, new ones else.
	uint64_t old_data_end = h.data_offset;
	uint32_t count = 0;
	bool ok = true;
	const image::run *old = tb.runs;
	// Laid out once the runs are known; the data goes first at an
	// offset that leaves room for the largest metadata possible.
	uint64_t meta_room = meta_size;
	for (uint32_t k = 0; k < h.section_count; k++)
		meta_room += (dir[k].size + 7) & ~7ull;
	meta_room += cap * sizeof(image::run);
	o.off = (meta_room + ps - 1) & ~(ps - 1);
	const uint64_t data_offset = o.off;
	for (uint32_t i = 0; ok && i < tb.region_count; i++) {
		image::region &r = regions[i];
		const image::run *mine = old;
		old += tb.regions[i].run_count;
		if (r.data_size)
			old_data_end = r.data_offset + r.data_size;
		if (r.flags & image::region_incremental) {
			ok = write_region(err, o, r, runs, &count);
			continue;
		}
		if (count + r.run_count > cap) {
			ok = say(err, "too many runs");
			break;
		}
		for (uint32_t k = 0; k < r.run_count; k++)
			runs[count++] = mine[k];
		const uint64_t at = o.off;
		ok = copy(err, o, 0, r.data_offset, r.data_size, false);
		r.data_offset = r.data_size ? at : 0;
	}
	// The stored files' data follows, moved as a whole.
	const uint64_t delta = o.off - old_data_end;
	if (ok)
		ok = copy(err, o, 0, old_data_end, h.file_size - old_data_end,
			  false);
	if (ok) {
		// The metadata: header, directory, the sections in their
		// order, runs and regions new, file contents moved.
		image::header nh = h;
		nh.section_count = sections;
		nh.data_offset = data_offset;
		nh.file_size = o.off;
		auto *ndir = reinterpret_cast<image::section *>(
			meta + sizeof(image::header));
		uint64_t at = meta_size;
		uint32_t n = 0;
		for (uint32_t k = 0; k < h.section_count; k++) {
			image::section s = dir[k];
			const uint32_t type = s.type &
					      ~(uint32_t)image::section_essential;
			if (type == image::section_inherited_runs ||
			    type == image::section_parent)
				continue;
			const char *src = g.meta + s.offset;
			if (type == image::section_runs) {
				s.count = count;
				s.size = (uint64_t)count * sizeof(image::run);
				src = (const char *)runs;
			} else if (type == image::section_regions) {
				src = (const char *)regions;
			}
			s.offset = at;
			memcpy(meta + at, src, s.size);
			if (type == image::section_contents) {
				auto *c = reinterpret_cast<image::file_content *>(
					meta + at);
				for (uint32_t j = 0; j < s.count; j++)
					if (c[j].data_offset)
						c[j].data_offset += delta;
			}
			ndir[n++] = s;
			at += (s.size + 7) & ~7ull;
		}
		nh.meta_size = at;
		nh.meta_crc = 0;
		memcpy(meta, &nh, sizeof nh);
		nh.meta_crc = image::meta_crc(meta, at);
		memcpy(meta, &nh, sizeof nh);
		long ret = put(o, meta, at, 0);
		if (ret == 0)
			ret = sys::fdatasync(o.fd);
		if (ret == 0)
			ret = sys::renameat(AT_FDCWD, tmp, AT_FDCWD, out);
		if (ret < 0)
			ok = say(err, "cannot write the merged image", ret);
	}
	sys::close(o.fd);
	if (!ok)
		sys::unlinkat(AT_FDCWD, tmp, 0);
	return ok;
}

} // namespace restorer
