// What smaps' VmFlags say of the regions: MAP_NORESERVE, memory advice
// and locking; and which regions map one file that only mappings hold.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/image.h"

namespace ckpt {

// What the regions need of one mapping's smaps record.
struct vma_flags {
	uint64_t start, end, inode;
	uint32_t dev;  // major << 20 | minor
	uint32_t bits; // region_noreserve, region_dontfork ... region_droppable
	bool deleted;  // a deleted file or memfd mapped shared
	bool hugetlb;
};

struct vma_list {
	vma_flags *items;
	uint32_t cap, count;
};

// Reads /proc/self/smaps into list through buf (cap bytes). This is the
// expensive half, a walk of every page table entry (about 20 ms per GiB):
// the writer runs it on its worker (worker.h) while it reads pagemap.
void read_vm_flags(vma_list &list, char *buf, size_t cap);

// Sets region_noreserve and the advice bits (region_dontfork ...
// region_droppable) on each of the count regions (sorted, as the writer
// makes them) that lies in a mapping whose smaps VmFlags say so, and adds
// a section 23 entry (add_shared_file()) for each shared mapping of a
// deleted file or memfd that no stored file covers, as far as smaps was
// read: a region it did not reach comes back with commit charge and no
// advice, as any private mapping.
void mark_vm_flags(image::region *regions, uint32_t count,
		   const vma_list &list);

// Calls line(ctx, p, end) for each line of /proc/self/smaps (without its
// newline), read through buf (cap bytes, more than its longest line);
// false if it could not be read whole.
bool scan_smaps(char *buf, size_t cap,
		void (*line)(void *ctx, const char *p, const char *end),
		void *ctx);

// The advice and locking bits (region_dontfork ...) a VmFlags line's
// mnemonics, [flags, end), name.
uint32_t advice_bits(const char *flags, const char *end);

} // namespace ckpt
