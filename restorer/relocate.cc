// Getting out of the image's way: the restorer leaves the kernel's stack
// for its own, and copies itself to a free range first if the image needs
// the addresses it was loaded at. It can run anywhere because it holds no
// absolute addresses (linker/link-restorer.sh proves that at build time).
#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/str.h"

#define HIDDEN __attribute__((visibility("hidden")))
extern "C" HIDDEN char __restorer_start[], __text_end[], __rodata_start[],
	__rodata_end[], __data_start[], __restorer_end[];

namespace restorer {

__attribute__((section(".bss.restorer_stack"))) alignas(16) char stack[128 << 10];

namespace {

// A free range of len bytes that the image does not claim, reserved
// (PROT_NONE); 0 if none was found. The kernel picks the candidates, so
// they are never memory an emulator keeps for itself.
uint64_t reserve_hole(uint64_t len)
{
	constexpr int tries = 64;
	uint64_t rejected[tries];
	int n = 0;
	uint64_t found = 0;
	while (!found && n < tries) {
		long addr = sys::mmap(0, len, PROT_NONE,
				      MAP_PRIVATE | MAP_ANONYMOUS |
					      MAP_NORESERVE,
				      -1, 0);
		if (sys::failed(addr))
			break;
		if (claimed_by_image(addr, addr + len))
			rejected[n++] = addr; // keep it, so the next differs
		else
			found = addr;
	}
	while (n)
		sys::munmap(rejected[--n], len);
	return found;
}

bool all_zero(const uint64_t *p, size_t words)
{
	for (size_t i = 0; i < words; i++) {
		if (p[i])
			return false;
	}
	return true;
}

uint64_t page_up(uint64_t v)
{
	return (v + g.page_size - 1) & ~(uint64_t)(g.page_size - 1);
}

// Copies one part of the restorer (mapped from start to the end of the
// page holding end) to the same place in the copy at dst, with prot.
// Pages that are still zero are skipped: the fresh mapping is zero
// already, and most of the tables are untouched.
bool copy_part(uint64_t dst, const char *start, const char *end, int prot)
{
	const uint64_t from = (uint64_t)start, len = page_up((uint64_t)end) - from;
	const uint64_t to = dst + (from - self_range().start);
	if ((uint64_t)sys::mmap(to, len, PROT_READ | PROT_WRITE,
				MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1,
				0) != to)
		return false;
	for (uint64_t off = 0; off < len; off += g.page_size) {
		auto *src = reinterpret_cast<const uint64_t *>(from + off);
		if (!all_zero(src, g.page_size / 8))
			memcpy((void *)(to + off), src, g.page_size);
	}
	if (prot & PROT_EXEC)
		arch::sync_icache(to, to + len);
	return sys::mprotect(to, len, prot) == 0;
}

// Copies the restorer and its tables to dst, a reserved range of their
// size, and points the copy's state at its own tables.
bool copy_self(uint64_t dst)
{
	const uint64_t tables = self_image_end();
	if (!copy_part(dst, __restorer_start, __text_end,
		       PROT_READ | PROT_EXEC) ||
	    !copy_part(dst, __rodata_start, __rodata_end, PROT_READ) ||
	    !copy_part(dst, __data_start, __restorer_end,
		       PROT_READ | PROT_WRITE) ||
	    (g.tables_len &&
	     !copy_part(dst, (const char *)tables,
			(const char *)(tables + g.tables_len),
			PROT_READ | PROT_WRITE)))
		return false;
	const uint64_t delta = dst - self_range().start;
	auto moved = [delta](auto *p) {
		return reinterpret_cast<decltype(p)>((uint64_t)p + delta);
	};
	state *copy = moved(&g);
	copy->meta = moved(g.meta);
	copy->tables.process = moved(g.tables.process);
	copy->tables.threads = moved(g.tables.threads);
	copy->tables.regions = moved(g.tables.regions);
	copy->tables.runs = moved(g.tables.runs);
	copy->tables.fds = moved(g.tables.fds);
	copy->tables.strings = moved(g.tables.strings);
	return true;
}

} // namespace

bool claimed_by_image(uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if (range{r.start, r.end}.overlaps(start, end))
			return true;
	}
	return false;
}

// From the entry point to the end of the page that holds the end of the
// bss (what the loader mapped, gaps between the parts included), and the
// tables mapped right after it, where the break would start: the
// restorer never calls brk().
range self_range()
{
	return {(uint64_t)__restorer_start, self_image_end() + g.tables_len};
}

uint64_t self_image_end()
{
	return page_up((uint64_t)__restorer_end);
}

void start_restore()
{
	const range self = self_range();
	uint64_t delta = 0;
	if (claimed_by_image(self.start, self.end)) {
		char buf[256];
		ckpt::text err(buf, sizeof buf);
		uint64_t dst = reserve_hole(self.end - self.start);
		if (!dst)
			fail(message(err).str("no free address range to move "
					      "the restorer to\n"));
		if (!copy_self(dst))
			fail(message(err).str("cannot copy the restorer to 0x")
				     .hex(dst).ch('\n'));
		delta = dst - self.start;
	}
	// The same code and stack, delta bytes away; the old copy and the
	// kernel's stack are unmapped with everything else.
	auto entry = reinterpret_cast<void (*)()>((uint64_t)&restore + delta);
	ckpt_arch_jump(entry, stack + sizeof stack + delta);
}

} // namespace restorer
