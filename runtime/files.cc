// The fd table of a checkpoint: one entry per open descriptor, whatever it
// refers to, so that the restorer can reopen what it can and name what it
// cannot. Also: which shared mappings the restorer maps from their file.
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kcmp.h>

#include "runtime/dirents.h"
#include "arch/sys.h"
#include "runtime/incremental.h"
#include "runtime/process.h"
#include "runtime/sockets.h"
#include "runtime/stat.h"
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
			return anon_kind(link);
		return image::fd_other;
	default:
		return image::fd_other;
	}
}

// Replaces the first k bytes of link[0, n) with to, if link starts with
// from (k bytes) followed by '/' or its end and the result fits in cap.
bool replace_prefix(char *link, size_t *n, size_t cap, const text &from,
		    const char *to)
{
	const size_t k = from.size(), m = str_len(to);
	if (*n < k || memcmp(link, from.c_str(), k) != 0 ||
	    (*n > k && link[k] != '/') || *n - k + m >= cap)
		return false;
	memmove(link + m, link + k, *n - k + 1);
	memcpy(link, to, m);
	*n = *n - k + m;
	return true;
}

// "/proc/" and what /proc/<link> names (its pid as /proc's namespace
// numbers it, which getpid() need not be), into t; false if unknown.
bool proc_link(text &t, const char *link)
{
	char buf[64];
	text path(buf, sizeof buf);
	path.str("/proc/").str(link);
	t.str("/proc/");
	char target[48];
	long n = sys::readlinkat(AT_FDCWD, path.c_str(), target,
				 sizeof target - 1);
	if (n <= 0 || n == sizeof target - 1)
		return false;
	target[n] = 0;
	t.str(target);
	return true;
}

// A file of this process in /proc ("/proc/1234/status") names it as
// "/proc/self/status", and one of this thread ("/proc/1234/task/1234/stat")
// as "/proc/thread-self/stat": the restored process has another pid. Any
// length of pid: "/proc/7/" is shorter than "/proc/self/".
size_t own_proc_path(char *link, size_t n, size_t cap)
{
	char buf[128];
	text task(buf, sizeof buf);
	if (proc_link(task, "thread-self") &&
	    replace_prefix(link, &n, cap, task, "/proc/thread-self"))
		return n;
	char buf2[128];
	text self(buf2, sizeof buf2);
	if (proc_link(self, "self"))
		replace_prefix(link, &n, cap, self, "/proc/self");
	return n;
}

