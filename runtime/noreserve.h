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

} // namespace ckpt
