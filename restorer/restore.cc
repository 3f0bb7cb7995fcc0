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
	message(t).str("region ").udec(i).str(" at 0x").hex(g.regions[i].start)
		.str(": ").str(what);
	if (ret < 0)
		t.str(": ").errno_name(ret);
	die(t.ch('\n'));
}

// Reads a region's runs (the next ones of *run) into place, checking the
// bytes a chunk at a time while the chunk is still in the cache.
void read_region(uint32_t i, const image::region &r, const image::run *&run)
{
	constexpr uint64_t chunk = 1 << 20;
	uint32_t crc = 0;
	uint64_t file_off = r.data_offset;
	for (uint32_t k = 0; k < r.run_count; k++, run++) {
		for (uint64_t off = 0; off < run->length; off += chunk) {
			uint64_t len = run->length - off < chunk
					       ? run->length - off
					       : chunk;
			char *dst = (char *)r.start + run->offset + off;
			long n = ckpt::pread_full(g.fd, dst, len, file_off);
			if (n < 0)
				region_failed(i, "cannot read", n);
			if ((uint64_t)n != len)
				region_failed(i, "short file", 0);
			crc = ckpt::crc32c(crc, dst, len);
			file_off += len;
		}
	}
	if (crc != r.data_crc)
		region_failed(i, image::describe(image::fault::data_crc_mismatch),
			      0);
}

// Lazy restore maps runs straight from the image (each starts on a page
// of the file). A region qualifies when it is readable (an unreadable
// private file mapping would not be saved again by a later checkpoint),
// private, not the stack (MAP_GROWSDOWN is anonymous only), and while
// the runs so mapped stay well below vm.max_map_count (65530 by default):
// each is a mapping of its own, and so is each gap between them.
bool maps_lazily(const image::region &r)
{
	static uint32_t lazy_runs;
	constexpr uint32_t max_lazy_runs = 16384;
	if (!g.opts.lazy || !(r.prot & PROT_READ) ||
	    (r.flags & image::region_shared) || r.kind == image::kind_stack ||
	    r.run_count > max_lazy_runs - lazy_runs)
		return false;
	lazy_runs += r.run_count;
	return true;
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
			sys::mmap(r.start, r.end - r.start,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
			return false;
		}
		if ((uint64_t)addr != r.start + run->offset)
			region_failed(i, "cannot map from the image",
				      sys::failed(addr) ? addr : -EEXIST);
		file_off += run->length;
	}
	return true;
}

void map_regions()
{
	const image::run *run = g.runs;
	for (uint32_t i = 0; i < g.header.region_count; i++) {
		const image::region &r = g.regions[i];
		if (r.kind == image::kind_kernel)
			continue;
		if (r.flags & image::region_file_backed) {
			map_file_region(i, r);
			continue;
		}
		const uint64_t len = r.end - r.start;
		int flags = MAP_FIXED_NOREPLACE | MAP_ANONYMOUS;
		flags |= r.flags & image::region_shared ? MAP_SHARED
							  : MAP_PRIVATE;
		if (r.kind == image::kind_stack)
			flags |= MAP_GROWSDOWN; // so that it still grows
		long addr = sys::mmap(r.start, len, PROT_READ | PROT_WRITE,
				      flags, -1, 0);
		// Kernels before 4.17 and qemu-user take MAP_FIXED_NOREPLACE
		// as a hint: check where the memory landed.
		if ((uint64_t)addr != r.start) {
			if (!sys::failed(addr))
				sys::munmap(addr, len);
			region_failed(i, "cannot map", sys::failed(addr) ? addr
									  : -EEXIST);
		}
		if (!maps_lazily(r) || !map_region_lazily(i, r, run))
			read_region(i, r, run);
		if (r.prot != (PROT_READ | PROT_WRITE)) {
			long ret = sys::mprotect(r.start, len, r.prot);
			if (ret < 0)
				region_failed(i, "mprotect", ret);
		}
	}
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
	if (!check_vdso(err) || !prepare_files(err) || !prepare_process(err))
		fail(err);

	// The point of no return: from here on a failure kills the process.
	unmap_all_but_self();
	move_vdso();
	map_regions();
	bool mm_set = restore_mm();
	restore_signals();
	restore_process();
	restore_files();

	const range self = self_range();
	auto *resume = reinterpret_cast<image::resume_args *>(
		g.header.resume_addr);
	*resume = {self.start, self.end,
		   mm_set ? 0 : (uint64_t)image::resume_foreign_break};
	sys::close(g.fd);

	const image::header &h = g.header;
	long ret = arch::restore_thread_state(&h.thread.state);
	if (ret < 0)
		die(message(err).str("cannot restore the thread state: ")
			    .errno_name(ret).ch('\n'));
	restore_limits_and_timers();
	sys::rt_sigprocmask(SIG_SETMASK, &h.sigmask, nullptr);
	close_messages();
	ckpt_arch_resume(reinterpret_cast<const arch::context *>(
		h.context_addr));
}

} // namespace restorer
