// Writes the image: scans /proc/self/maps, lays out the header, the
// section directory, the sections and the region data, and streams memory
// straight from the regions to the file.
//
// The image goes to an unnamed file (or <path>.tmp.<pid>: image_file.h)
// that takes path's name only when complete, so a crash or a full disk
// never costs the previous image, and an image that a restored process
// still maps is never rewritten in place.
#include <linux/errno.h>
#include <linux/fs.h>

#include "arch/auxv.h"
#include "runtime/attrs.h"
#include "runtime/contents.h"
#include "runtime/crc32c.h"
#include "runtime/fmt.h"
#include "runtime/image_file.h"
#include "runtime/incremental.h"
#include "runtime/io.h"
#include "runtime/maps.h"
#include "runtime/noreserve.h"
#include "runtime/pagemap.h"
#include "runtime/process.h"
#include "runtime/runtime.h"
#include "runtime/sockets.h"
#include "runtime/str.h"
#include "runtime/worker.h"
#include "runtime/written.h"

namespace ckpt {

namespace {

constexpr size_t maps_cap = 8 << 20;
constexpr size_t staging_size = 4 << 20;
constexpr uint64_t batch_bytes = 4 << 20; // <= staging_size

// ext4 (Linux 6.16+) gives a buffered write page-cache folios as large as
// the write's length and its file offset's alignment allow, and the page
// allocator serves a folio from the smallest free block that fits. On a VM
// that hands free memory back to its host (free page reporting), blocks
// left free a while cost a host fault per page to use again: 256 KiB
// batches from a page-aligned offset got order-6 folios from such
// fragments and wrote 256 MiB in 1-3 s where one write() of it took 60 ms
// (here, after a write of the same size had just been freed). So region
// data starts 2 MiB-aligned (a hole after the metadata: no disk) and goes
// in batches of whole 2 MiB folios, which reuse the pageblocks a write
// just freed as a plain large write() does. Less data than 2 MiB starts
// at the largest power of two it fills (1.2 MB of it from a page-aligned
// offset took 4.5 ms, from a 1 MiB-aligned one 1.5 ms).
constexpr uint64_t data_alignment = 2 << 20;
static_assert(batch_bytes % data_alignment == 0);

// Why a checkpoint failed when its worker (worker.h) was killed.
constexpr char worker_gone[] = "the checkpoint's worker process is gone "
			       "(killed?)";

// The sections, in the order they are written: each one's entries are a
// multiple of 8 bytes but the strings', which come last, so that every
// section starts 8-byte aligned right after the one before it.
enum section_index {
	sec_process, sec_threads, sec_regions, sec_runs, sec_fds,
	sec_contents, sec_extents, sec_pipes, sec_events, sec_pipe_data,
	sec_timers, sec_signals, sec_timerfds, sec_signalfds, sec_mapped,
	sec_attrs,
	sec_policies,
	sec_locks, sec_watches,
	sec_sockets, sec_socket_messages, sec_socket_data,
	sec_inherited, sec_parent, sec_strings,
	sec_count
};
static_assert(sizeof(image::process_record) % 8 == 0 &&
	      sizeof(image::thread_record) % 8 == 0 &&
	      sizeof(image::region) % 8 == 0 && sizeof(image::run) % 8 == 0 &&
	      sizeof(image::fd_entry) % 8 == 0 &&
	      sizeof(image::file_content) % 8 == 0 &&
	      sizeof(image::extent) % 8 == 0 &&
	      sizeof(image::posix_timer) % 8 == 0 &&
	      sizeof(image::pending_signal) % 8 == 0 &&
	      sizeof(image::timerfd_entry) % 8 == 0 &&
	      sizeof(image::signalfd_entry) % 8 == 0 &&
	      sizeof(image::mapped_file) % 8 == 0 &&
	      sizeof(image::file_policy) % 8 == 0 &&
	      sizeof(image::file_lock) % 8 == 0 &&
	      sizeof(image::inotify_watch) % 8 == 0 &&
	      sizeof(image::inherited_run) % 8 == 0 &&
	      sizeof(image::parent_record) % 8 == 0);


// A piece of region data in a batch of data_out (below).
struct data_piece {
	const char *base;
	uint64_t len;
	uint32_t *crc; // of the region it belongs to
};

// Working memory, mapped for one checkpoint and left out of its image.
struct scratch {
	image::header header;
	image::section directory[sec_count];
	uint8_t written[sec_count]; // the section of each directory entry
	image::process_record process;
	uint32_t thread_count;
	uint32_t region_count;
	uint32_t run_count;
	uint32_t fd_count;
	uint32_t strings_size;
	uint32_t timer_count;
	uint32_t signal_count;
	image::posix_timer timers[image::max_posix_timers];
	image::pending_signal signals[image::max_pending_signals];
	uint32_t timerfd_count;
	uint32_t signalfd_count;
	image::timerfd_entry timerfds[image::max_fds];
	image::signalfd_entry signalfds[image::max_fds];
	image::thread_record threads[image::max_threads];
	image::region regions[image::max_regions];
	uint32_t mapped_count;
	image::mapped_file mapped[image::max_regions];
	image::run runs[image::max_runs];
	image::fd_entry fds[image::max_fds];
	content_table contents;
	uint32_t policy_count;
	image::file_policy policies[image::max_fds];
	image::pipe_record pipes[image::max_fds / 2];
	image::event_record events[image::max_events];
	char pipe_data[image::max_pipe_data];
	image::socket_entry sockets[image::max_fds];
	image::socket_message socket_messages[image::max_socket_messages];
	char socket_data[image::max_socket_data];
	uint64_t pagemap[page_scanner::buffer_words];
	data_piece pieces[2][sys::iov_max]; // data_out's two batches
	sys::iovec iov[sys::iov_max];
	char strings[image::max_strings];
	char maps[maps_cap];
	char staging[2][staging_size];
	increment inc;
	bool forked; // this is the forked writer's copy
	// The worker reads smaps into these while scan_memory() reads the
	// maps and pagemap (one more region than maps shows: [vsyscall]).
	vma_list vma_flags_list;
	vma_flags vmas[image::max_regions + 4];
	char smaps_buf[64 << 10];
	worker helper;
	alignas(16) char helper_stack[64 << 10];
};

// The entries after those read are zero (AT_NULL): the working memory is
// freshly mapped.
uint64_t page_size_of(const image::process_record &p)
{
	return sys::auxv_value(p.auxv, AT_PAGESZ, 4096);
}

constexpr uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

constexpr uint64_t scratch_size = align_up(sizeof(scratch), 1 << 16);

class image_builder {
public:
	// The strings begin_image() stored stay.
	image_builder(scratch *s, uint64_t page_size)
		: s_(s), page_size_(page_size), pages_(page_size, s->pagemap),
		  strings_len_(s->strings_size)
	{
	}

