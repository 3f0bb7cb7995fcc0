// File locks at checkpoint: the flock(), POSIX and OFD locks the process
// holds, as the "lock:" lines of /proc/self/fdinfo/N show them on the
// open file each was taken through, e.g.
//   lock:	1: POSIX  ADVISORY  WRITE 1234 fe:00:10985604 10 19
//   lock:	2: FLOCK  ADVISORY  WRITE 1234 fe:00:10985604 0 EOF
//   lock:	3: OFDLCK ADVISORY  READ -1 fe:00:10985604 100 EOF
// (id, kind, ADVISORY, mode, pid, dev:ino, first and last byte). The
// kernel lists there a POSIX lock only on the open file it was set through
// (fl_file), so each lock is found once. Leases are named, not saved.
#include <linux/errno.h>

#include "arch/sys.h"
#include "runtime/fdinfo.h"
#include "runtime/io.h"
#include "runtime/process.h"
#include "runtime/str.h"

namespace ckpt {

lock_table saved_locks;

namespace {

// One fdinfo: a few hundred lock lines fit. Not on the stack (a signal
// checkpoint runs on the app's); checkpoint() is never reentered.
char info[1 << 16];

void warn(const image::fd_entry &e, const char *strings, const char *what,
	  long err = 0)
{
	warn_fd(e, strings, what, err, "\n");
}

// The next word of [*s, end) (spaces and tabs skipped) into [*w, *n).
bool word(const char **s, const char *end, const char **w, size_t *n)
{
	const char *p = *s;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *start = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	*w = start;
	*n = (size_t)(p - start);
	*s = p;
	return *n != 0;
}

bool is(const char *w, size_t n, const char *s)
{
	return n == str_len(s) && memcmp(w, s, n) == 0;
}

// One "lock:" line's fields after the id, [s, end), into l; false with
// *why set if it is no lock that can come back.
bool parse(const char *s, const char *end, image::file_lock *l,
	   const char **why)
{
	const char *w;
	size_t n;
	*why = "cannot parse a lock in its fdinfo";
	if (!word(&s, end, &w, &n)) // "1:"
		return false;
	if (!word(&s, end, &w, &n))
		return false;
	if (is(w, n, "FLOCK"))
		l->kind = image::lock_flock;
	else if (is(w, n, "POSIX"))
		l->kind = image::lock_posix;
	else if (is(w, n, "OFDLCK"))
		l->kind = image::lock_ofd;
	else {
		if (is(w, n, "LEASE") || is(w, n, "DELEG"))
			*why = "a lease (F_SETLEASE) on it is not saved";
		return false;
	}
	if (!word(&s, end, &w, &n) || !is(w, n, "ADVISORY"))
		return false;
	if (!word(&s, end, &w, &n))
		return false;
	if (is(w, n, "WRITE"))
		l->write = 1;
	else if (!is(w, n, "READ"))
		return false;
	uint64_t start, last;
	if (!word(&s, end, &w, &n) || !word(&s, end, &w, &n) || // pid, dev:ino
	    !word(&s, end, &w, &n) || !parse_u64(w, n, &start) ||
	    !word(&s, end, &w, &n))
		return false;
	if (is(w, n, "EOF"))
		last = image::lock_to_eof;
	else if (!parse_u64(w, n, &last) || last < start)
		return false;
	l->start = start;
	l->end = last;
	return true;
}

void save_locks_of(const image::fd_entry *fds, uint32_t i,
		   const char *strings)
{
	const image::fd_entry &e = fds[i];
	long n = read_fdinfo(e.fd, info, sizeof info);
	if (n < 0) {
		// Gone (another thread closed it), or no fdinfo: nothing to
		// say unless it held locks, which we cannot know.
		if (n != -ENOENT)
			warn(e, strings, "cannot read its fdinfo for locks, "
					 "its locks will not come back", n);
		return;
	}
	const char *s = info, *end = info + n;
	while (s < end) {
		const char *eol = s;
		while (eol < end && *eol != '\n')
			eol++;
		if (starts_with(s, "lock:")) {
			image::file_lock l = {};
			l.fd_index = i;
			const char *why;
			if (!parse(s + 5, eol, &l, &why))
				warn(e, strings, why);
			else if (saved_locks.count == image::max_locks)
				warn(e, strings, "too many file locks: this "
						 "one will not come back");
			else
				saved_locks.items[saved_locks.count++] = l;
		}
		s = eol + 1;
	}
}

} // namespace

void save_locks(const image::fd_entry *fds, uint32_t count,
		const char *strings)
{
	saved_locks.count = 0;
	for (uint32_t i = 0; i < count; i++) {
		const image::fd_entry &e = fds[i];
		// The kernel objects of the anon inodes take no locks.
		if (e.dup_of != -1 || (e.flags & image::fd_lost) ||
		    e.kind == image::fd_anon || e.kind == image::fd_eventfd ||
		    e.kind == image::fd_epoll || e.kind == image::fd_timerfd ||
		    e.kind == image::fd_signalfd)
			continue;
		save_locks_of(fds, i, strings);
	}
}

} // namespace ckpt
