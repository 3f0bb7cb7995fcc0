// Message formatting without libc.
#include "runtime/fmt.h"

#include "runtime/io.h"
#include "runtime/str.h"

namespace ckpt {

text &text::str(const char *s, size_t n)
{
	for (size_t i = 0; i < n && len_ + 1 < cap_; i++)
		buf_[len_++] = s[i];
	buf_[len_] = 0;
	return *this;
}

text &text::str(const char *s)
{
	return str(s, str_len(s));
}

text &text::udec(uint64_t v)
{
	char digits[20];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		ch(digits[--n]);
	return *this;
}

text &text::dec(int64_t v)
{
	if (v < 0) {
		ch('-');
		return udec(-(uint64_t)v);
	}
	return udec(v);
}

text &text::hex(uint64_t v, int width)
{
	char digits[16];
	int n = 0;
	do {
		digits[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n < width && n < 16)
		digits[n++] = '0';
	while (n)
		ch(digits[--n]);
	return *this;
}

namespace {

// Arrays, not pointers: a table of pointers would be absolute addresses,
// which the restorer may not hold.
struct errno_text {
	int err;
	char name[14];
	char what[40];
};

// The errors a checkpoint or a restore can meet.
constexpr errno_text errno_texts[] = {
	{1, "EPERM", "operation not permitted"},
	{2, "ENOENT", "no such file or directory"},
	{4, "EINTR", "interrupted system call"},
	{5, "EIO", "input/output error"},
	{7, "E2BIG", "argument list too long"},
	{9, "EBADF", "bad file descriptor"},
	{11, "EAGAIN", "resource temporarily unavailable"},
	{12, "ENOMEM", "cannot allocate memory"},
	{13, "EACCES", "permission denied"},
	{14, "EFAULT", "bad address"},
	{16, "EBUSY", "device or resource busy"},
	{17, "EEXIST", "file exists"},
	{20, "ENOTDIR", "not a directory"},
	{21, "EISDIR", "is a directory"},
	{22, "EINVAL", "invalid argument"},
	{24, "EMFILE", "too many open files"},
	{27, "EFBIG", "file too large"},
	{28, "ENOSPC", "no space left on device"},
	{30, "EROFS", "read-only file system"},
	{36, "ENAMETOOLONG", "file name too long"},
	{38, "ENOSYS", "function not implemented"},
	{40, "ELOOP", "too many levels of symbolic links"},
	{61, "ENODATA", "no data available"},
	{75, "EOVERFLOW", "value too large for defined data type"},
	{95, "EOPNOTSUPP", "operation not supported"},
	{122, "EDQUOT", "disk quota exceeded"},
};

} // namespace

text &text::errno_name(long err)
{
	if (err < 0)
		err = -err;
	for (const auto &e : errno_texts) {
		if (e.err == err)
			return str(e.name).str(" (").str(e.what).ch(')');
	}
	return str("errno ").dec(err);
}

void print_err(const text &t)
{
	write_all(2, t.c_str(), t.size());
}

void print_out(const text &t)
{
	write_all(1, t.c_str(), t.size());
}

bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		if (v > (~0ull - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

} // namespace ckpt