	// Adds the part of maps entry e between start and end, as one
	// region or, around guard pages, several; nullptr or why not.
	const char *add(const map_entry &e, uint64_t start, uint64_t end)
	{
		image::region r = {};
		r.start = start;
		r.end = end;
		r.prot = e.prot;
		r.flags = e.shared ? (uint32_t)image::region_shared : 0;
		if (file_backed(e))
			r.flags |= image::region_file_backed;
		else if (content_mapped(s_->contents, s_->fds, s_->strings, e))
			r.flags |= image::region_content;
		r.file_offset = e.offset + (start - e.start);
		r.kind = classify(e);
		if (!intern(e.name, e.name_len, &r.name))
			return "too many region names";
		// A private mapping of a file its path still names comes back
		// from the file: only the pages the process changed are
		// stored, which pagemap tells.
		image::mapped_file id;
		if (r.kind == image::kind_file && !e.shared &&
		    !(r.flags & image::region_file_backed) && pages_.usable() &&
		    mapped_identity(e, &id)) {
			r.flags |= image::region_file_private;
			mapped_ = &id;
		}
		store what = r.flags & image::region_file_private
				     ? store_copied
				     : what_to_store(e, r);
		// Pages a read would fault on: past the end of the file.
		uint64_t limit = end - start;
		if ((what == store_all || what == store_copied) &&
		    r.kind == image::kind_file) {
			uint64_t size;
			if (!mapped_size(e, page_size_, &size))
				size = 0; // unknown: only what pagemap shows
			size -= size < start - e.start ? size : start - e.start;
			if (size < limit)
				limit = size;
		}
		const uint32_t regions = s_->region_count;
		const uint32_t runs = s_->run_count;
		const uint32_t mapped_count = s_->mapped_count;
		const uint32_t inherited = s_->inc.inherited_count;
		s_->inc.region_inherits = s_->inc.region_tracked = false;
		// Not the stack: MAP_GROWSDOWN is one mapping, never pieces.
		if (what == store_touched && !e.shared &&
		    r.kind != image::kind_stack)
			track_region(s_->inc, start, end);
		if (pages_.usable() && r.kind != image::kind_kernel) {
			piece p{this, r, what, limit};
			auto emit = [&](uint64_t off, uint64_t len,
					page_class c) { return p.add(off, len, c); };
			// A tracked region's pages from PAGEMAP_SCAN's ranges.
			int got = scan_tracked(s_->inc, start, end, emit);
			bool ok = got >= 0 ? got == 1
					   : pages_.scan(start, end, emit);
			if (ok && p.close(end - start))
				return nullptr;
			if (p.full)
				return "too many memory regions or runs";
			// pagemap failed: all of it, as far as it can be read
			s_->region_count = regions;
			s_->run_count = runs;
			s_->mapped_count = mapped_count;
			s_->inc.inherited_count = inherited;
			s_->inc.region_inherits = s_->inc.region_tracked = false;
			if (r.flags & image::region_file_private) {
				r.flags &= ~image::region_file_private;
				what = store_all;
			}
		}
		mapped_ = nullptr;
		if (what == store_touched)
			limit = end - start;
		if (what != store_none && limit && !add_run(r, 0, limit))
			return "too many runs of touched pages";
		return push(r) ? nullptr : "too many memory regions";
	}

