// The restore proper, on the restorer's own stack: replace the address
// space with the image's, put the kernel state back and jump into the app.
#include <linux/errno.h>
#include <linux/signal.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/crc32c.h"
#include "runtime/io.h"
#include "runtime/maps.h"
#include "runtime/str.h"
#include "runtime/worker.h"

namespace restorer {

namespace {

bool kept_by_kernel(const ckpt::map_entry &e)
{
	return e.named("[vdso]") || e.named("[vvar]") ||
	       e.named("[vvar_vclock]") || e.named("[vsyscall]");
}

// qemu-user returns from signal handlers that have no SA_RESTORER (glibc
// sets none on aarch64) through a page of code it maps at start-up: an
// unnamed, private, executable mapping the restorer did not make. Unmap
// it and the app's next handler return crashes; so it stays, unless the
// image claims its place (then the app's copy of it takes over, which
// works as long as it is the same code at the same address).
bool kept_for_emulator(const ckpt::map_entry &e)
{
	return !e.name_len && !e.shared &&
	       e.prot == (PROT_READ | PROT_EXEC) &&
	       !claimed_by_image(e.start, e.end);
}

// Everything but the restorer and the kernel's own mappings goes: the
// kernel's stack, and the old copy of the restorer if it moved.
void unmap_all_but_self()
{
	const range self = self_range();
	ckpt::maps_scanner scan(g.maps, ckpt::str_len(g.maps));
	ckpt::map_entry e;
	while (scan.next(&e)) {
		if (kept_by_kernel(e) || kept_for_emulator(e))
			continue;
		uint64_t start = e.start, end = e.end;
		if (self.overlaps(start, end)) {
			if (start < self.start)
				sys::munmap(start, self.start - start);
			if (end > self.end)
				sys::munmap(self.end, end - self.end);
			continue;
		}
		sys::munmap(start, end - start);
	}
}

[[noreturn]] void region_failed(uint32_t i, const char *what, long ret)
{
	char buf[512];
	ckpt::text t(buf, sizeof buf);
	message(t).str("region ").udec(i).str(" at 0x")
		.hex(g.tables.regions[i].start).str(": ").str(what);
	if (ret < 0)
		t.str(": ").errno_name(ret);
	die(t.ch('\n'));
}

// Maps region i's anonymous memory with the protection and commit
// accounting the app had: a private writable mapping is charged its whole
// size against the commit limit (vm.overcommit_memory) when it is made,
// one made MAP_NORESERVE or without PROT_WRITE is not (mmap(2), and
// mprotect charges the pages it makes writable). So a 64 GiB reservation
// comes back as cheaply as it was made.
void map_anon(uint32_t i, const image::region &r, int fixed)
{
	const uint64_t len = r.end - r.start;
	constexpr int map_droppable = 0x08; // MAP_DROPPABLE, 6.11+
	int flags = fixed | MAP_ANONYMOUS;
	flags |= r.flags & image::region_shared	     ? MAP_SHARED
		 : r.flags & image::region_droppable ? map_droppable
						     : MAP_PRIVATE;
	if (r.flags & image::region_noreserve)
		flags |= MAP_NORESERVE;
	if (r.kind == image::kind_stack)
		flags |= MAP_GROWSDOWN; // so that it still grows
	long addr = sys::mmap(r.start, len, (int)r.prot, flags, -1, 0);
	// Kernels before 4.17 and qemu-user take MAP_FIXED_NOREPLACE as a
	// hint: check where the memory landed.
	if ((uint64_t)addr != r.start) {
		if (!sys::failed(addr))
			sys::munmap(addr, len);
		region_failed(i, "cannot map", sys::failed(addr) ? addr
								  : -EEXIST);
	}
}

// Region data on its way into place: pieces of runs read by one preadv()
// of up to read_batch bytes in up to sys::iov_max pieces (a region touched
// in single pages takes one call per 1024 of them, not one each), then
// checked while they are still in the cache. Where the restorer has a
// second core (worker.h), one batch in two is read and checked there while
// this thread reads the next: the kernel's work of a restore, allocating
// and filling fresh pages, then runs on both cores. A region's checksum
// is its batches' joined in file order (crc32c_combine()). Pieces keeps
// a batch's runs whole: preadv_full() consumes iov.
constexpr uint64_t read_batch = 1 << 20;
struct read_lane {
	sys::iovec iov[sys::iov_max];
	sys::iovec pieces[sys::iov_max];
	unsigned n;
	uint64_t bytes;
	uint64_t file_off;
	long result; // preadv_full()'s
	uint32_t crc; // of this batch alone
	uint32_t job; // the worker's, while lane 0 is out there
};

struct {
	read_lane lanes[2]; // lane 0 goes to the worker, if there is one
	unsigned cur;	    // the lane being filled
	bool pending;	    // lane 0 is out on the worker
	ckpt::worker reader;
	bool reader_tried; // start() was called, at the first full batch
	bool reader_on;	   // and made it
	alignas(16) char reader_stack[32 << 10];
} reading;

// The worker, made when a region first needs more than one batch (a
// restore whose regions are small, or all mapped lazily, makes none).
// Without it (qemu-user: no CLONE_VM without CLONE_THREAD) every batch is
// read here.
bool have_reader()
{
	if (!reading.reader_tried) {
		reading.reader_tried = true;
		reading.reader_on =
			reading.reader.start(reading.reader_stack,
					     sizeof reading.reader_stack, true);
	}
	return reading.reader_on;
}

void read_lane_now(void *arg)
{
	read_lane &l = *static_cast<read_lane *>(arg);
	memcpy(l.iov, l.pieces, l.n * sizeof(sys::iovec));
	l.result = ckpt::preadv_full(g.fd, l.iov, l.n, l.file_off);
	l.crc = 0;
	for (unsigned k = 0; l.result == (long)l.bytes && k < l.n; k++)
		l.crc = ckpt::crc32c(l.crc, l.pieces[k].base, l.pieces[k].len);
}

// A lane read: its checksum joins the region's.
void collect(uint32_t i, read_lane &l, uint32_t *crc)
{
	if (l.result < 0)
		region_failed(i, "cannot read", l.result);
	if ((uint64_t)l.result != l.bytes)
		region_failed(i, "short file", 0);
	*crc = ckpt::crc32c_combine(*crc, l.crc, l.bytes);
	l.n = 0;
	l.bytes = 0;
}

void wait_for_worker(uint32_t i, uint32_t *crc)
{
	if (!reading.pending)
		return;
	if (!reading.reader.wait(reading.lanes[0].job))
		region_failed(i, "the restorer's reading process is gone", 0);
	reading.pending = false;
	collect(i, reading.lanes[0], crc);
}

// Reads the lane being filled: on the worker if it is lane 0, the
// region's next batch is to follow (more), and there is a worker; else
// here, after which both lanes are done.
void read_batched(uint32_t i, uint64_t *file_off, uint32_t *crc, bool more)
{
	read_lane &l = reading.lanes[reading.cur];
	if (!l.n)
		return;
	l.file_off = *file_off;
	*file_off += l.bytes;
	if (reading.cur == 0 && more && have_reader()) {
		l.job = reading.reader.post(read_lane_now, &l);
		if (!l.job)
			region_failed(i, "the restorer's reading process is "
					 "gone", 0);
		reading.pending = true;
		reading.cur = 1;
		return;
	}
	read_lane_now(&l);
	wait_for_worker(i, crc);
	collect(i, l, crc);
	reading.cur = 0;
}

// Reads a region's runs (the next ones of *run) into place, checking the
// bytes a batch at a time. A region the app could not write is made
// writable one run at a time, so that only the stored pages are charged
// (see map_anon), and protected again.
void read_region(uint32_t i, const image::region &r, const image::run *&run)
{
	const bool unwritable = !(r.prot & PROT_WRITE);
	uint32_t crc = 0;
	uint64_t file_off = r.data_offset;
	for (uint32_t k = 0; k < r.run_count; k++, run++) {
		if (unwritable) {
			long ret = sys::mprotect(r.start + run->offset,
						 run->length,
						 PROT_READ | PROT_WRITE);
			if (ret < 0)
				region_failed(i, "mprotect", ret);
		}
		for (uint64_t off = 0; off < run->length;) {
			read_lane &l = reading.lanes[reading.cur];
			const uint64_t room = read_batch - l.bytes;
			const uint64_t len = run->length - off < room
						     ? run->length - off
						     : room;
			char *dst = (char *)r.start + run->offset + off;
			sys::iovec *last = l.n ? &l.pieces[l.n - 1] : nullptr;
			if (last && (char *)last->base + last->len == dst)
				last->len += len;
			else
				l.pieces[l.n++] = {dst, len};
			l.bytes += len;
			off += len;
			if (l.bytes == read_batch || l.n == sys::iov_max)
				read_batched(i, &file_off, &crc, true);
		}
	}
	read_batched(i, &file_off, &crc, false);
	wait_for_worker(i, &crc);
	reading.cur = 0;
	if (crc != r.data_crc)
		region_failed(i, image::describe(image::fault::data_crc_mismatch),
			      0);
	if (unwritable && r.run_count) {
		long ret = sys::mprotect(r.start, r.end - r.start, r.prot);
		if (ret < 0)
			region_failed(i, "mprotect", ret);
	}
}

// Lazy restore maps runs straight from the image (each starts on a page
// of the file). A region qualifies when it is readable (an unreadable
// private file mapping would not be saved again by a later checkpoint),
// private, not the stack (MAP_GROWSDOWN is anonymous only), holds none of
// the records the restorer reads or jumps through (records.cc), and while
// the runs so mapped fit vm.max_map_count as planned (map_count.cc): each
// is a mapping of its own, and so is each gap between them.
bool maps_lazily(const image::region &r)
{
	return g.opts.lazy && (r.prot & PROT_READ) &&
	       !(r.flags & (image::region_shared | image::region_wipeonfork |
			    image::region_droppable)) &&
	       r.kind != image::kind_stack && !holds_record(r) && lazy_fits(r);
}

// Maps a region's runs from the image over its anonymous mapping, with
// the region's protection; false if the file system refuses that
// protection (noexec), and then the region is as it was.
bool map_region_lazily(uint32_t i, const image::region &r,
		       const image::run *&run)
{
	uint64_t file_off = r.data_offset;
	const image::run *first = run;
	for (uint32_t k = 0; k < r.run_count; k++, run++) {
		long addr = sys::mmap(r.start + run->offset, run->length, r.prot,
				      MAP_PRIVATE | MAP_FIXED, g.fd, file_off);
		if (addr == -EPERM || addr == -EACCES) {
			run = first;
			map_anon(i, r, MAP_FIXED);
			return false;
		}
		if ((uint64_t)addr != r.start + run->offset)
			region_failed(i, "cannot map from the image",
				      sys::failed(addr) ? addr : -EEXIST);
		file_off += run->length;
	}
	return true;
}

// A region of guard pages (its data, none, in place): reading it must
// fault again. MADV_GUARD_INSTALL (kernel 6.13+); qemu-user ignores it.
void guard(uint32_t i, const image::region &r)
{
	constexpr int guard_install = 102; // MADV_GUARD_INSTALL
	if (!(r.flags & image::region_guard))
		return;
	long ret = sys::madvise(r.start, r.end - r.start, guard_install);
	if (ret < 0)
		region_failed(i, "cannot install its guard pages", ret);
}

void map_regions()
{
	const image::run *run = g.tables.runs;
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if (r.kind == image::kind_kernel)
			continue;
		if (r.flags & (image::region_file_backed |
			       image::region_content)) {
			map_file_region(i, r);
		} else if (r.flags & image::region_file_private) {
			// From its file, and over it the pages the app had
			// changed.
			map_file_region(i, r);
			read_region(i, r, run);
		} else if (maps_shared_file(i)) {
			map_shared_file(i, r);
			read_region(i, r, run);
		} else {
			map_anon(i, r, MAP_FIXED_NOREPLACE);
			// Its pages come from the whole chain: fill_chain().
			if (r.flags & image::region_incremental)
				run += r.run_count;
			else if (!maps_lazily(r) ||
				 !map_region_lazily(i, r, run))
				read_region(i, r, run);
		}
		guard(i, r);
		advise_region(i, r);
	}
	// Every lane was collected: it has nothing left to do but exit.
	if (reading.reader_on)
		reading.reader.stop();
}

} // namespace

