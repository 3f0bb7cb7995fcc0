// Walking what getdents64() returns, for the runtime and the restorer.
#pragma once

#include <stdint.h>

#include "runtime/str.h"

namespace ckpt {

// Calls fn(name) for each record in the n bytes getdents64() put in buf,
// until fn returns false; false then. A linux_dirent64 is d_ino (8
// bytes), d_off (8), d_reclen (2), d_type (1), then the name.
template <typename F> bool for_each_dirent(const char *buf, long n, F fn)
{
	for (long pos = 0; pos < n;) {
		const char *d = buf + pos;
		uint16_t reclen;
		memcpy(&reclen, d + 16, sizeof reclen);
		pos += reclen;
		if (!fn(d + 19))
			return false;
	}
	return true;
}

// The number a /proc directory entry names (a tid, an fd); false for
// "." and "..".
inline bool dirent_number(const char *name, uint64_t *v)
{
	return parse_u64(name, str_len(name), v);
}

} // namespace ckpt