	// Lays the metadata and data out; returns the file size.
	uint64_t layout(uint64_t page_size)
	{
		scratch &x = *s_;
		x.strings_size = strings_len_;
		struct {
			uint32_t type, entry_size, count;
		} const sections[sec_count] = {
			{image::section_process,
			 sizeof(image::process_record), 1},
			{image::section_threads, sizeof(image::thread_record),
			 x.thread_count},
			{image::section_regions, sizeof(image::region),
			 x.region_count},
			{image::section_runs, sizeof(image::run), x.run_count},
			{image::section_fds, sizeof(image::fd_entry),
			 x.fd_count},
			{image::section_contents,
			 sizeof(image::file_content), x.contents.count},
			{image::section_extents, sizeof(image::extent),
			 x.contents.extent_count},
			{image::section_pipes, sizeof(image::pipe_record),
			 saved_events.pipe_count},
			{image::section_events, sizeof(image::event_record),
			 saved_events.event_count},
			{image::section_pipe_data, 1, saved_events.data_size},
			{image::section_posix_timers,
			 sizeof(image::posix_timer), x.timer_count},
			{image::section_pending_signals,
			 sizeof(image::pending_signal), x.signal_count},
			{image::section_timerfds,
			 sizeof(image::timerfd_entry), x.timerfd_count},
			{image::section_signalfds,
			 sizeof(image::signalfd_entry), x.signalfd_count},
			{image::section_mapped_files,
			 sizeof(image::mapped_file), x.mapped_count},
			{image::section_process_attrs,
			 sizeof(image::process_attr), saved_attrs.count},
			{image::section_file_policies,
			 sizeof(image::file_policy), x.policy_count},
			{image::section_locks, sizeof(image::file_lock),
			 saved_locks.count},
			{image::section_inotify_watches,
			 sizeof(image::inotify_watch), saved_watches.count},
			{image::section_sockets, sizeof(image::socket_entry),
			 saved_sockets.socket_count},
			{image::section_socket_messages,
			 sizeof(image::socket_message),
			 saved_sockets.message_count},
			{image::section_socket_data, 1, saved_sockets.data_size},
			{image::section_inherited_runs,
			 sizeof(image::inherited_run), x.inc.inherited_count},
			{image::section_parent, sizeof(image::parent_record),
			 x.inc.on ? 1u : 0u},
			{image::section_strings, 1, x.strings_size},
		};
		// An optional section with nothing in it is left out: an
		// image without such state is one an older restorer reads.
		uint32_t n = 0;
		for (int i = 0; i < sec_count; i++) {
			if (sections[i].count ||
			    sections[i].type <= image::section_strings)
				x.written[n++] = (uint8_t)i;
		}
		image::header &h = x.header;
		h.section_count = n;
		uint64_t off = sizeof(image::header) + n * sizeof(image::section);
		for (uint32_t k = 0; k < n; k++) {
			const auto &sec = sections[x.written[k]];
			image::section &d = x.directory[k];
			// All of them hold state that would be lost.
			d = {sec.type | image::section_essential,
			     sec.entry_size, sec.count, 0, off,
			     (uint64_t)sec.entry_size * sec.count};
			off += d.size;
		}
		h.meta_size = off;
		uint64_t data_size = 0;
		for (uint32_t i = 0; i < x.region_count; i++)
			data_size += x.regions[i].data_size;
		// Less data, a smaller hole: as large a folio as it fills.
		uint64_t align = data_alignment;
		while (align > page_size && align > data_size)
			align >>= 1;
		h.data_offset = align_up(off, align);
		off = h.data_offset;
		for (uint32_t i = 0; i < x.region_count; i++) {
			image::region &r = x.regions[i];
			r.data_offset = r.data_size ? off : 0;
			off += r.data_size;
		}
		layout_contents(x.contents, page_size, &off);
		h.file_size = off;
		return off;
	}

private:
	static uint32_t classify(const map_entry &e)
	{
		if (e.named("[heap]"))
			return image::kind_heap;
		if (e.named("[stack]"))
			return image::kind_stack;
		if (e.named("[vdso]") || e.named("[vvar]") ||
		    e.named("[vvar_vclock]"))
			return image::kind_kernel;
		if (e.name_len && e.name[0] == '/')
			return image::kind_file;
		return image::kind_anon;
	}