void restore()
{
	char buf[1024];
	ckpt::text err(buf, sizeof buf);
	const uint64_t all = ~0ull;
	sys::rt_sigprocmask(SIG_SETMASK, &all, nullptr);

	long n = ckpt::read_file("/proc/self/maps", g.maps, sizeof g.maps);
	if (n < 0)
		fail(message(err).str("cannot read /proc/self/maps: ")
			     .errno_name(n).ch('\n'));
	if (!check_vdso(err) || !check_address_space(err) ||
	    !check_records(err) || !check_signals(err) ||
	    !plan_mappings(err) || !prepare_files(err) || !prepare_attrs(err) ||
	    !prepare_process(err) || !prepare_timers_and_signals(err) ||
	    !check_memory_limits(err) || !apply_file_policies(err))
		fail(err);

	// The point of no return: from here on a failure kills the process.
	unmap_all_but_self();
	move_vdso();
	map_regions();
	fill_chain();
	bool mm_set = restore_mm();
	restore_signals();
	restore_process();
	restore_files();

	const range self = self_range();
	const image::tables &tb = g.tables;
	auto *resume = reinterpret_cast<image::resume_args *>(
		tb.process->resume_addr);
	*resume = {self.start, self.end,
		   mm_set ? 0 : (uint64_t)image::resume_foreign_break,
		   tb.thread_count, 0};
	sys::close(g.fd);

	start_threads(g.thread_stacks);
	// This thread becomes the group leader, the first record.
	const image::thread_record &leader = tb.threads[0];
	restore_thread(leader);
	recheck_records();
	arm_timers();
	restore_limits_and_timers();
	// The jump happens with every signal blocked: a timer that expires
	// now must not run the app's handler on the restorer's stack. The
	// runtime puts the app's mask back itself once it has unmapped the
	// restorer (ckpt_checkpoint() on its return; a signal checkpoint's
	// handler returns through rt_sigreturn, which takes the frame's).
	close_messages();
	release_threads();
	ckpt_arch_resume(reinterpret_cast<const arch::context *>(
		leader.context_addr));
}

} // namespace restorer
