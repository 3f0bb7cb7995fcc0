// The fd table of a checkpoint: one entry per open descriptor, whatever it
// refers to, so that the restorer can reopen what it can and name what it
// cannot. Also: which shared mappings the restorer maps from their file.
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kcmp.h>

#include "arch/sys.h"
#include "runtime/process.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

constexpr size_t path_max = 4096;

// file_backed()'s: not on the stack (a signal checkpoint runs on whatever
// stack the app had); checkpoint() is never reentered (its busy flag).
char path_buf[path_max + 1];

// "/proc/self/fd/N", terminated, into buf (32 bytes).
void fd_path(char *buf, int fd)
{
	text t(buf, 32);
	t.str("/proc/self/fd/").dec(fd);
}

bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = str_len(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

uint32_t kind_of(uint32_t mode, const char *link, size_t n)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		if (starts_with(link, "/memfd:"))
			return image::fd_memfd;
		return n && link[0] == '/' ? image::fd_file : image::fd_other;
	case S_IFDIR:
		return image::fd_dir;
	case S_IFCHR:
		return image::fd_chr;
	case S_IFBLK:
		return image::fd_blk;
	case S_IFIFO:
		return image::fd_fifo;
	case S_IFSOCK:
		return image::fd_socket;
	case 0: // anon inodes have no file type
		if (starts_with(link, "anon_inode:"))
			return image::fd_anon;
		return image::fd_other;
	default:
		return image::fd_other;
	}
}

// A file of this process in /proc ("/proc/1234/status") names it as
// "/proc/self/status": the restored process has another pid.
size_t own_proc_path(char *link, size_t n)
{
	char prefix[32];
	text t(prefix, sizeof prefix);
	t.str("/proc/").dec(sys::getpid()).ch('/');
	const size_t k = t.size(), self = sizeof "/proc/self/" - 1;
	if (n < k || memcmp(link, prefix, k) != 0 || k < self)
		return n;
	memcpy(link, "/proc/self/", self);
	memmove(link + self, link + k, n - k + 1);
	return n - (k - self);
}

// Fills e for descriptor fd; false if it closed under us (another
// thread).
bool describe_fd(int fd, image::fd_entry &e, char *link, size_t link_cap,
		 string_table &strings, bool *full)
{
	long fd_flags = sys::fcntl(fd, F_GETFD);
	long open_flags = sys::fcntl(fd, F_GETFL);
	struct statx st = {};
	long ret = sys::statx(fd, "", AT_EMPTY_PATH,
			      STATX_TYPE | STATX_MODE | STATX_NLINK |
				      STATX_INO | STATX_SIZE,
			      &st);
	if (fd_flags < 0 || open_flags < 0 || ret < 0)
		return false;
	char proc[32];
	fd_path(proc, fd);
	long n = sys::readlinkat(AT_FDCWD, proc, link, link_cap);
	if (n < 0)
		n = 0;
	if ((size_t)n == link_cap)
		n--; // truncated: named in part (and not reopened: not a path)
	link[n] = 0;
	n = (long)own_proc_path(link, (size_t)n);

	e = {};
	e.fd = fd;
	e.dup_of = -1;
	e.kind = kind_of(st.stx_mode, link, n);
	e.open_flags = (uint32_t)open_flags;
	e.mode = st.stx_mode;
	e.rdev_major = st.stx_rdev_major;
	e.rdev_minor = st.stx_rdev_minor;
	e.size = st.stx_size;
	e.ino = st.stx_ino;
	// The kernel's dev_t has 12 bits of major and 20 of minor.
	e.dev = st.stx_dev_major << 20 | (st.stx_dev_minor & 0xfffff);
	if (fd_flags & FD_CLOEXEC)
		e.flags |= image::fd_cloexec;
	uint32_t type = st.stx_mode & S_IFMT;
	if ((type == S_IFREG || type == S_IFDIR) && st.stx_nlink == 0)
		e.flags |= image::fd_deleted;
	long off = sys::lseek(fd, 0, SEEK_CUR);
	e.offset = off > 0 ? (uint64_t)off : 0;
	if (!strings.add(link, n, &e.name))
		*full = true;
	return true;
}

