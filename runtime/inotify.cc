// inotify instances at checkpoint: their watches, from the "inotify wd:
// ino: sdev: mask:" lines of /proc/self/fdinfo/N. A watch is of an inode,
// and its path is not kept anywhere an unprivileged process can read
// (open_by_handle_at needs CAP_DAC_READ_SEARCH): a path naming that inode
// is looked for among those the process has at hand, its working
// directory, its open files and its mapped files, and their parent
// directories, and the entries of the working directory. A watch none of them names is recorded without a path and
// named on stderr: it will not come back. Events queued but not read yet
// cannot be read without taking them from the app: they are named too.
#include <linux/errno.h>
#include <asm/ioctls.h>

#include "arch/sys.h"
#include "runtime/dirents.h"
#include "runtime/fdinfo.h"
#include "runtime/io.h"
#include "runtime/lines.h"
#include "runtime/process.h"
#include "runtime/stat.h"
#include "runtime/str.h"

namespace ckpt {

watch_table saved_watches;

namespace {

// fdinfo (a line per watch) and /proc/self/maps, read in turn. Not on the
// stack (a signal checkpoint runs on the app's); checkpoint() is never
// reentered.
char buf[1 << 16];
char path[4096 + 1];

void warn(const image::fd_entry &e, const char *strings, text &what)
{
	warn_fd(e, strings, what.c_str(), 0, ", it will not come back\n");
}

// Records the watches of inotify fd table entry i, in wd order (fdinfo
// lists them newest first); false if its fdinfo cannot be read.
bool read_watches(const image::fd_entry &e, uint32_t i, const char *strings)
{
	long n = read_fdinfo(e.fd, buf, sizeof buf);
	char why[128];
	text w(why, sizeof why);
	if (n < 0) {
		warn(e, strings, w.str("cannot read its watches in fdinfo: ")
				  .errno_name(n));
		return false;
	}
	const uint32_t first = saved_watches.count;
	const char *s = buf, *end = buf + n;
	while (s < end) {
		const char *eol = s;
		while (eol < end && *eol != '\n')
			eol++;
		uint64_t wd, ino, sdev, mask;
		if (starts_with(s, "inotify ")) {
			if (!fdinfo_number(s, eol, "wd:", 10, &wd) ||
			    !fdinfo_number(s, eol, "ino:", 16, &ino) ||
			    !fdinfo_number(s, eol, "sdev:", 16, &sdev) ||
			    !fdinfo_number(s, eol, "mask:", 16, &mask) || !wd ||
			    wd > 0x7fffffff) {
				warn(e, strings, w.str("cannot parse its fdinfo"));
				saved_watches.count = first;
				return false;
			}
			if (saved_watches.count == image::max_watches) {
				warn(e, strings, w.str("too many inotify watches"));
				saved_watches.count = first;
				return false;
			}
			image::inotify_watch x = {};
			x.fd_index = i;
			x.wd = (int32_t)wd;
			x.mask = (uint32_t)mask;
			x.dev = (uint32_t)sdev;
			x.ino = ino;
			// Insertion by wd: a handful per instance.
			uint32_t k = saved_watches.count++;
			for (; k > first && saved_watches.items[k - 1].wd > x.wd;
			     k--)
				saved_watches.items[k] = saved_watches.items[k - 1];
			saved_watches.items[k] = x;
		}
		s = eol + 1;
	}
	return true;
}

// The watches without a path yet whose inode path names get it.
uint32_t match(string_table &strings, size_t n, uint32_t *left)
{
	struct statx st = {};
	if (file_status(AT_FDCWD, path, 0, &st) < 0)
		return 0;
	const uint32_t dev = st.stx_dev_major << 20 |
			     (st.stx_dev_minor & 0xfffff);
	uint32_t found = 0;
	for (uint32_t k = 0; k < saved_watches.count; k++) {
		image::inotify_watch &w = saved_watches.items[k];
		if (w.path || w.ino != st.stx_ino || w.dev != dev)
			continue;
		if (!strings.add(path, n, &w.path))
			return found; // no room: it stays unnamed
		found++;
		(*left)--;
	}
	return found;
}

// Tries the path [s, s + n) and each of its parent directories.
void try_path(const char *s, size_t n, string_table &strings, uint32_t *left)
{
	if (!n || s[0] != '/' || n >= sizeof path)
		return;
	memcpy(path, s, n);
	path[n] = 0;
	while (*left) {
		match(strings, n, left);
		while (n > 1 && path[n - 1] != '/')
			n--;
		if (n > 1)
			n--; // "/a/b/" -> "/a/b"; "/" stays
		else if (path[1] == 0)
			return;
		path[n] = 0;
	}
}

// The files /proc/self/maps names (not deleted ones).
void try_maps(string_table &strings, uint32_t *left)
{
	constexpr char del[] = " (deleted)";
	constexpr size_t k = sizeof del - 1;
	each_line("/proc/self/maps", buf, sizeof buf,
		  [&](const char *line, size_t n) {
			  const char *s = line, *eol = line + n;
			  while (s < eol && *s != '/')
				  s++;
			  size_t len = (size_t)(eol - s);
			  if (!(len >= k && memcmp(eol - k, del, k) == 0))
				  try_path(s, len, strings, left);
			  return *left != 0;
		  });
}

// The entries of the working directory (a file the app watches there
// but does not keep open: a configuration file), up to a bound.
void try_cwd_entries(const char *cwd, size_t len, string_table &strings,
		     uint32_t *left)
{
	long dir = sys::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return;
	uint32_t tried = 0;
	long n;
	while (*left && tried < 4096 &&
	       (n = sys::getdents64((int)dir, buf, sizeof buf)) > 0) {
		for_each_dirent(buf, n, [&](const char *name) {
			const size_t k = str_len(name);
			if ((k == 1 && name[0] == '.') ||
			    (k == 2 && name[0] == '.' && name[1] == '.'))
				return true;
			if (len + 1 + k >= sizeof path)
				return true;
			memcpy(path, cwd, len);
			size_t at = len;
			if (len > 1)
				path[at++] = '/';
			memcpy(path + at, name, k + 1);
			match(strings, at + k, left);
			return *left != 0 && ++tried < 4096;
		});
	}
	sys::close((int)dir);
}

void find_paths(const image::fd_entry *fds, uint32_t count,
		string_table &strings)
{
	uint32_t left = saved_watches.count;
	char cwd[4096];
	long n = sys::readlinkat(AT_FDCWD, "/proc/self/cwd", cwd, sizeof cwd);
	if (n > 0 && n < (long)sizeof cwd)
		try_path(cwd, (size_t)n, strings, &left);
	for (uint32_t i = 0; left && i < count; i++) {
		const char *name = strings.buf + fds[i].name;
		if (!(fds[i].flags & image::fd_deleted))
			try_path(name, str_len(name), strings, &left);
	}
	if (left && n > 0 && n < (long)sizeof cwd)
		try_cwd_entries(cwd, (size_t)n, strings, &left);
	if (left)
		try_maps(strings, &left);
}

} // namespace

void save_inotify(image::fd_entry *fds, uint32_t count, string_table &strings)
{
	saved_watches.count = 0;
	bool any = false;
	for (uint32_t i = 0; i < count; i++) {
		image::fd_entry &e = fds[i];
		if (e.kind != image::fd_anon ||
		    !str_eq(strings.buf + e.name, "anon_inode:inotify"))
			continue;
		e.kind = image::fd_inotify;
		if (e.dup_of != -1)
			continue;
		any = true;
		// Unread events: taken, they would be the app's no more.
		int queued = 0;
		if (sys::ioctl(e.fd, FIONREAD, (long)&queued) == 0 && queued) {
			char why[128];
			text w(why, sizeof why);
			w.udec((uint32_t)queued).str(" bytes of events not read "
						    "yet");
			warn(e, strings.buf, w);
		}
		if (!read_watches(e, i, strings.buf))
			e.kind = image::fd_anon; // lost, not without watches
	}
	if (!any || !saved_watches.count)
		return;
	find_paths(fds, count, strings);
	for (uint32_t k = 0; k < saved_watches.count; k++) {
		const image::inotify_watch &w = saved_watches.items[k];
		if (w.path)
			continue;
		char why[256];
		text t(why, sizeof why);
		t.str("watch ").dec(w.wd).str(" (inode ").udec(w.ino)
			.str(" on ").udec(w.dev >> 20).ch(':')
			.udec(w.dev & 0xfffff).str(") has no path the process "
						   "knows");
		warn(fds[w.fd_index], strings.buf, t);
	}
}

} // namespace ckpt
