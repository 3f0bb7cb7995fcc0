// inotify instances of the restored process: made again before the point
// of no return with their watches, each added again by the path the
// checkpoint found for its inode, and with the wd the app knows. The
// kernel gives each new watch the wd after the last one given (cyclic
// idr): a gap in the app's wds is skipped by adding a watch on another
// inode and removing it at once; the IN_IGNORED events that removal
// queues are read off before the app gets the descriptor.
#include <linux/errno.h>
#include <linux/fcntl.h>

#include "arch/sys.h"
#include "restorer/restorer.h"

namespace restorer {

namespace {

constexpr uint32_t in_dont_follow = 0x02000000; // IN_DONT_FOLLOW
constexpr int in_nonblock = O_NONBLOCK;         // IN_NONBLOCK
// Skipping a gap of wds costs two system calls a number.
constexpr int32_t max_skipped = 1 << 16;

// The watches of fd table entry i: [*first, *end) of the section.
void watches_of(uint32_t i, uint32_t *first, uint32_t *end)
{
	uint32_t k = 0;
	while (k < g.tables.watch_count && g.tables.watches[k].fd_index < i)
		k++;
	*first = k;
	while (k < g.tables.watch_count && g.tables.watches[k].fd_index == i)
		k++;
	*end = k;
}

ckpt::text &named(ckpt::text &t, uint32_t i)
{
	const image::fd_entry &e = g.tables.fds[i];
	return message(t).str("fd ").dec(e.fd).str(" (")
		.str(g.tables.strings + e.name).str(")");
}

ckpt::text &watch_named(ckpt::text &t, uint32_t i, const image::inotify_watch &w)
{
	named(t, i).str(": watch ").dec(w.wd);
	if (w.path)
		t.str(" (").str(g.tables.strings + w.path).ch(')');
	return t;
}

uint32_t dev_of(const struct statx &st)
{
	return st.stx_dev_major << 20 | (st.stx_dev_minor & 0xfffff);
}

bool is_watched(uint32_t first, uint32_t end, const struct statx &st)
{
	for (uint32_t k = first; k < end; k++) {
		const image::inotify_watch &w = g.tables.watches[k];
		if (w.ino == st.stx_ino && w.dev == dev_of(st))
			return true;
	}
	return false;
}

// A path to watch for a moment, to use up a wd: one whose inode none of
// the instance's watches has (a watch of a watched inode gives its wd).
const char *spare_path(uint32_t first, uint32_t end)
{
	// Arrays, not pointers: no absolute addresses in the restorer.
	static constexpr char paths[3][8] = {"/", "/dev", "/proc"};
	for (const auto &p : paths) {
		struct statx st = {};
		if (sys::statx(AT_FDCWD, p, 0, STATX_INO, &st) == 0 &&
		    !is_watched(first, end, st))
			return p;
	}
	return nullptr;
}

// Skips wds until the next one is want: adds and removes a watch per
// number. next: the wd the kernel gives next.
bool skip_to(ckpt::text &err, uint32_t i, int fd, int32_t *next, int32_t want,
	     uint32_t first, uint32_t end)
{
	if (*next >= want)
		return true;
	const char *spare = spare_path(first, end);
	long ret = -ENOENT;
	if (want - *next > max_skipped || !spare) {
		named(err, i).str(": cannot have wd ").dec(want)
			.str(" again (too many numbers to skip)\n");
		return false;
	}
	while (*next < want) {
		ret = sys::inotify_add_watch(fd, spare, 1 /* IN_ACCESS */);
		if (ret >= 0 && ret != *next) {
			named(err, i).str(": cannot have wd ").dec(want)
				.str(" again: the kernel gave ").dec(ret)
				.str(" for ").dec(*next).ch('\n');
			return false;
		}
		if (ret >= 0)
			ret = sys::inotify_rm_watch(fd, (int)ret);
		if (ret < 0) {
			named(err, i).str(": cannot skip wd ").dec(*next)
				.str(" (inotify_add_watch): ").errno_name(ret)
				.ch('\n');
			return false;
		}
		(*next)++;
	}
	return true;
}

// A watch whose path is not its inode now: refused, or with
// --allow-missing-files left out with a warning (its wd is skipped).
bool watch_missing(ckpt::text &err, uint32_t i, const image::inotify_watch &w,
		   const char *why, long ret = 0)
{
	char buf[4096 + 512];
	ckpt::text t(buf, sizeof buf);
	watch_named(t, i, w).str(": ").str(why);
	if (ret < 0)
		t.str(": ").errno_name(ret);
	if (!g.opts.allow_missing_files) {
		err.str(t.c_str()).str(" (--allow-missing-files restores "
				       "without it)\n");
		return false;
	}
	warn(t.str("; not restored\n"));
	return true;
}

// Adds watch w at wd next, or leaves it out (warned); false if refused.
bool add_watch(ckpt::text &err, uint32_t i, int fd,
	       const image::inotify_watch &w, bool *added)
{
	*added = false;
	if (!w.path) { // the checkpoint named it
		char buf[4096 + 256];
		ckpt::text t(buf, sizeof buf);
		watch_named(t, i, w).str(" (inode ").udec(w.ino)
			.str(") is not restored: no path the process knew "
			     "named its inode\n");
		warn(t);
		return true;
	}
	const char *path = g.tables.strings + w.path;
	struct statx st = {};
	long ret = sys::statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_INO,
			      &st);
	if (ret < 0)
		return watch_missing(err, i, w, "cannot find it", ret);
	if (st.stx_ino != w.ino || dev_of(st) != w.dev)
		return watch_missing(err, i, w, "its path names another file "
						"now");
	ret = sys::inotify_add_watch(fd, path, w.mask | in_dont_follow);
	if (ret < 0)
		return watch_missing(err, i, w, "cannot watch it again "
						"(inotify_add_watch)", ret);
	if (ret != w.wd) {
		watch_named(err, i, w).str(": the kernel gave it wd ").dec(ret)
			.ch('\n');
		return false;
	}
	*added = true;
	return true;
}

} // namespace

