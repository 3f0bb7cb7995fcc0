// A file's status, by statx or, where statx is refused, by fstatat.
#pragma once

#include "arch/sys.h"

namespace ckpt {

// statx(dirfd, path, flags) for type, mode, links, inode, size and
// devices; a seccomp filter or an old kernel may refuse statx (ENOSYS,
// EPERM), and then newfstatat answers the same. 0 or -errno.
long file_status(int dirfd, const char *path, int flags, struct statx *st);

} // namespace ckpt
