// What smaps' VmFlags say of the regions: MAP_NORESERVE, memory advice
// and locking; and which regions map one file that only mappings hold.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/image.h"

namespace ckpt {

// Sets region_noreserve and the advice bits (region_dontfork ...
// region_droppable) on each of the count regions (sorted, as the writer
// makes them) that lies in a mapping whose smaps VmFlags say so, and adds
// a section 23 entry (add_shared_file()) for each shared mapping of a
// deleted file or memfd that no stored file covers. buf (cap bytes) is
// working memory. Without smaps nothing is marked: the regions then come
// back with commit charge and no advice, as any private mapping.
void mark_vm_flags(image::region *regions, uint32_t count, char *buf,
		   size_t cap);

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
