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
