// /proc/self/fdinfo/N, which pipes.cc (eventfd, epoll), inotify.cc and
// locks.cc read at checkpoint: the text of one descriptor's entry, and
// the numbers in its "key: value" fields.
#pragma once

#include "arch/sys.h"

namespace ckpt {

// Reads /proc/self/fdinfo/<fd> into buf: its length, or -errno.
long read_fdinfo(int fd, char *buf, size_t cap);

// The number after key in [s, end) (spaces skipped), in base 10 or 16;
// false if key is not there or no digit follows it.
bool fdinfo_number(const char *s, const char *end, const char *key, int base,
		   uint64_t *v);

} // namespace ckpt
