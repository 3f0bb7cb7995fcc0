// A file's status, by statx or fstatat.
#include "runtime/stat.h"

#include <linux/errno.h>

namespace ckpt {

namespace {

// st_dev and st_rdev as the kernel's new_encode_dev() packs them.
uint32_t dev_major(uint64_t dev)
{
	return (uint32_t)((dev >> 8) & 0xfff);
}

uint32_t dev_minor(uint64_t dev)
{
	return (uint32_t)((dev & 0xff) | ((dev >> 12) & 0xfff00));
}

} // namespace

long file_status(int dirfd, const char *path, int flags, struct statx *st)
{
	*st = {};
	long ret = sys::statx(dirfd, path, flags,
			      STATX_TYPE | STATX_MODE | STATX_NLINK |
				      STATX_INO | STATX_SIZE | STATX_MTIME,
			      st);
	// These say the file is not there or not ours to see: fstatat would
	// say the same.
	if (ret == 0 || ret == -ENOENT || ret == -ENOTDIR || ret == -EACCES ||
	    ret == -ELOOP || ret == -EBADF || ret == -ENAMETOOLONG)
		return ret;
	struct ::stat s = {};
	long old = sys::fstatat(dirfd, path, &s, flags);
	if (old < 0)
		return ret;
	st->stx_mode = (uint16_t)s.st_mode;
	st->stx_nlink = (uint32_t)s.st_nlink;
	st->stx_ino = s.st_ino;
	st->stx_size = (uint64_t)s.st_size;
	st->stx_dev_major = dev_major(s.st_dev);
	st->stx_dev_minor = dev_minor(s.st_dev);
	st->stx_rdev_major = dev_major(s.st_rdev);
	st->stx_rdev_minor = dev_minor(s.st_rdev);
	st->stx_mtime.tv_sec = (int64_t)s.st_mtime;
	st->stx_mtime.tv_nsec = (uint32_t)s.st_mtime_nsec;
	return 0;
}

} // namespace ckpt