	// store_copied: the pages that are no longer the file's (copies on
	// write, present or swapped).
	enum store { store_none, store_touched, store_all, store_copied };

	// Private anonymous memory stores its touched pages only. A private
	// file mapping stores all of itself when readable (it comes back
	// anonymous, so untouched pages must come from the image too) and
	// nothing when not (never read, its pages are the file's). Shared
	// memory stores all of itself, but for a file's: the file holds it.
	static store what_to_store(const map_entry &e, const image::region &r)
	{
		if (r.kind == image::kind_kernel ||
		    (r.flags & (image::region_file_backed |
				image::region_content)))
			return store_none;
		if (!e.shared && r.kind != image::kind_file)
			return store_touched;
		if ((e.prot & PROT_READ) || e.shared)
			return store_all;
		return store_none;
	}

	// One maps entry cut into regions at its guard pages, as pagemap
	// reports them class by class. Offsets are from tmpl.start.
	struct piece {
		image_builder *b;
		const image::region tmpl; // the whole, without runs
		store what;
		uint64_t limit;  // bytes that read without SIGBUS
		image::region r = {}; // the one being filled
		bool open = false;
		bool full = false;

		bool add(uint64_t off, uint64_t len, page_class c)
		{
			if (c == page_guard) {
				if (!close(off))
					return false;
				image::region g = at(off, off + len);
				g.flags |= image::region_guard;
				return ok(b->push(g));
			}
			if (!open) {
				r = at(off, tmpl.end - tmpl.start);
				open = true;
			}
			uint64_t from = off, to = off + len;
			if (what == store_none ||
			    (what == store_touched && c == page_none) ||
			    (what == store_copied && c != page_anon))
				return true;
			// Past the end of the file only copies on write (made
			// before the file shrank) hold data.
			if (what == store_all && to > limit && c != page_anon)
				to = limit > from ? limit : from;
			// Of an increment, only the pages written since.
			return to == from ||
			       ok(add_stored(b->s_->inc, r, b->s_->region_count,
					     tmpl.start + from, tmpl.start + to,
					     [&](uint64_t a, uint64_t e) {
						     return b->add_run(
							     r, a - r.start,
							     e - a);
					     }));
		}

		// Ends the region being filled where the guard pages (or
		// the entry) begin.
		bool close(uint64_t end)
		{
			if (!open)
				return true;
			open = false;
			r.end = tmpl.start + end;
			return ok(b->push(r));
		}

		image::region at(uint64_t from, uint64_t to) const
		{
			image::region x = tmpl;
			x.start = tmpl.start + from;
			x.end = tmpl.start + to;
			x.file_offset = tmpl.file_offset + from;
			return x;
		}

		bool ok(bool done)
		{
			full = full || !done;
			return done;
		}
	};

	// A run of r: joined to r's last one if they touch.
	bool add_run(image::region &r, uint64_t off, uint64_t len)
	{
		if (r.run_count) {
			image::run &last = s_->runs[s_->run_count - 1];
			if (last.offset + last.length == off) {
				last.length += len;
				r.data_size += len;
				return true;
			}
		}
		if (s_->run_count == image::max_runs)
			return false;
		s_->runs[s_->run_count++] = {off, len};
		r.run_count++;
		r.data_size += len;
		return true;
	}

	// Appends r (its runs are the last ones added), and the identity of
	// the file a region_file_private region maps.
	bool push(const image::region &r)
	{
		if (s_->region_count == image::max_regions)
			return false;
		if ((r.flags & image::region_file_private) && mapped_) {
			image::mapped_file &m = s_->mapped[s_->mapped_count++];
			m = *mapped_;
			m.region = s_->region_count;
		}
		s_->regions[s_->region_count++] = r;
		return true;
	}

