// Whole reads and writes over raw file descriptors.
#include "runtime/io.h"

#include <linux/errno.h>

#include "arch/sys.h"
#include "runtime/str.h"

namespace ckpt {

long write_all(int fd, const void *buf, size_t len)
{
	auto *p = static_cast<const char *>(buf);
	while (len) {
		long n = sys::write(fd, p, len);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0)
			return -EIO; // write() of a positive count never makes 0
		p += n;
		len -= n;
	}
	return 0;
}

namespace {

// Drops the first done bytes of iov[0..*n): what a short transfer moved.
sys::iovec *advance(sys::iovec *iov, unsigned *n, uint64_t done)
{
	while (*n && done >= iov->len) {
		done -= iov->len;
		iov++;
		(*n)--;
	}
	if (*n) {
		iov->base = static_cast<char *>(iov->base) + done;
		iov->len -= done;
	}
	return iov;
}

} // namespace

long writev_all(int fd, sys::iovec *iov, unsigned n)
{
	while (n) {
		long done = sys::writev(fd, iov, n);
		if (done == -EINTR)
			continue;
		if (done < 0)
			return done;
		if (done == 0)
			return -EIO; // as in write_all()
		iov = advance(iov, &n, (uint64_t)done);
	}
	return 0;
}

long preadv_full(int fd, sys::iovec *iov, unsigned n, uint64_t off)
{
	uint64_t total = 0;
	while (n) {
		long done = sys::preadv(fd, iov, n, off + total);
		if (done == -EINTR)
			continue;
		if (done < 0)
			return done;
		if (done == 0)
			break;
		total += (uint64_t)done;
		iov = advance(iov, &n, (uint64_t)done);
	}
	return (long)total;
}

long read_full(int fd, void *buf, size_t len)
{
	auto *p = static_cast<char *>(buf);
	size_t done = 0;
	while (done < len) {
		long n = sys::read(fd, p + done, len - done);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

long pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	auto *p = static_cast<char *>(buf);
	size_t done = 0;
	while (done < len) {
		long n = sys::pread(fd, p + done, len - done, off + done);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

long read_file(const char *path, char *buf, size_t cap)
{
	long fd = sys::open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fd;
	long n = read_full(fd, buf, cap - 1);
	sys::close(fd);
	if (n < 0)
		return n;
	if ((size_t)n == cap - 1)
		return -E2BIG;
	buf[n] = 0;
	return n;
}

bool read_number_file(const char *path, uint64_t *v)
{
	char buf[32];
	long n = read_file(path, buf, sizeof buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	return n > 0 && parse_u64(buf, (size_t)n, v);
}

} // namespace ckpt
