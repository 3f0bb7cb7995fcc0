// Whole reads and writes over raw file descriptors.
//
// read() and write() may move fewer bytes than asked (signals, pipes,
// large counts): a short count is progress, EINTR is a retry.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/sys.h"

namespace ckpt {

// Writes all len bytes; 0 or -errno.
long write_all(int fd, const void *buf, size_t len);

// Writes all the bytes of iov[0..n) (n <= sys::iov_max) in order; 0 or
// -errno. The entries are consumed: on return they are not what they were.
long writev_all(int fd, sys::iovec *iov, unsigned n);

// Reads into iov[0..n) from off until they are full or the file ends; the
// byte count or -errno. The entries are consumed likewise.
long preadv_full(int fd, sys::iovec *iov, unsigned n, uint64_t off);

// Reads until len bytes or end of file; the byte count or -errno.
long read_full(int fd, void *buf, size_t len);

// The same at a file offset, leaving the file position alone.
long pread_full(int fd, void *buf, size_t len, uint64_t off);

// Reads a whole (proc) file into buf, terminated; the length or -errno,
// -E2BIG if it does not fit.
long read_file(const char *path, char *buf, size_t cap);

// Reads a file that holds one number, as /proc/sys files do; false if it
// cannot be read or holds something else.
bool read_number_file(const char *path, uint64_t *v);

} // namespace ckpt