// Descriptors that share one open file description (dup(), or inherited
// from a parent) must share it again after the restore: their offset is
// one. kcmp(KCMP_FILE) says which do; without kcmp (no CONFIG_KCMP) each
// is reopened on its own.
void find_dups(image::fd_entry *fds, uint32_t count, const char *strings)
{
	const long pid = sys::getpid();
	for (uint32_t i = 1; i < count; i++) {
		for (uint32_t j = 0; j < i; j++) {
			if (fds[j].dup_of != -1 || fds[j].ino != fds[i].ino ||
			    fds[j].kind != fds[i].kind ||
			    !str_eq(strings + fds[j].name,
				    strings + fds[i].name))
				continue;
			long same = sys::kcmp(pid, pid, KCMP_FILE, fds[j].fd,
					      fds[i].fd);
			if (same < 0)
				return;
			if (same == 0) {
				fds[i].dup_of = (int32_t)j;
				break;
			}
		}
	}
}

} // namespace

bool string_table::add(const char *s, size_t n, uint32_t *off)
{
	if (!n) {
		*off = 0;
		return true;
	}
	if (n + 1 > image::max_strings - len)
		return false;
	memcpy(buf + len, s, n);
	buf[len + n] = 0;
	*off = len;
	len += n + 1;
	return true;
}

long save_fds(image::header *h, image::fd_entry *fds, string_table &strings,
	      process_scratch &work, text &msg)
{
	h->fd_count = 0;
	long dir = sys::open("/proc/self/fd",
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		msg.str("cannot list /proc/self/fd: ").errno_name(dir);
		return dir;
	}
	uint32_t count = 0;
	bool full = false, too_many = false;
	long n = 0;
	while (!too_many && (n = sys::getdents64(dir, work.dirents,
						 sizeof work.dirents)) > 0) {
		for (long pos = 0; pos < n;) {
			const char *d = work.dirents + pos;
			uint16_t reclen;
			memcpy(&reclen, d + 16, sizeof reclen);
			pos += reclen;
			const char *name = d + 19;
			uint64_t fd;
			if (!parse_u64(name, str_len(name), &fd) ||
			    fd == (uint64_t)dir)
				continue;
			if (count == image::max_fds) {
				too_many = true;
				break;
			}
			if (!describe_fd((int)fd, fds[count], work.link,
					 sizeof work.link, strings, &full))
				continue;
			// /proc lists descriptors in increasing order; keep the
			// table sorted should that ever change.
			for (uint32_t k = count;
			     k > 0 && fds[k - 1].fd > fds[k].fd; k--) {
				image::fd_entry e = fds[k];
				fds[k] = fds[k - 1];
				fds[k - 1] = e;
			}
			count++;
		}
	}
	sys::close(dir);
	if (n < 0) {
		msg.str("cannot list /proc/self/fd: ").errno_name(n);
		return n;
	}
	if (too_many) {
		msg.str("more than ").udec(image::max_fds)
			.str(" open files: an image holds no more");
		return -EMFILE;
	}
	if (full) {
		msg.str("the names of the open files do not fit in the image's "
			"string table");
		return -ENAMETOOLONG;
	}
	find_dups(fds, count, strings.buf);
	h->fd_count = count;
	return 0;
}

bool file_backed(const map_entry &e)
{
	if (!e.shared || !e.name_len || e.name[0] != '/' ||
	    e.name_len >= sizeof path_buf ||
	    ends_with(e.name, e.name_len, " (deleted)"))
		return false;
	memcpy(path_buf, e.name, e.name_len);
	path_buf[e.name_len] = 0;
	struct statx st = {};
	// The same inode, and a regular file: not a device whose mapping
	// only its driver knows how to make.
	return sys::statx(AT_FDCWD, path_buf, 0, STATX_TYPE | STATX_INO,
			  &st) == 0 &&
	       (st.stx_mode & S_IFMT) == S_IFREG && st.stx_ino == e.inode;
}

} // namespace ckpt