	// Consecutive regions of one file share its name.
	bool intern(const char *name, size_t len, uint32_t *off)
	{
		if (!len) {
			*off = 0;
			return true;
		}
		if (last_len_ == len &&
		    memcmp(s_->strings + last_off_, name, len) == 0) {
			*off = last_off_;
			return true;
		}
		if (strings_len_ + len + 1 > image::max_strings)
			return false;
		memcpy(s_->strings + strings_len_, name, len);
		s_->strings[strings_len_ + len] = 0;
		*off = last_off_ = strings_len_;
		last_len_ = len;
		strings_len_ += len + 1;
		return true;
	}

	scratch *s_;
	const image::mapped_file *mapped_ = nullptr; // of the entry in add()
	uint64_t page_size_;
	page_scanner pages_;
	uint32_t strings_len_; // offset 0 is the empty name
	uint32_t last_off_ = 0;
	size_t last_len_ = 0;
};

// Region data on its way to the file: pieces of memory gathered into one
// writev() of up to batch_bytes in up to sys::iov_max pieces (a region
// touched in single pages takes one call per 1024 of them, not one each).
// Each batch is checksummed right after the writev() that read it, on the
// worker while the next batch is written (or at once, without a worker):
// writev() reads the memory at the speed a plain write of it would, and
// the checksum finds it in the last-level cache, which batch_bytes fits.
// Two batches take turns: one is filled and written while the other one's
// checksums are made, and a batch is filled again only once they are.
// Memory that may change under us (the stack this code runs on, shared
// memory) is copied into the batch's staging buffer, so the checksum and
// the file agree; the rest cannot change in between (the app's threads
// are stopped, or this is the forked writer's own copy). A region's
// checksum is one running CRC over its runs: the worker runs the batches
// in order, one at a time.
class data_out {
public:
	data_out(int fd, char (*staging)[staging_size],
		 data_piece (*pieces)[sys::iov_max], sys::iovec *iov,
		 worker &helper)
		: fd_(fd), iov_(iov), helper_(helper)
	{
		for (int k = 0; k < 2; k++)
			batches_[k] = {pieces[k], staging[k], 0, 0};
	}

	// Adds len bytes at mem; *crc is extended over them once written.
	long add(const char *mem, uint64_t len, uint32_t *crc, bool live)
	{
		while (len) {
			batch &b = batches_[cur_];
			const uint64_t room = batch_bytes - bytes_;
			const size_t n = len < room ? len : room;
			const char *src = mem;
			if (live) {
				src = b.staging + bytes_;
				memcpy(const_cast<char *>(src), mem, n);
			}
			data_piece *last = b.n ? &b.pieces[b.n - 1] : nullptr;
			if (last && last->base + last->len == src &&
			    last->crc == crc)
				last->len += n;
			else
				b.pieces[b.n++] = {src, n, crc};
			bytes_ += n;
			mem += n;
			len -= n;
			if (bytes_ == batch_bytes || b.n == sys::iov_max) {
				long ret = flush();
				if (ret)
					return ret;
			}
		}
		return 0;
	}

	// Writes the batch being filled and queues its checksums.
	long flush()
	{
		batch &b = batches_[cur_];
		for (unsigned k = 0; k < b.n; k++)
			iov_[k] = {const_cast<char *>(b.pieces[k].base),
				   b.pieces[k].len};
		long ret = b.n ? writev_all(fd_, iov_, b.n) : 0;
		if (ret || !b.n)
			return ret;
		b.job = helper_.post(checksum, &b);
		cur_ ^= 1;
		bytes_ = 0;
		batch &next = batches_[cur_];
		if (!b.job || (next.job && !helper_.wait(next.job)))
			return -ECHILD;
		next.n = 0;
		return 0;
	}

	// Writes what is left; every checksum is made once it returns 0.
	long finish()
	{
		long ret = flush();
		if (!ret && !helper_.drain())
			ret = -ECHILD;
		return ret;
	}

private:
	struct batch {
		data_piece *pieces;
		char *staging;
		unsigned n;
		uint32_t job; // the worker's job of its checksums, 0: none
	};

	static void checksum(void *arg)
	{
		const batch &b = *static_cast<const batch *>(arg);
		for (unsigned k = 0; k < b.n; k++) {
			const data_piece &p = b.pieces[k];
			*p.crc = crc32c(*p.crc, p.base, p.len);
		}
	}

