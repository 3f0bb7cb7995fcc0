// Builds messages in a fixed buffer, for code that may not call printf.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ckpt {

// Appends to a caller's buffer; silently truncates, always terminated.
class text {
public:
	text(char *buf, size_t cap) : buf_(buf), cap_(cap) { buf_[0] = 0; }

	text &str(const char *s);
	text &str(const char *s, size_t n);
	text &ch(char c) { return str(&c, 1); }
	text &dec(int64_t v);
	text &udec(uint64_t v);
	// Lower-case hex, no prefix, at least width digits.
	text &hex(uint64_t v, int width = 1);
	text &errno_name(long err); // "ENOSPC (no space left on device)"

	const char *c_str() const { return buf_; }
	size_t size() const { return len_; }

private:
	char *buf_;
	size_t cap_;
	size_t len_ = 0;
};

// Writes a whole message to fd 2, ignoring failure: there is nowhere
// else to report it.
void print_err(const text &t);
void print_out(const text &t);

} // namespace ckpt
