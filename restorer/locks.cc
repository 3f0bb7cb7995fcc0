// File locks of the restored process: each lock the image holds is taken
// again on the descriptor of its open file. flock() and OFD locks belong
// to the open file, so they are taken before the point of no return on
// the temporary descriptor, which dup3() then puts in place. POSIX locks
// belong to the process and are released by any close() of a descriptor
// of their file (fcntl(2)), which restore_files() does to every temporary
// one: they are only tested (F_GETLK) before the point of no return and
// taken once the descriptors are in place. A lock that another process
// holds now (the original, still running) refuses the restore, naming the
// file and the range.
#include <linux/errno.h>
#include <linux/fcntl.h>

#include "arch/sys.h"
#include "restorer/restorer.h"

namespace restorer {

namespace {

constexpr char kind_names[3][6] = {"flock", "posix", "ofd"};

ckpt::text &named(ckpt::text &t, const image::file_lock &l)
{
	const image::fd_entry &e = g.tables.fds[l.fd_index];
	return message(t).str("fd ").dec(e.fd).str(" (")
		.str(g.tables.strings + e.name).str(")");
}

// "posix write, bytes 10-19"
ckpt::text &describe(ckpt::text &t, const image::file_lock &l)
{
	t.str(kind_names[l.kind]).str(l.write ? " write" : " read");
	if (l.kind == image::lock_flock)
		return t.str(", the whole file");
	t.str(", bytes ").udec(l.start).ch('-');
	return l.end == image::lock_to_eof ? t.str("EOF") : t.udec(l.end);
}

struct flock as_flock(const image::file_lock &l)
{
	struct flock f = {};
	f.l_type = l.write ? F_WRLCK : F_RDLCK;
	f.l_whence = 0; // SEEK_SET
	f.l_start = (int64_t)l.start;
	f.l_len = l.end == image::lock_to_eof ? 0
					      : (int64_t)(l.end - l.start + 1);
	return f;
}

// Someone else's lock on l's range: -EAGAIN with its holder's pid in
// *pid (0: not known, an OFD or flock holder); 0 if there is none.
long conflict(int fd, const image::file_lock &l, int *pid)
{
	struct flock f = as_flock(l);
	long ret = sys::fcntl_lock(fd, l.kind == image::lock_ofd ? F_OFD_GETLK
								  : F_GETLK,
				   &f);
	if (ret < 0)
		return ret;
	*pid = f.l_pid > 0 ? f.l_pid : 0;
	return f.l_type == F_UNLCK ? 0 : -EAGAIN;
}

// Takes (or, a POSIX lock, tests) lock l on fd; false with err set.
bool take(ckpt::text &err, int fd, const image::file_lock &l, bool test)
{
	const char *what = "flock";
	long ret;
	int pid = 0;
	if (l.kind == image::lock_flock) {
		ret = sys::flock(fd, (l.write ? LOCK_EX : LOCK_SH) | LOCK_NB);
	} else if (l.kind == image::lock_ofd) {
		struct flock f = as_flock(l);
		what = "fcntl F_OFD_SETLK";
		ret = sys::fcntl_lock(fd, F_OFD_SETLK, &f);
		if (ret == -EAGAIN || ret == -EACCES)
			conflict(fd, l, &pid);
	} else if (test) {
		what = "fcntl F_GETLK";
		ret = conflict(fd, l, &pid);
	} else {
		struct flock f = as_flock(l);
		what = "fcntl F_SETLK";
		ret = sys::fcntl_lock(fd, F_SETLK, &f);
		if (ret == -EAGAIN || ret == -EACCES)
			conflict(fd, l, &pid);
	}
	if (ret == 0)
		return true;
	describe(named(err, l).str(": cannot take its lock again ("), l)
		.str("): ");
	// EWOULDBLOCK (flock) is EAGAIN; F_SETLK may say EACCES.
	if (ret == -EAGAIN || ret == -EACCES) {
		if (pid)
			err.str("process ").dec(pid).str(" holds one now\n");
		else
			err.str("another process holds one now\n");
	} else {
		err.str(what).str(": ").errno_name(ret).ch('\n');
	}
	return false;
}

} // namespace

bool prepare_locks(ckpt::text &err)
{
	for (uint32_t k = 0; k < g.tables.lock_count; k++) {
		const image::file_lock &l = g.tables.locks[k];
		const int fd = fd_now(l.fd_index);
		if (fd < 0) { // its descriptor was warned about
			char buf[4096 + 256];
			ckpt::text t(buf, sizeof buf);
			describe(named(t, l).str(": its lock ("), l)
				.str(") is not restored: the descriptor does "
				     "not come back\n");
			warn(t);
			continue;
		}
		if (!take(err, fd, l, true))
			return false;
	}
	return true;
}

void take_posix_locks()
{
	for (uint32_t k = 0; k < g.tables.lock_count; k++) {
		const image::file_lock &l = g.tables.locks[k];
		if (l.kind != image::lock_posix || fd_now(l.fd_index) < 0)
			continue;
		char buf[4096 + 256];
		ckpt::text t(buf, sizeof buf);
		if (!take(t, g.tables.fds[l.fd_index].fd, l, false))
			die(t);
	}
}

void lock_info(ckpt::text &t, uint32_t i)
{
	for (uint32_t k = 0; k < g.tables.lock_count; k++) {
		const image::file_lock &l = g.tables.locks[k];
		if (l.fd_index != i)
			continue;
		t.str(" lock ").str(kind_names[l.kind])
			.str(l.write ? " write" : " read");
		if (l.kind == image::lock_flock)
			continue;
		t.ch(' ').udec(l.start).ch('-');
		if (l.end == image::lock_to_eof)
			t.str("EOF");
		else
			t.udec(l.end);
	}
}

} // namespace restorer
