// A socket address as the user reads it ("127.0.0.1:8080", "[::1]:53",
// "/run/x.sock", "@abstract"), for the runtime's and the restorer's
// messages.
#pragma once

#include <stdint.h>

#include "runtime/fmt.h"

namespace ckpt {

inline text &socket_address(text &t, const uint8_t *a, uint32_t len)
{
	constexpr uint32_t af_unix = 1, af_inet = 2, af_inet6 = 10;
	const uint32_t family = len >= 2 ? a[0] | a[1] << 8 : 0;
	if (family == af_inet && len >= 8)
		return t.udec(a[4]).ch('.').udec(a[5]).ch('.').udec(a[6])
			.ch('.').udec(a[7]).ch(':').udec(a[2] << 8 | a[3]);
	if (family == af_inet6 && len >= 24) {
		t.ch('[');
		for (int k = 0; k < 8; k++) {
			if (k)
				t.ch(':');
			t.hex(a[8 + 2 * k] << 8 | a[9 + 2 * k]);
		}
		return t.str("]:").udec(a[2] << 8 | a[3]);
	}
	if (family == af_unix) {
		if (len <= 2)
			return t.str("(unnamed)");
		// An abstract name starts with a NUL: shown as '@'.
		const uint32_t start = a[2] == 0 ? 3 : 2;
		if (start == 3)
			t.ch('@');
		for (uint32_t k = start; k < len && (start == 3 || a[k]); k++)
			t.ch(a[k] >= 0x20 && a[k] < 0x7f ? (char)a[k] : '?');
		return t;
	}
	return t.str("(family ").udec(family).ch(')');
}

} // namespace ckpt