bool make_inotify(ckpt::text &err, uint32_t i, int32_t *temp)
{
	const image::fd_entry &e = g.tables.fds[i];
	long fd = move_up(sys::inotify_init1(in_nonblock | O_CLOEXEC));
	if (fd < 0) {
		named(err, i).str(": cannot make it again (inotify_init1): ")
			.errno_name(fd).ch('\n');
		return false;
	}
	uint32_t first, end;
	watches_of(i, &first, &end);
	int32_t next = 1;
	bool skipped = false;
	for (uint32_t k = first; k < end; k++) {
		const image::inotify_watch &w = g.tables.watches[k];
		skipped |= next < w.wd;
		bool added;
		if (!skip_to(err, i, (int)fd, &next, w.wd, first, end) ||
		    !add_watch(err, i, (int)fd, w, &added)) {
			sys::close((int)fd);
			return false;
		}
		// One left out uses up its wd too, so the next ones keep
		// theirs.
		if (added)
			next++;
	}
	// The skipped numbers' IN_IGNORED events (a watch left out is
	// skipped when the next is added); events of the new watches
	// meanwhile go with them.
	if (skipped) {
		char drain[4096];
		while (sys::read((int)fd, drain, sizeof drain) > 0)
			;
	}
	long ret = 0;
	if (!(e.open_flags & O_NONBLOCK))
		ret = sys::fcntl((int)fd, F_SETFL, e.open_flags & ~O_NONBLOCK);
	if (ret < 0) {
		sys::close((int)fd);
		named(err, i).str(": cannot set its flags (fcntl F_SETFL): ")
			.errno_name(ret).ch('\n');
		return false;
	}
	*temp = (int32_t)fd;
	return true;
}

void print_inotify_watches(uint32_t i)
{
	if (g.tables.fds[i].kind != image::fd_inotify)
		return;
	uint32_t first, end;
	watches_of(i, &first, &end);
	for (uint32_t k = first; k < end; k++) {
		const image::inotify_watch &w = g.tables.watches[k];
		char buf[4096 + 128];
		ckpt::text t(buf, sizeof buf);
		t.str("  watch wd ").dec(w.wd).str(" mask 0x").hex(w.mask)
			.ch(' ');
		if (w.path)
			t.str(g.tables.strings + w.path);
		else
			t.str("(no path: inode ").udec(w.ino).ch(')');
		ckpt::print_out(t.ch('\n'));
	}
}

} // namespace restorer
