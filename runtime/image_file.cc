// The file a new image is written to: O_TMPFILE, linked into place when
// complete, or a named temporary; and the removal of named temporaries
// that killed checkpoints left behind.
#include "runtime/image_file.h"

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

#include "arch/sys.h"
#include "runtime/dirents.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

// The directory part of path ("." for none), into dir (cap bytes); the
// offset of the last component in path.
size_t split(const char *path, char *dir, size_t cap)
{
	size_t n = str_len(path), slash = n;
	while (slash > 0 && path[slash - 1] != '/')
		slash--;
	if (slash == 0) {
		str_copy(dir, cap, ".");
		return 0;
	}
	size_t k = slash > 1 ? slash - 1 : 1; // "/x": the root
	if (k >= cap)
		k = cap - 1;
	memcpy(dir, path, k);
	dir[k] = 0;
	return slash;
}

// An OFD lock (F_OFD_SETLK) belongs to the open file description, not to
// the process: only the writer's descriptor holds it, the kernel drops
// it when the writer dies however it dies, and it conflicts with another
// process's attempt to take it.
long lock(long fd)
{
	struct flock l = {};
	l.l_type = F_WRLCK;
	l.l_whence = 0; // SEEK_SET; l_len 0: the whole file
	return sys::fcntl((int)fd, F_OFD_SETLK, (long)&l);
}

// "<base>.tmp." followed by digits and dots: a name create_image_file
// gives.
bool temp_name_of(const char *name, const char *base, size_t base_len)
{
	if (memcmp(name, base, base_len) != 0 ||
	    !starts_with(name + base_len, ".tmp."))
		return false;
	const char *p = name + base_len + 5;
	if (!*p)
		return false;
	for (; *p; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return false;
	return true;
}

// Removes name (in dir) if it is a temporary whose writer is dead: our
// own regular file that nobody holds locked. A file someone replaced it
// with in between (another inode) stays.
void remove_if_dead(long dir, const char *name)
{
	long fd = sys::openat((int)dir, name,
			      O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
				      O_CLOEXEC);
	if (fd < 0)
		return;
	struct statx st = {}, now = {};
	const unsigned mask = STATX_TYPE | STATX_UID | STATX_INO;
	if (sys::statx((int)fd, "", AT_EMPTY_PATH, mask, &st) == 0 &&
	    (st.stx_mode & S_IFMT) == S_IFREG &&
	    st.stx_uid == (uint32_t)sys::geteuid() && lock(fd) == 0 &&
	    sys::statx((int)dir, name, AT_SYMLINK_NOFOLLOW, mask, &now) == 0 &&
	    now.stx_ino == st.stx_ino && now.stx_dev_major == st.stx_dev_major &&
	    now.stx_dev_minor == st.stx_dev_minor)
		sys::unlinkat((int)dir, name, 0);
	sys::close((int)fd);
}

void remove_stale(long dir, const char *base, char *buf, size_t len)
{
	const size_t base_len = str_len(base);
	long n;
	while ((n = sys::getdents64((int)dir, buf, len)) > 0) {
		for_each_dirent(buf, n, [&](const char *name) {
			if (temp_name_of(name, base, base_len))
				remove_if_dead(dir, name);
			return true;
		});
	}
}

long fail(text &msg, long err, const char *what)
{
	msg.str(what).str(": ").errno_name(err);
	return err;
}

} // namespace

long create_image_file(const char *path, image_file &f, char *buf,
		       size_t len, text &msg)
{
	f = {};
	text tmp(f.tmp, sizeof f.tmp);
	tmp.str(path).str(".tmp.").dec(sys::getpid());
	if (tmp.size() + 8 >= sizeof f.tmp)
		return fail(msg, -ENAMETOOLONG, path);
	// Not on the stack: a signal checkpoint runs on the app's.
	constexpr size_t dir_cap = 4096;
	char *dir_path = buf;
	const size_t base = split(path, dir_path, dir_cap);
	// A directory we may write to but not list: no cleaning up there.
	long dir = sys::open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		remove_stale(dir, path + base, buf + dir_cap, len - dir_cap);
		sys::close((int)dir);
	}
	f.fd = sys::open(dir_path, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	// No O_TMPFILE: the file system has none (EOPNOTSUPP), or the
	// kernel took it for O_DIRECTORY (EISDIR) or does not know it.
	if (f.fd == -EOPNOTSUPP || f.fd == -EISDIR || f.fd == -EINVAL) {
		f.named = true;
		f.fd = sys::open(f.tmp, O_WRONLY | O_CREAT | O_EXCL |
						O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (f.fd < 0)
		return fail(msg, f.fd, f.named ? f.tmp : dir_path);
	// Without OFD locks (EINVAL: before 3.15) a named temporary left by
	// a kill is never proven dead, and stays.
	lock(f.fd);
	return 0;
}

long publish_image_file(const char *path, image_file &f, text &msg)
{
	long ret = 0;
	if (!f.named) {
		// linkat of /proc/self/fd/N with AT_SYMLINK_FOLLOW needs no
		// privilege (AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH). A
		// temporary name first: linkat never replaces a file.
		char proc[32];
		text p(proc, sizeof proc);
		p.str("/proc/self/fd/").dec(f.fd);
		text tmp(f.tmp, sizeof f.tmp);
		tmp.str(path).str(".tmp.").dec(sys::getpid());
		const size_t n = tmp.size();
		for (int k = 1; k <= 8; k++) {
			ret = sys::linkat(AT_FDCWD, proc, AT_FDCWD, f.tmp,
					  AT_SYMLINK_FOLLOW);
			if (ret != -EEXIST)
				break;
			text again(f.tmp + n, sizeof f.tmp - n);
			again.ch('.').dec(k);
		}
		// Without /proc (or sandboxed from it): root may link the
		// descriptor itself.
		if (ret < 0 && ret != -EEXIST)
			ret = sys::linkat((int)f.fd, "", AT_FDCWD, f.tmp,
					  AT_EMPTY_PATH);
		if (ret < 0)
			return fail(msg, ret, "cannot link the new image");
		f.named = true;
	}
	// Renamed while still locked: a checkpoint cleaning up at that
	// moment must not take the named file for a dead one.
	ret = sys::renameat(AT_FDCWD, f.tmp, AT_FDCWD, path);
	if (ret < 0)
		return fail(msg, ret, path);
	f.named = false;
	ret = sys::close((int)f.fd);
	f.fd = -1;
	if (ret < 0)
		return fail(msg, ret, "close");
	return 0;
}

void discard_image_file(image_file &f)
{
	if (f.fd >= 0)
		sys::close((int)f.fd);
	if (f.named)
		sys::unlinkat(AT_FDCWD, f.tmp, 0);
	f.fd = -1;
	f.named = false;
}

} // namespace ckpt
