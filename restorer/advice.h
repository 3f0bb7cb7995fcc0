// The advice a region can carry (region_dontfork ... region_nohugepage):
// the madvise() that applies it again and its name, for messages and
// --info. Locking and MAP_DROPPABLE are not madvise()s: advice.cc.
#pragma once

#include <stdint.h>

#include "runtime/image.h"

namespace restorer {

struct advice {
	uint32_t bit;
	int madv;
	char name[12];
};
// Arrays, not pointers: the restorer holds no absolute addresses.
inline constexpr advice advices[] = {
	{image::region_dontfork, 10, "dontfork"},     // MADV_DONTFORK
	{image::region_wipeonfork, 18, "wipeonfork"}, // MADV_WIPEONFORK
	{image::region_dontdump, 16, "dontdump"},     // MADV_DONTDUMP
	{image::region_hugepage, 14, "hugepage"},     // MADV_HUGEPAGE
	{image::region_nohugepage, 15, "nohugepage"}, // MADV_NOHUGEPAGE
};

} // namespace restorer