// Fills e for descriptor fd; false if it closed under us (another
// thread).
bool describe_fd(int fd, image::fd_entry &e, char *link, size_t link_cap,
		 string_table &strings, bool *full)
{
	long fd_flags = sys::fcntl(fd, F_GETFD);
	long open_flags = sys::fcntl(fd, F_GETFL);
	struct statx st = {};
	long ret = file_status(fd, "", AT_EMPTY_PATH, &st);
	if (fd_flags == -EBADF || open_flags == -EBADF || ret == -EBADF)
		return false;
	char proc[32];
	fd_path(proc, fd);
	long n = sys::readlinkat(AT_FDCWD, proc, link, link_cap);
	if (n < 0)
		n = 0;
	if ((size_t)n == link_cap)
		n--; // truncated: named in part (and not reopened: not a path)
	link[n] = 0;
	n = (long)own_proc_path(link, (size_t)n, link_cap);

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
	if (fd_flags < 0 || open_flags < 0 || ret < 0) {
		// Recorded, so that the restorer names it too.
		e.kind = image::fd_other;
		e.flags = image::fd_lost;
		e.mode = 0;
		e.offset = 0;
		long err = ret < 0 ? ret : fd_flags < 0 ? fd_flags : open_flags;
		char buf[4096 + 128];
		text t(buf, sizeof buf);
		t.str("ckpt: fd ").dec(fd).str(" (").str(link)
			.str("): cannot read its state: ").errno_name(err)
			.str(fd <= 2 ? ", the restorer's will take its place\n"
				     : ", it will not come back\n");
		print_err(t);
	}
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

long save_fds(image::fd_entry *fds, uint32_t *fd_count, string_table &strings,
	      process_scratch &work, text &msg)
{
	*fd_count = 0;
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
		for_each_dirent(work.dirents, n, [&](const char *name) {
			uint64_t fd;
			// The runtime's own: the listing, the tracking.
			if (!dirent_number(name, &fd) || fd == (uint64_t)dir ||
			    (long)fd == tracking_fd())
				return true;
			if (count == image::max_fds) {
				too_many = true;
				return false;
			}
			if (!describe_fd((int)fd, fds[count], work.link,
					 sizeof work.link, strings, &full))
				return true;
			// /proc lists descriptors in increasing order; keep the
			// table sorted should that ever change.
			for (uint32_t k = count;
			     k > 0 && fds[k - 1].fd > fds[k].fd; k--) {
				image::fd_entry e = fds[k];
				fds[k] = fds[k - 1];
				fds[k - 1] = e;
			}
			count++;
			return true;
		});
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
	save_event_objects(fds, count, strings.buf);
	save_locks(fds, count, strings.buf);
	save_inotify(fds, count, strings);
	save_terminals(fds, count, strings.buf);
	save_kernel_objects(fds, count, strings.buf);
	save_sockets(fds, count, strings.buf);
	*fd_count = count;
	return 0;
}

void warn_fd(const image::fd_entry &e, const char *strings, const char *why,
	     long err, const char *tail)
{
	char buf[4096 + 512];
	text t(buf, sizeof buf);
	t.str("ckpt: fd ").dec(e.fd).str(" (").str(strings + e.name)
		.str("): ").str(why);
	if (err < 0)
		t.str(": ").errno_name(err);
	print_err(t.str(tail));
}

namespace {

// Whether e maps a file that still has its path, and that path names it
// still, a regular file (not a device whose mapping only its driver knows
// how to make); its status in *st.
bool named_regular_file(const map_entry &e, struct statx *st)
{
	if (!e.name_len || e.name[0] != '/' || e.name_len >= sizeof path_buf ||
	    ends_with(e.name, e.name_len, " (deleted)"))
		return false;
	memcpy(path_buf, e.name, e.name_len);
	path_buf[e.name_len] = 0;
	*st = {};
	return file_status(AT_FDCWD, path_buf, 0, st) == 0 &&
	       (st->stx_mode & S_IFMT) == S_IFREG && same_file(*st, e);
}

} // namespace

bool file_backed(const map_entry &e)
{
	struct statx st;
	return e.shared && named_regular_file(e, &st);
}

bool mapped_identity(const map_entry &e, image::mapped_file *id)
{
	struct statx st;
	if (e.shared || !named_regular_file(e, &st))
		return false;
	*id = {};
	id->dev = st.stx_dev_major << 20 | st.stx_dev_minor;
	id->ino = st.stx_ino;
	id->size = st.stx_size;
	id->mtime_sec = st.stx_mtime.tv_sec;
	id->mtime_nsec = st.stx_mtime.tv_nsec;
	return true;
}

namespace {

// Reading a file mapping's pages past the end of its file raises SIGBUS
// (whole pages past it: the page holding the end reads zeroes after it).
// MADV_POPULATE_READ (5.14+) faults pages in the same way but fails with
// EFAULT where a read would raise SIGBUS, so the readable part of a
// mapping, which is a prefix, is found by bisection. Only for readable
// memory (EINVAL, ENOMEM otherwise); qemu-user ignores madvise (returns 0).
bool populated_prefix(const map_entry &e, uint64_t page_size,
		      uint64_t *size)
{
	constexpr int populate_read = 22; // MADV_POPULATE_READ
	const uint64_t len = e.end - e.start;
	long ret = sys::madvise(e.start, len, populate_read);
	if (ret == 0) {
		*size = len;
		return true;
	}
	if (ret != -EFAULT)
		return false;
	uint64_t lo = 0, hi = len / page_size; // [0, lo) reads, [0, hi] not
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (sys::madvise(e.start, mid * page_size, populate_read) == 0)
			lo = mid;
		else
			hi = mid;
	}
	*size = lo * page_size;
	return true;
}

} // namespace

bool same_file(const struct statx &st, const map_entry &e)
{
	return st.stx_ino == e.inode && st.stx_dev_major == e.dev_major &&
	       st.stx_dev_minor == e.dev_minor;
}

bool mapped_size(const map_entry &e, uint64_t page_size, uint64_t *size)
{
	struct statx st = {};
	bool known = false;
	// Its path, if it is still the same file; else /proc/self/map_files/
	// (whose links only CAP_CHECKPOINT_RESTORE may follow).
	if (e.name_len < sizeof path_buf && e.name[0] == '/' &&
	    !ends_with(e.name, e.name_len, " (deleted)")) {
		memcpy(path_buf, e.name, e.name_len);
		path_buf[e.name_len] = 0;
		known = file_status(AT_FDCWD, path_buf, 0, &st) == 0 &&
			same_file(st, e);
	}
	if (!known) {
		text t(path_buf, sizeof path_buf);
		t.str("/proc/self/map_files/").hex(e.start).ch('-').hex(e.end);
		known = file_status(AT_FDCWD, path_buf, 0, &st) == 0 &&
			same_file(st, e);
	}
	if (known) {
		// Bytes of the file from the mapping's offset on, whole pages.
		uint64_t in_file = st.stx_size > e.offset
					   ? st.stx_size - e.offset : 0;
		*size = (in_file + page_size - 1) & ~(page_size - 1);
		return true;
	}
	return (e.prot & PROT_READ) && populated_prefix(e, page_size, size);
}

} // namespace ckpt
