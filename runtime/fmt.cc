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
	char name[16];
	char what[40];
};

// Every error the system calls of a checkpoint or a restore can return
// (open, mmap, fcntl, dup3, prlimit, statx, read, write, rename, ...):
// Linux's numbers, the same on x86_64 and aarch64.
constexpr errno_text errno_texts[] = {
	{1, "EPERM", "operation not permitted"},
	{2, "ENOENT", "no such file or directory"},
	{3, "ESRCH", "no such process"},
	{4, "EINTR", "interrupted system call"},
	{5, "EIO", "input/output error"},
	{6, "ENXIO", "no such device or address"},
	{7, "E2BIG", "argument list too long"},
	{8, "ENOEXEC", "exec format error"},
	{9, "EBADF", "bad file descriptor"},
	{10, "ECHILD", "no child processes"},
	{11, "EAGAIN", "resource temporarily unavailable"},
	{12, "ENOMEM", "cannot allocate memory"},
	{13, "EACCES", "permission denied"},
	{14, "EFAULT", "bad address"},
	{15, "ENOTBLK", "block device required"},
	{16, "EBUSY", "device or resource busy"},
	{17, "EEXIST", "file exists"},
	{18, "EXDEV", "invalid cross-device link"},
	{19, "ENODEV", "no such device"},
	{20, "ENOTDIR", "not a directory"},
	{21, "EISDIR", "is a directory"},
	{22, "EINVAL", "invalid argument"},
	{23, "ENFILE", "too many open files in system"},
	{24, "EMFILE", "too many open files"},
	{25, "ENOTTY", "inappropriate ioctl for device"},
	{26, "ETXTBSY", "text file busy"},
	{27, "EFBIG", "file too large"},
	{28, "ENOSPC", "no space left on device"},
	{29, "ESPIPE", "illegal seek"},
	{30, "EROFS", "read-only file system"},
	{31, "EMLINK", "too many links"},
	{32, "EPIPE", "broken pipe"},
	{33, "EDOM", "numerical argument out of domain"},
	{34, "ERANGE", "numerical result out of range"},
	{35, "EDEADLK", "resource deadlock avoided"},
	{36, "ENAMETOOLONG", "file name too long"},
	{37, "ENOLCK", "no locks available"},
	{38, "ENOSYS", "function not implemented"},
	{39, "ENOTEMPTY", "directory not empty"},
	{40, "ELOOP", "too many levels of symbolic links"},
	{61, "ENODATA", "no data available"},
	{62, "ETIME", "timer expired"},
	{71, "EPROTO", "protocol error"},
	{74, "EBADMSG", "bad message"},
	{75, "EOVERFLOW", "value too large for defined data type"},
	{84, "EILSEQ", "invalid or incomplete multibyte char"},
	{88, "ENOTSOCK", "socket operation on non-socket"},
	{92, "ENOPROTOOPT", "protocol not available"},
	{93, "EPROTONOSUPPORT", "protocol not supported"},
	{95, "EOPNOTSUPP", "operation not supported"},
	{97, "EAFNOSUPPORT", "address family not supported"},
	{98, "EADDRINUSE", "address already in use"},
	{99, "EADDRNOTAVAIL", "cannot assign requested address"},
	{104, "ECONNRESET", "connection reset by peer"},
	{105, "ENOBUFS", "no buffer space available"},
	{107, "ENOTCONN", "transport endpoint is not connected"},
	{110, "ETIMEDOUT", "connection timed out"},
	{111, "ECONNREFUSED", "connection refused"},
	{116, "ESTALE", "stale file handle"},
	{121, "EREMOTEIO", "remote I/O error"},
	{122, "EDQUOT", "disk quota exceeded"},
	{125, "ECANCELED", "operation canceled"},
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
