// Which regions were mapped MAP_NORESERVE, from /proc/self/smaps.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/image.h"

namespace ckpt {

// Sets region_noreserve on each of the count regions (sorted, as the
// writer makes them) that lies in a mapping whose smaps VmFlags say "nr".
// buf (cap bytes) is working memory. Without smaps nothing is marked: the
// regions then come back with commit charge, as any private mapping.
void mark_noreserve(image::region *regions, uint32_t count, char *buf,
		    size_t cap);

} // namespace ckpt
