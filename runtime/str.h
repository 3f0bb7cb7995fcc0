// String helpers for code that has no libc.
#pragma once

#include <stddef.h>
#include <stdint.h>

// Default visibility: in a hosted build (the fuzzer) these are libc's.
#pragma GCC visibility push(default)
extern "C" {
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
}
#pragma GCC visibility pop

namespace ckpt {

inline size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

inline bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

inline bool starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

// Copies at most cap - 1 bytes and terminates; false if s did not fit.
inline bool str_copy(char *dst, size_t cap, const char *s)
{
	size_t n = str_len(s);
	if (n >= cap)
		return false;
	memcpy(dst, s, n + 1);
	return true;
}

// The value of a lower-case hex digit, as /proc writes them; -1 if c is
// none.
inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

// Parses a decimal (or 0x-prefixed hex) number; false on anything else.
bool parse_u64(const char *s, size_t len, uint64_t *out);

} // namespace ckpt
