// Getting out of the image's way: the restorer leaves the kernel's stack
// for its own, and copies itself to a free range first if the image needs
// the addresses it was loaded at. It can run anywhere because it holds no
// absolute addresses (linker/link-restorer.sh proves that at build time).
#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/str.h"

#define HIDDEN __attribute__((visibility("hidden")))
extern "C" HIDDEN char __restorer_start[], __text_end[], __rodata_end[],
	__restorer_end[];

namespace restorer {

namespace {

bool claimed_by_image(uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < g.header.region_count; i++) {
		if (range{g.regions[i].start, g.regions[i].end}.overlaps(start,
									  end))
			return true;
	}
	return false;
}

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

// Copies the restorer to dst (reserved, same size) and gives the copy the
// original's protections. Pages that are still zero are skipped: the
// fresh mapping is zero already, and most of the tables are untouched.
bool copy_self(uint64_t dst)
{
	const range self = self_range();
	const uint64_t len = self.end - self.start;
	long addr = sys::mmap(dst, len, PROT_READ | PROT_WRITE,
			      MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((uint64_t)addr != dst)
		return false;
	for (uint64_t off = 0; off < len; off += g.page_size) {
		auto *src = reinterpret_cast<const uint64_t *>(self.start + off);
		if (!all_zero(src, g.page_size / 8))
			memcpy((void *)(dst + off), src, g.page_size);
	}
	const uint64_t text = (uint64_t)__text_end - self.start;
	const uint64_t rodata = (uint64_t)__rodata_end - self.start;
	return sys::mprotect(dst, text, PROT_READ | PROT_EXEC) == 0 &&
	       sys::mprotect(dst + text, rodata - text, PROT_READ) == 0;
}

} // namespace

range self_range()
{
	return {(uint64_t)__restorer_start, (uint64_t)__restorer_end};
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
	ckpt_arch_jump(entry, g.stack + sizeof g.stack + delta);
}

} // namespace restorer