	int fd_;
	sys::iovec *iov_; // writev_all() consumes its copy of the pieces
	worker &helper_;
	batch batches_[2];
	unsigned cur_ = 0;
	uint64_t bytes_ = 0;
};

// Queues the runs of a region (the next ones of *run) from its memory.
// Unreadable memory is made readable for the copy and put back (the
// batch is written first: writev() reads it).
// rseq: the area of the thread that writes (the taker's; a forked
// writer's copy of it, if the writer inherited the registration).
long write_region(data_out &out, image::region &r, const image::run *&run,
		  uint64_t rseq)
{
	bool unreadable = !(r.prot & PROT_READ);
	if (unreadable) {
		long ret = sys::mprotect(r.start, r.end - r.start,
					 r.prot | PROT_READ);
		if (ret < 0)
			return ret;
	}
	const uint64_t sp = (uint64_t)__builtin_frame_address(0);
	// Shared memory can change while we write it, even in a forked
	// writer (whose private memory is a stable copy on write): another
	// process, or the app itself, may write it. So can the pages of a
	// private file mapping not yet copied on write: they are the file's
	// page cache, which any write() to the file changes.
	const bool shared = (r.flags & image::region_shared) ||
			    r.kind == image::kind_file;
	r.data_crc = 0;
	long ret = 0;
	for (uint32_t i = 0; i < r.run_count && !ret; i++, run++) {
		const uint64_t start = r.start + run->offset;
		// The kernel writes the running thread's rseq area (cpu_id,
		// mm_cid) as it resumes it on another CPU (rseq(2)): it is as
		// live as the stack.
		bool live = shared || (sp >= start && sp < start + run->length) ||
			    (rseq >= start && rseq < start + run->length);
		ret = out.add((const char *)start, run->length, &r.data_crc,
			      live);
	}
	// Its checksums too read it, on the worker.
	if (unreadable) {
		if (!ret)
			ret = out.finish();
		long back = sys::mprotect(r.start, r.end - r.start, r.prot);
		if (ret == 0)
			ret = back;
	}
	return ret;
}

long fail(text &msg, long err, const char *what)
{
	msg.str(what).str(": ").errno_name(err);
	return err;
}

// The metadata in file order: header, directory, sections.
struct meta_part {
	const void *data;
	uint64_t len;
};

void meta_parts(const scratch &s, meta_part out[2 + sec_count])
{
	out[0] = {&s.header, sizeof s.header};
	const uint32_t n = s.header.section_count;
	out[1] = {s.directory, n * sizeof(image::section)};
	const void *data[sec_count] = {
		&s.process,	    s.threads,	 s.regions, s.runs,
		s.fds,		    s.contents.items, s.contents.extents,
		s.pipes,	    s.events,	 s.pipe_data, s.timers,
		s.signals,	    s.timerfds,	 s.signalfds, s.mapped,
		saved_attrs.items,  s.policies,	 saved_locks.items,
		saved_watches.items, s.sockets, s.socket_messages,
		s.socket_data,	    s.inc.inherited, &s.inc.parent,
		s.strings};
	for (uint32_t k = 0; k < sec_count; k++)
		out[2 + k] = k < n ? meta_part{data[s.written[k]],
					       s.directory[k].size}
				   : meta_part{data[0], 0};
}

// Region data first, the metadata last: its checksum covers the data's.
long write_file(int fd, scratch &s, bool sync, text &msg)
{
	image::header &h = s.header;
	if (sys::lseek(fd, h.data_offset, SEEK_SET) < 0)
		return fail(msg, -EIO, "lseek");
	long ret;
	const image::run *run = s.runs;
	data_out out(fd, s.staging, s.pieces, s.iov, s.helper);
	uint64_t rseq = 0;
	for (uint32_t i = 0; i < s.thread_count; i++) {
		if (s.threads[i].flags & image::thread_taker)
			rseq = s.threads[i].rseq_area;
	}
	// The regions' data is contiguous in the file: a batch goes on
	// across them, and the last one with data writes what is left.
	uint32_t last = 0;
	for (uint32_t i = 0; i < s.region_count; i++)
		last = s.regions[i].run_count ? i : last;
	for (uint32_t i = 0; i < s.region_count; i++) {
		image::region &r = s.regions[i];
		if (!r.run_count)
			continue;
		ret = write_region(out, r, run, rseq);
		if (!ret && i == last)
			ret = out.finish();
		// Said as everywhere else: ECHILD is ours, not the kernel's.
		if (ret == -ECHILD) {
			msg.str(worker_gone);
			return ret;
		}
		if (ret) {
			msg.str("region ").udec(i).str(" at 0x").hex(r.start)
				.str(": ");
			return fail(msg, ret, "cannot write its memory");
		}
	}
	ret = write_contents(fd, s.fds, s.contents, s.staging[0], staging_size,
			     msg);
	if (ret)
		return ret;
	// One CRC over the metadata as the file holds it (the parts are
	// contiguous there: layout()), its own field 0.
	meta_part parts[2 + sec_count];
	h.meta_crc = 0;
	meta_parts(s, parts);
	uint32_t crc = 0;
	for (const meta_part &p : parts)
		crc = crc32c(crc, p.data, p.len);
	h.meta_crc = crc;
	ret = sys::lseek(fd, 0, SEEK_SET) < 0 ? -EIO : 0;
	for (const meta_part &p : parts) {
		if (!ret)
			ret = write_all(fd, p.data, p.len);
	}
	if (ret)
		return fail(msg, ret, "cannot write the header");
	if (sync && (ret = sys::fdatasync(fd)) < 0)
		return fail(msg, ret, "fdatasync");
	return 0;
}

} // namespace

long begin_image(const arch::context *ctx, const image::resume_args *resume,
		 image_job **job, text &msg)
{
	long addr = sys::mmap(0, scratch_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			      0);
	if (sys::failed(addr))
		return fail(msg, addr, "cannot map working memory");
	auto *s = reinterpret_cast<scratch *>(addr);
	image::header &h = s->header;
	memcpy(h.magic, image::magic, sizeof h.magic);
	h.version = image::format_version;
	h.machine = arch::elf_machine;
	h.header_size = sizeof(image::header);
	h.section_size = sizeof(image::section);
	s->process.resume_addr = (uint64_t)resume;
	long ret = save_kernel_state(&s->process);
	if (ret < 0) {
		end_image(reinterpret_cast<image_job *>(s));
		return fail(msg, ret, "cannot read kernel state");
	}
	*job = reinterpret_cast<image_job *>(s);
	ret = save_thread(add_thread(*job), image::thread_taker, ctx,
			  checkpoint_mask, checkpoint_signal_frame, msg);
	if (ret < 0) {
		end_image(*job);
		return ret;
	}
	// Names of files and the working directory start the string table.
	string_table strings = {s->strings, 1};
	s->strings[0] = 0;
	saved_events = {s->pipes, s->events, s->pipe_data, 0, 0, 0};
	saved_sockets = {s->sockets, s->socket_messages, s->socket_data, 0, 0, 0};
	ret = save_process(&s->process.process, s->fds, &s->fd_count, strings,
			   msg);
	s->strings_size = strings.len;
	if (ret >= 0)
		ret = find_contents(s->fds, s->fd_count, s->strings,
				    s->contents, msg);
	if (ret >= 0)
		s->policy_count = save_file_policies(s->fds, s->fd_count,
						     s->strings, s->contents,
						     s->policies);
	if (ret >= 0)
		ret = save_timers_and_signals(s->timers, &s->timer_count,
					      s->signals, &s->signal_count, msg);
	if (ret >= 0)
		save_process_attrs();
	if (ret >= 0)
		save_timer_fds(s->fds, s->fd_count, s->timerfds,
			       &s->timerfd_count, s->signalfds,
			       &s->signalfd_count);
	if (ret < 0) {
		end_image(*job);
		return ret;
	}
	h.page_size = (uint32_t)page_size_of(s->process);
	return 0;
}

image::thread_record *add_thread(image_job *job)
{
	auto *s = reinterpret_cast<scratch *>(job);
	if (s->thread_count == image::max_threads)
		return nullptr;
	image::thread_record *t = &s->threads[s->thread_count++];
	*t = {};
	return t;
}

void mark_forked(image_job *job)
{
	reinterpret_cast<scratch *>(job)->forked = true;
}

uint32_t kept_descriptors(image_job *job, int32_t *out, uint32_t cap)
{
	auto *s = reinterpret_cast<scratch *>(job);
	return content_sources(s->contents, out, cap);
}

image::pending_signal *add_pending_signal(image_job *job)
{
	auto *s = reinterpret_cast<scratch *>(job);
	if (s->signal_count == image::max_pending_signals)
		return nullptr;
	return &s->signals[s->signal_count++];
}

void end_image(image_job *job)
{
	close_contents(reinterpret_cast<scratch *>(job)->contents);
	sys::munmap((uint64_t)job, scratch_size);
}

namespace {

// Fills the region and run tables from /proc/self/maps, leaving out the
// working memory itself; nullptr or why not.
void read_smaps(void *arg)
{
	auto *s = static_cast<scratch *>(arg);
	read_vm_flags(s->vma_flags_list, s->smaps_buf, sizeof s->smaps_buf);
}

const char *scan_memory(scratch *s)
{
	s->vma_flags_list = {s->vmas, sizeof s->vmas / sizeof s->vmas[0], 0};
	const uint32_t smaps = s->helper.post(read_smaps, s);
	if (!smaps)
		return worker_gone;
	long n = read_file("/proc/self/maps", s->maps, maps_cap);
	if (n < 0)
		return "cannot read /proc/self/maps";
	const uint64_t s_start = (uint64_t)s, s_end = s_start + scratch_size;
	const uint64_t page_size = s->header.page_size;
	image_builder b(s, page_size);
	maps_scanner scan(s->maps, n);
	map_entry e;
	const char *why = nullptr;
	while (!why && scan.next(&e)) {
		// Cannot be unmapped or mapped: the kernel's business.
		if (e.named("[vsyscall]"))
			continue;
		// Two holes, in address order: the working memory and the
		// checkpoint's stack (an empty range if none).
		address_range holes[2] = {{s_start, s_end}, checkpoint_stack};
		if (holes[1].start < holes[0].start)
			holes[0] = holes[1], holes[1] = {s_start, s_end};
		uint64_t from = e.start;
		for (const address_range &h : holes) {
			if (why || h.end <= from || h.start >= e.end)
				continue;
			if (h.start > from)
				why = b.add(e, from, h.start);
			from = h.end;
		}
		if (!why && from < e.end)
			why = b.add(e, from, e.end);
	}
	if (!why && scan.bad())
		why = "cannot parse /proc/self/maps";
	// Even on failure: the worker writes into *s until it is done.
	if (!s->helper.wait(smaps) && !why)
		why = worker_gone;
	if (!why) {
		mark_vm_flags(s->regions, s->region_count, s->vma_flags_list);
		b.layout(page_size);
	}
	return why;
}

// The group leader's record first: the restorer's own thread becomes it.
// None: the leader has exited (its tid is the process's pid), and a
// process without it cannot be made again.
bool leader_first(scratch *s)
{
	for (uint32_t i = 0; i < s->thread_count; i++) {
		if (s->threads[i].flags & image::thread_group_leader) {
			image::thread_record t = s->threads[i];
			s->threads[i] = s->threads[0];
			s->threads[0] = t;
			return true;
		}
	}
	return false;
}

} // namespace

long write_image(image_job *job, const char *path, text &msg,
		 void (*before_publish)())
{
	auto *s = reinterpret_cast<scratch *>(job);
	if (!leader_first(s)) {
		msg.str("the thread group leader has exited: an image without "
			"it cannot be restored");
		return -EOPNOTSUPP;
	}
	thread_indices(s->timers, &s->timer_count, s->signals, s->signal_count,
		       s->threads, s->thread_count);
	s->inc.threads = s->threads;
	s->inc.thread_count = s->thread_count;
	s->inc.resume_addr = s->process.resume_addr;
	s->inc.page_size = s->header.page_size;
	begin_increment(s->inc, path, s->strings, &s->strings_size);
	// Without it (qemu-user, seccomp) the jobs run in post() instead.
	// Its own descriptor table: one killed while it reads smaps would
	// leave that descriptor in the app's, and in the app's next image.
	s->helper.start(s->helper_stack, sizeof s->helper_stack, false);
	if (const char *why = scan_memory(s)) {
		s->helper.stop();
		increment_failed();
		msg.str(why);
		return -EINVAL;
	}
	long ret = s->forked ? check_forked_copy(s->regions, s->region_count,
						 msg)
			     : 0;
	if (ret) {
		s->helper.stop();
		increment_failed();
		return ret;
	}
	image_file f;
	ret = create_image_file(path, f, s->staging[0], staging_size, msg);
	if (!ret)
		ret = write_file(f.fd, *s, config.sync, msg);
	// Every checksum was made (write_file() drained it) unless it failed.
	if (!s->helper.stop() && !ret) {
		msg.str(worker_gone);
		ret = -ECHILD;
	}
	if (!ret && before_publish)
		before_publish();
	if (!ret)
		ret = publish_image_file(path, f, msg);
	discard_image_file(f);
	if (ret)
		increment_failed();
	else
		increment_published(s->inc, path, s->header.meta_crc);
	return ret;
}

} // namespace ckpt
