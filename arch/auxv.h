// Lookups in an auxiliary vector (key/value pairs ending with AT_NULL), as
// the kernel leaves it on the initial stack and in /proc/self/auxv.
#pragma once

#include <stdint.h>

#include <linux/auxvec.h>

namespace sys {

// The value for key, or fallback when auxv is null or has no such entry.
static inline uint64_t auxv_value(const uint64_t *auxv, uint64_t key,
				  uint64_t fallback)
{
	for (; auxv && auxv[0] != AT_NULL; auxv += 2) {
		if (auxv[0] == key)
			return auxv[1];
	}
	return fallback;
}

} // namespace sys
