// Open files and file-backed shared mappings of the restored process.
//
// Policy, per descriptor of the image's fd table:
//   - fd 0-2 that were a terminal or other character device, a pipe or a
//     socket are inherited: the app gets what the restorer's caller gave.
//     --stdio=inherit makes all of fds 0-2 the caller's (even one the app
//     had closed), --stdio=image none of them (they follow the rules
//     below).
//   - regular files, directories, and the stateless memory devices
//     (/dev/null, zero, full, random, urandom) are reopened by path with
//     the same flags, at the same offset; so is any O_PATH descriptor.
//   - a dup of one of those (one open file description, found by kcmp at
//     checkpoint) is a dup again, sharing its offset.
//   - deleted files and memfds whose contents the image holds are made
//     again with those contents (contents.cc); pipes and FIFOs both of
//     whose ends the app held, eventfds and epolls are made again by
//     their kind (pipes.cc), timerfds and signalfds with their state
//     (timers.cc), and the sockets the image has an entry for
//     (sockets.cc): unix pairs, listening and bound ones, reset TCP.
//   - inotify instances are made again with their watches (inotify.cc);
//     terminals above 2 are reopened by path, but for pty masters
//     (unrestorable.cc); file locks are taken again (locks.cc).
//   - anything else (other sockets, pipes to other processes, pidfds, ...)
//     is lost: named in a warning, its number (above 2) held by a
//     placeholder (unrestorable.cc).
// A file that is gone, was deleted before the checkpoint, is now another
// kind of file or a symbolic link, or is shorter than the saved offset
// makes the restore fail before the point of no return, unless
// --allow-missing-files (then: a warning, and the descriptor is lost). A file with another device or inode than the one saved is
// refused unless --allow-changed-files (then: a warning, and it is
// restored).
//
// Opening: never through a symbolic link at the end of the path, never
// blocking (a FIFO would wait for its other end with every signal
// blocked), and nothing opened for real before it is known to be the
// right file: first O_PATH | O_NOFOLLOW, to see what is there, then the
// app's flags on that very inode through /proc/self/fd.
//
// Descriptor numbers: every file is opened before the point of no return
// at a temporary number above all of the image's ("base"), where the image
// itself moves too; after it, dup3() puts each in place. Descriptors the
// app did not have (the caller's others) are closed.
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/resource.h>

#include "runtime/dirents.h"
#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

// refilled: a stored file made again (contents.cc); remade: a pipe,
// eventfd or epoll made again by its kind (pipes.cc); rearmed: a timerfd
// or signalfd made again with its state (timers.cc); watched: an inotify
// made again with its watches (inotify.cc); rebuilt: a socket made again
// by its kind (sockets.cc).
enum action : uint8_t {
	lost, inherit, reopen, dup, refilled, remade, rearmed, watched, rebuilt
};

// Arrays, not pointers: the restorer holds no absolute addresses.
constexpr char action_names[9][9] = {
	"lost", "inherit", "reopen", "dup", "recreate",
	"recreate", "recreate", "recreate", "recreate"};

// Per fd table entry: what restore_files() does, and the temporary
// descriptor of a reopened file.
action actions[image::max_fds];
int32_t temps[image::max_fds];
// Per region: the file a region_file_backed (or region_content) region
// maps, or -1 (then it
// comes back as zeroed shared memory).
int32_t region_fds[image::max_regions];
// Temporary descriptors go from here up: above every number in the image.
int base;

const char *name_of(const image::fd_entry &e)
{
	return g.tables.strings + e.name;
}

bool memory_device(const image::fd_entry &e)
{
	const uint32_t m = e.rdev_minor;
	return e.kind == image::fd_chr && e.rdev_major == 1 &&
	       (m == 3 || m == 5 || m == 7 || m == 8 || m == 9);
}

action policy(const image::fd_entry &e)
{
	// --stdio: fds 0-2 the caller's whatever the image says, or the
	// image's as any other descriptor.
	const bool std_stream = e.fd <= 2 && g.opts.stdio != stdio_image;
	if (e.fd <= 2 && g.opts.stdio == stdio_inherit)
		return inherit;
	// Unknown at checkpoint: standard streams are the caller's again.
	if (e.flags & image::fd_lost)
		return std_stream ? inherit : lost;
	if (e.dup_of >= 0)
		return policy(g.tables.fds[e.dup_of]) == lost ? lost : dup;
	if (restorer::recreatable((uint32_t)(&e - g.tables.fds)))
		return remade;
	const uint32_t k = e.kind;
	if (std_stream && (k == image::fd_chr || k == image::fd_fifo ||
			   k == image::fd_socket))
		return inherit;
	if (k == image::fd_socket &&
	    socket_comes_back((uint32_t)(&e - g.tables.fds)))
		return rebuilt;
	if (k == image::fd_timerfd || k == image::fd_signalfd)
		return rearmed;
	if (k == image::fd_inotify)
		return watched;
	// Made again by kind: the image holds their contents.
	if ((k == image::fd_memfd || (k == image::fd_file &&
				      (e.flags & image::fd_deleted))) &&
	    content_of((uint32_t)(&e - g.tables.fds)) >= 0)
		return refilled;
	if (image::is_terminal(e) && name_of(e)[0] == '/')
		return terminal_lost_reason(e) ? lost : reopen;
	if (name_of(e)[0] != '/' || k == image::fd_memfd)
		return lost;
	if ((e.open_flags & O_PATH) || k == image::fd_file ||
	    k == image::fd_dir || memory_device(e))
		return reopen;
	return lost;
}

ckpt::text &fd_message(ckpt::text &t, const image::fd_entry &e)
{
	return message(t).str("fd ").dec(e.fd).str(" (").str(name_of(e))
		.str(")");
}

void warn_lost(const image::fd_entry &e, const char *why, long err = 0)
{
	char buf[4096 + 256];
	ckpt::text t(buf, sizeof buf);
	fd_message(t, e).str(" is not restored");
	if (why)
		t.str(": ").str(why);
	if (err < 0)
		t.str(": ").errno_name(err);
	warn(t.ch('\n'));
}

// A file that is not what the app had: refuse, or with
// --allow-missing-files go on without it. False: refused.
bool missing(ckpt::text &err, uint32_t i, const char *why, long ret = 0)
{
	const image::fd_entry &e = g.tables.fds[i];
	actions[i] = lost;
	if (g.opts.allow_missing_files) {
		warn_lost(e, why, ret);
		return true;
	}
	fd_message(err, e).str(": ").str(why);
	if (ret < 0)
		err.str(": ").errno_name(ret);
	err.str(" (--allow-missing-files restores without it)\n");
	return false;
}

} // namespace

// Moves fd (or passes on -errno) to the lowest free number >= base; one
// there already is the lowest free one (open() takes the lowest), and
// stays, so that the count of needed_nofile() holds.
long move_up(long fd)
{
	if (fd < 0 || fd >= base)
		return fd;
	long moved = sys::fcntl((int)fd, F_DUPFD_CLOEXEC, base);
	sys::close((int)fd);
	return moved;
}

bool fd_comes_back(uint32_t i)
{
	return policy(g.tables.fds[i]) != lost;
}

int fd_now(uint32_t i)
{
	const image::fd_entry &e = g.tables.fds[i];
	const uint32_t root = e.dup_of >= 0 ? (uint32_t)e.dup_of : i;
	if (actions[root] == inherit)
		return g.tables.fds[root].fd;
	return actions[root] == lost ? -1 : temps[root];
}

namespace {

const char *type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a file";
	case S_IFDIR: return "a directory";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFIFO: return "a fifo";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symbolic link";
	}
	return "an unknown kind of file";
}

// The kernel's dev_t of a statx result, as fd_entry::dev holds it.
uint32_t dev_of(const struct statx &st)
{
	return st.stx_dev_major << 20 | (st.stx_dev_minor & 0xfffff);
}

ckpt::text &device(ckpt::text &t, uint32_t dev)
{
	return t.udec(dev >> 20).ch(':').udec(dev & 0xfffff);
}

// What is at path now, without following a symbolic link at its end and
// without opening it for reading or writing: an O_PATH descriptor at a
// temporary number, and its statx in *st; or -errno.
// The process's own /proc directory or a file in it, as the runtime
// records them (/proc/self/..., /proc/thread-self/...).
bool under(const char *path, const char *dir)
{
	size_t n = ckpt::str_len(dir);
	return ckpt::starts_with(path, dir) && (path[n] == 0 || path[n] == '/');
}

bool own_proc_file(const char *path)
{
	return under(path, "/proc/self") || under(path, "/proc/thread-self");
}

long look_at(const char *path, struct statx *st)
{
	// The process's own /proc directory is named by the kernel's
	// /proc/self link, which no user can plant: follow it.
	const int nofollow = own_proc_file(path) ? 0 : O_NOFOLLOW;
	long fd = move_up(sys::open(path, O_PATH | O_CLOEXEC | nofollow));
	if (fd < 0)
		return fd;
	*st = {};
	long ret = sys::statx((int)fd, "", AT_EMPTY_PATH,
			      STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MTIME,
			      st);
	if (ret < 0) {
		sys::close((int)fd);
		return ret;
	}
	return fd;
}

// Opens the inode behind O_PATH descriptor path_fd with flags, without
// blocking (O_NONBLOCK: the caller sets the app's flags afterwards), at
// a temporary number; closes path_fd. The /proc/self/fd link is a link:
// O_NOFOLLOW would refuse it (ELOOP).
long open_for_real(long path_fd, int flags)
{
	char proc[32];
	ckpt::text t(proc, sizeof proc);
	t.str("/proc/self/fd/").dec(path_fd);
	flags = (flags & ~O_NOFOLLOW) | O_NONBLOCK | O_CLOEXEC;
	long fd = move_up(sys::open(proc, flags));
	sys::close((int)path_fd);
	return fd;
}

// Whether what is at a file's path now is the file the image saved: the
// same kind, not a symbolic link where there was none, the same device
// (a memory device) or the same file system and inode. nullptr if so;
// else why not, with *changed set if it is only another file of the
// same kind (what --allow-changed-files accepts), described in how.
const char *not_the_same(const image::fd_entry &e, const struct statx &st,
			 bool *changed, ckpt::text &how)
{
	const uint32_t now = st.stx_mode & S_IFMT, was = e.mode & S_IFMT;
	*changed = false;
	if (now == S_IFLNK && was != S_IFLNK)
		return "a symbolic link is there now (never followed)";
	if (now != was) {
		how.str("it is ").str(type_name(now)).str(" now, it was ")
			.str(type_name(was));
		return how.c_str();
	}
	if (now == S_IFCHR || now == S_IFBLK) {
		if (st.stx_rdev_major == e.rdev_major &&
		    st.stx_rdev_minor == e.rdev_minor)
			return nullptr;
		*changed = true;
		how.str("it is another device now (")
			.udec(st.stx_rdev_major).ch(':').udec(st.stx_rdev_minor)
			.str(", was ").udec(e.rdev_major).ch(':')
			.udec(e.rdev_minor).ch(')');
		return how.c_str();
	}
	if (!e.dev) // an image that did not record it
		return nullptr;
	// The files of a process in /proc get new inodes with the process,
	// and the restored one may see another instance of procfs (another
	// pid namespace's): its own file of that name is the one it had.
	if (own_proc_file(g.tables.strings + e.name))
		return nullptr;
	if (dev_of(st) == e.dev && st.stx_ino == e.ino)
		return nullptr;
	*changed = true;
	how.str("it is another file now (device ");
	device(how, dev_of(st)).str(" inode ").udec(st.stx_ino).str(", was ");
	device(how, e.dev).str(" inode ").udec(e.ino).ch(')');
	return how.c_str();
}

// Opens entry i's file at a temporary number; false if refused.
bool open_file(ckpt::text &err, uint32_t i)
{
	const image::fd_entry &e = g.tables.fds[i];
	if (e.flags & image::fd_deleted)
		return missing(err, i, "the file was deleted before the "
				       "checkpoint");
	struct statx st;
	long fd = look_at(name_of(e), &st);
	if (fd < 0)
		return missing(err, i, "cannot reopen it", fd);
	char how_buf[256];
	ckpt::text how(how_buf, sizeof how_buf);
	bool changed;
	if (const char *why = not_the_same(e, st, &changed, how)) {
		if (!changed) {
			sys::close((int)fd);
			return missing(err, i, why);
		}
		char buf[4096 + 512];
		ckpt::text t(buf, sizeof buf);
		fd_message(t, e).str(": ").str(why);
		if (!g.opts.allow_changed_files) {
			sys::close((int)fd);
			err.str(t.c_str()).str(" (--allow-changed-files "
					       "restores with it)\n");
			return false;
		}
		warn(t.str("; restored with it\n"));
	}
	if (e.open_flags & O_PATH) {
		temps[i] = (int32_t)fd;
		return true;
	}
	// A terminal does not become the controlling one.
	const int flags = (e.open_flags & ~(O_CREAT | O_EXCL | O_TRUNC |
					    O_NOCTTY | O_CLOEXEC)) |
			  (e.kind == image::fd_chr ? O_NOCTTY : 0);
	fd = open_for_real(fd, flags);
	if (fd < 0)
		return missing(err, i, "cannot reopen it", fd);
	temps[i] = (int32_t)fd;
	const char *why = nullptr;
	long ret = 0;
	// It was opened O_NONBLOCK; F_SETFL sets O_APPEND, O_NONBLOCK,
	// O_DIRECT, O_NOATIME and O_ASYNC as the app had them.
	if (!(flags & O_NONBLOCK) &&
	    (ret = sys::fcntl((int)fd, F_SETFL, flags)) < 0)
		why = "cannot set its flags (fcntl F_SETFL)";
	// Files in /proc and /sys say they are empty and read anyway: only
	// a file that reached the offset then must reach it now.
	else if (e.kind == image::fd_file && st.stx_size < e.offset &&
		 e.size >= e.offset && !rewritten(i))
		why = "the file is now shorter than the offset it was at";
	if (!why && e.offset && (e.kind == image::fd_file ||
				 e.kind == image::fd_dir)) {
		ret = sys::lseek((int)fd, (int64_t)e.offset, SEEK_SET);
		if (ret < 0)
			why = "cannot seek to its offset";
	}
	if (why) {
		sys::close((int)fd);
		temps[i] = -1;
		return missing(err, i, why, ret);
	}
	return true;
}

// An inherited descriptor (or the source of a dup of one) must be open in
// the restorer, or the app will not have it either.
bool caller_has(int fd)
{
	return sys::fcntl(fd, F_GETFD) >= 0;
}

// The fd table's entry for a file of this path, if the app had one open:
// it says which device and inode a mapping of that path should find.
const image::fd_entry *fd_of_path(const char *path)
{
	for (uint32_t i = 0; i < g.tables.fd_count; i++) {
		const image::fd_entry &e = g.tables.fds[i];
		if (e.kind == image::fd_file && e.dev &&
		    !(e.flags & (image::fd_deleted | image::fd_lost)) &&
		    ckpt::str_eq(name_of(e), path))
			return &e;
	}
	return nullptr;
}

// A region's file cannot be had: refuse, or with --allow-missing-files
// map zeroed memory. False: refused.
bool region_missing(ckpt::text &err, uint32_t i, const char *why,
		    long ret = 0)
{
	const image::region &r = g.tables.regions[i];
	char buf[4096 + 512];
	ckpt::text t(buf, sizeof buf);
	message(t).str("region ").udec(i).str(" at 0x").hex(r.start)
		.str(": ").str(g.tables.strings + r.name).str(": ").str(why);
	if (ret < 0)
		t.str(": ").errno_name(ret);
	if (!g.opts.allow_missing_files) {
		err.str(t.c_str()).str(" (--allow-missing-files maps zeroed "
				       "memory instead)\n");
		return false;
	}
	warn(t.str("; mapped as zeroed memory\n"));
	return true;
}

// --allow-changed-files: region i's file is not the one it was, and is
// mapped all the same.
void warn_mapped_anyway(uint32_t i, const char *path, const char *why)
{
	char buf[4096 + 512];
	ckpt::text t(buf, sizeof buf);
	message(t).str("region ").udec(i).str(" at 0x")
		.hex(g.tables.regions[i].start).str(": ").str(path).str(": ")
		.str(why).str("; mapped anyway\n");
	warn(t);
}

// Opens the file of region i (a region_file_backed one) at a temporary
// number, into *out (-1: none, zeroed memory instead); false if refused.
// The region records no inode: the file must be a regular file, not a
// symbolic link, and the one of the app's descriptors of that path.
bool open_mapped_file(ckpt::text &err, uint32_t i, long *out)
{
	const image::region &r = g.tables.regions[i];
	const char *path = g.tables.strings + r.name;
	*out = -1;
	struct statx st;
	long fd = look_at(path, &st);
	if (fd < 0)
		return region_missing(err, i, "cannot open the file it maps",
				      fd);
	char how_buf[256];
	ckpt::text how(how_buf, sizeof how_buf);
	bool changed = false;
	const char *why = nullptr;
	image::fd_entry as_file = {};
	as_file.mode = S_IFREG;
	if (const image::fd_entry *e = fd_of_path(path))
		as_file = *e;
	why = not_the_same(as_file, st, &changed, how);
	if (why && (!changed || !g.opts.allow_changed_files)) {
		sys::close((int)fd);
		if (!changed)
			return region_missing(err, i, why);
		message(err).str("region ").udec(i).str(" at 0x").hex(r.start)
			.str(": ").str(path).str(": ").str(why)
			.str(" (--allow-changed-files maps it)\n");
		return false;
	}
	if (why)
		warn_mapped_anyway(i, path, why);
	// Read-write if the file allows it: a read-only shared mapping of a
	// file opened for writing may be made writable later.
	char proc[32];
	ckpt::text t(proc, sizeof proc);
	t.str("/proc/self/fd/").dec(fd);
	long real = move_up(sys::open(proc, O_RDWR | O_NONBLOCK | O_CLOEXEC));
	if ((real == -EACCES || real == -EROFS || real == -EPERM) &&
	    !(r.prot & PROT_WRITE))
		real = move_up(sys::open(proc, O_RDONLY | O_NONBLOCK |
					       O_CLOEXEC));
	sys::close((int)fd);
	if (real < 0)
		return region_missing(err, i, "cannot open the file it maps",
				      real);
	*out = real;
	return true;
}

// Opens the file of region i, a region_file_private one, read-only at a
// temporary number into *out; false if refused. It must be the file the
// image recorded (device, inode, size, mtime): the image holds only the
// pages the process had changed, the rest were that file's.
bool open_private_file(ckpt::text &err, uint32_t i, const image::mapped_file &m,
		       long *out)
{
	const image::region &r = g.tables.regions[i];
	const char *path = g.tables.strings + r.name;
	struct statx st;
	long fd = look_at(path, &st);
	const char *why = nullptr;
	if (fd < 0)
		why = "cannot open the file it maps";
	else if ((st.stx_mode & S_IFMT) != S_IFREG)
		why = "it is no longer a regular file";
	else if (dev_of(st) != m.dev || st.stx_ino != m.ino)
		why = "it is another file now (device or inode)";
	else if ((st.stx_size != m.size || st.stx_mtime.tv_sec != m.mtime_sec ||
		  st.stx_mtime.tv_nsec != m.mtime_nsec) &&
		 !rewritten_file(m.dev, m.ino))
		why = "it changed since the checkpoint (size or mtime)";
	const bool replaceable = fd >= 0 && (st.stx_mode & S_IFMT) == S_IFREG;
	if (why && !(replaceable && g.opts.allow_changed_files)) {
		if (fd >= 0)
			sys::close((int)fd);
		message(err).str("region ").udec(i).str(" at 0x").hex(r.start)
			.str(": ").str(path).str(": ").str(why);
		if (fd < 0)
			err.str(": ").errno_name(fd);
		err.str(replaceable ? " (--allow-changed-files maps it)\n"
				    : " (the image holds only the pages the "
				      "process changed)\n");
		return false;
	}
	if (why)
		warn_mapped_anyway(i, path, why);
	long real = open_for_real(fd, O_RDONLY);
	if (real < 0) {
		message(err).str("region ").udec(i).str(" at 0x").hex(r.start)
			.str(": ").str(path).str(": cannot open the file it maps: ")
			.errno_name(real).ch('\n');
		return false;
	}
	*out = real;
	return true;
}

// Opens the files of region_file_backed regions; consecutive regions of
// one file share a descriptor.
bool open_mapped_files(ckpt::text &err)
{
	const char *last = nullptr;
	int32_t last_fd = -1;
	bool last_private = false;
	uint32_t mapped = 0; // the next mapped_file
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		region_fds[i] = -1;
		if (!(r.flags & (image::region_file_backed |
				 image::region_content |
				 image::region_file_private)))
			continue;
		const bool is_private = r.flags & image::region_file_private;
		const image::mapped_file *m =
			is_private ? &g.tables.mapped_files[mapped++] : nullptr;
		const char *path = g.tables.strings + r.name;
		if (last && ckpt::str_eq(last, path) &&
		    last_private == is_private) {
			region_fds[i] = last_fd;
			continue;
		}
		long fd;
		if (m) {
			if (!open_private_file(err, i, *m, &fd))
				return false;
		} else if (r.flags & image::region_content) {
			fd = open_content_mapping(err, i, temps, base);
			if (fd < 0)
				return false;
		} else if (!open_mapped_file(err, i, &fd)) {
			return false;
		}
		last = path;
		last_private = is_private;
		last_fd = region_fds[i] = (int32_t)fd;
	}
	return true;
}

// How many temporary descriptors prepare_files() holds at once, at most:
// the image's (if it must move up), the restorer's stderr, each reopened
// file and each mapped one, and the O_PATH descriptor of the one being
// opened (look_at(), then open_for_real()).
uint64_t temporaries()
{
	uint64_t n = (g.fd < base) + (sys::fcntl(2, F_GETFD) >= 0);
	uint64_t files = 0;
	for (uint32_t i = 0; i < g.tables.fd_count; i++) {
		const action a = policy(g.tables.fds[i]);
		files += (a == reopen &&
			  !(g.tables.fds[i].flags & image::fd_deleted)) ||
			 a == refilled || a == remade || a == rearmed ||
			 a == watched || a == rebuilt;
	}
	n += socket_temporaries();
	const char *last = nullptr;
	bool last_private = false;
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if (!(r.flags & (image::region_file_backed |
				 image::region_content |
				 image::region_file_private)))
			continue;
		const bool is_private = r.flags & image::region_file_private;
		const char *path = g.tables.strings + r.name;
		files += !last || !ckpt::str_eq(last, path) ||
			 last_private != is_private;
		last = path;
		last_private = is_private;
	}
	files += shared_file_count(); // prepare_attrs()'s memfds
	return n + files + (files != 0) + 1; // and the placeholder
}

// The RLIMIT_NOFILE the restore needs: one above the highest number it
// uses. The image's descriptors are below base; the temporaries take the
// lowest free numbers from base up, past any the restorer holds there
// already (the caller's, which close_others() closes later).
uint64_t needed_nofile(uint64_t held)
{
	uint64_t fd = (uint64_t)base;
	for (; held; fd++) {
		// Bounded: at most held free numbers, and every open one is
		// below the kernel's NR_OPEN.
		if (fd >= (uint64_t)image::fd_limit ||
		    sys::fcntl((int)fd, F_GETFD) < 0)
			held--;
	}
	return fd;
}

// Sets the soft RLIMIT_NOFILE to what the restore needs (or the caller's,
// if that is more), if the hard limit allows; restore_limits_and_timers()
// sets the image's.
bool room_for_fds(ckpt::text &err, uint64_t need)
{
	sys::rlimit lim;
	long ret = sys::prlimit(RLIMIT_NOFILE, nullptr, &lim);
	if (ret < 0) {
		message(err).str("cannot read RLIMIT_NOFILE: ").errno_name(ret)
			.ch('\n');
		return false;
	}
	if (lim.max < need) {
		message(err).str("too many descriptors: needed ").udec(need)
			.str(", RLIMIT_NOFILE soft ")
			.udec(caller_nofile.max ? caller_nofile.cur : lim.cur)
			.str(", hard ").udec(lim.max).ch('\n');
		return false;
	}
	uint64_t want = need;
	if (caller_nofile.max && caller_nofile.cur > want)
		want = caller_nofile.cur;
	if (want > lim.max)
		want = lim.max;
	if (lim.cur == want)
		return true;
	lim.cur = want;
	ret = sys::prlimit(RLIMIT_NOFILE, &lim, nullptr);
	if (ret < 0) {
		message(err).str("cannot set RLIMIT_NOFILE to ").udec(want)
			.str(": ").errno_name(ret).ch('\n');
		return false;
	}
	return true;
}

} // namespace

bool prepare_files(ckpt::text &err)
{
	base = 3;
	if (g.tables.fd_count && g.tables.fds[g.tables.fd_count - 1].fd >= base)
		base = g.tables.fds[g.tables.fd_count - 1].fd + 1;
	if (!room_for_fds(err, needed_nofile(temporaries())))
		return false;
	long fd = move_up(g.fd);
	if (fd < 0) {
		message(err).str("cannot move the image's descriptor: ")
			.errno_name(fd).ch('\n');
		return false;
	}
	g.fd = (int)fd;
	// The app's fd 2 takes the place of the restorer's: keep a copy for
	// the messages of the restore (EBADF: started without one).
	fd = sys::fcntl(2, F_DUPFD_CLOEXEC, base);
	if (fd < 0 && fd != -EBADF) {
		message(err).str("cannot keep the restorer's stderr: ")
			.errno_name(fd).ch('\n');
		return false;
	}
	message_fd = (int)fd;

	for (uint32_t i = 0; i < g.tables.fd_count; i++)
		temps[i] = -1; // recreate() sets a pipe's other end's too
	for (uint32_t i = 0; i < g.tables.fd_count; i++) {
		const image::fd_entry &e = g.tables.fds[i];
		actions[i] = policy(e);
		switch (actions[i]) {
		case reopen:
			if (!open_file(err, i))
				return false;
			break;
		case refilled: {
			long fd = recreate_file(err, i, temps, base);
			if (fd < 0)
				return false;
			temps[i] = (int32_t)fd;
			break;
		}
		case remade:
			if (!restorer::recreate(err, i, temps))
				return false;
			break;
		case rebuilt:
			if (!make_socket(err, i, temps))
				return false;
			break;
		case rearmed:
			if (!recreate_fd(i, base, &temps[i], err))
				return false;
			if (temps[i] < 0)
				actions[i] = lost; // warned
			break;
		case watched:
			if (!make_inotify(err, i, &temps[i]))
				return false;
			break;
		case dup:
			if (actions[e.dup_of] == lost) {
				char why[64];
				ckpt::text t(why, sizeof why);
				t.str("it shared its open file with fd ")
					.dec(g.tables.fds[e.dup_of].fd);
				actions[i] = lost;
				warn_lost(e, why);
			}
			break;
		case inherit:
			if (e.flags & image::fd_lost)
				warn_lost(e, "its state could not be read at "
					     "checkpoint; the restorer's own "
					     "takes its place");
			if (!caller_has(e.fd)) {
				actions[i] = lost;
				warn_lost(e, "the restorer was started with "
					     "that descriptor closed");
			}
			break;
		case lost:
			warn_lost(e, e.flags & image::fd_lost
					     ? "its state could not be read at "
					       "checkpoint"
					     : socket_lost_reason(i)
					     ? socket_lost_reason(i)
					     : why_lost(i));
			break;
		}
	}
	// Every target is there now: an epoll whose target did not come
	// after all (an inherited descriptor the caller lacks) refuses the
	// restore, naming both.
	for (uint32_t i = 0; i < g.tables.fd_count; i++) {
		if (actions[i] == remade &&
		    g.tables.fds[i].kind == image::fd_epoll &&
		    !add_watches(err, i, temps[i]))
			return false;
	}
	return open_mapped_files(err) && finish_recreated(err, temps) &&
	       prepare_locks(err) && prepare_unrestorable(err);
}

void map_region_fd(uint32_t i, const image::region &r, int fd,
		   const char *what)
{
	const uint64_t len = r.end - r.start;
	// A private one is the file's until written: the charge and the
	// copies on write as the app had them.
	int flags = (r.flags & image::region_file_private ? MAP_PRIVATE
							   : MAP_SHARED) |
		    MAP_FIXED_NOREPLACE;
	if (r.flags & image::region_noreserve)
		flags |= MAP_NORESERVE;
	if (fd < 0)
		flags |= MAP_ANONYMOUS;
	long addr = sys::mmap(r.start, len, r.prot, flags, fd,
			      fd < 0 ? 0 : r.file_offset);
	if ((uint64_t)addr == r.start)
		return;
	if (!sys::failed(addr))
		sys::munmap(addr, len);
	char buf[4096 + 256];
	ckpt::text t(buf, sizeof buf);
	message(t).str("region ").udec(i).str(" at 0x").hex(r.start)
		.str(": cannot map ").str(what).str(g.tables.strings + r.name)
		.str(": ").errno_name(sys::failed(addr) ? addr : -EEXIST)
		.ch('\n');
	die(t);
}

void map_file_region(uint32_t i, const image::region &r)
{
	map_region_fd(i, r, region_fds[i], "");
}

namespace {

// Whether the restored process has descriptor fd: binary search of the
// sorted fd table.
bool kept(int fd)
{
	if (fd <= 2 && g.opts.stdio == stdio_inherit)
		return true; // the caller's, whatever the image says
	uint32_t lo = 0, hi = g.tables.fd_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g.tables.fds[mid].fd == fd)
			return actions[mid] != lost;
		if (g.tables.fds[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

// Closes what the restorer's caller left open that the app did not have
// (all but the image, which restore() closes itself, and the restorer's
// stderr, which close_messages() closes).
void close_others()
{
	long dir = sys::open("/proc/self/fd",
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return;
	static char dirents[8192];
	long n;
	// Closing while listing is fine: /proc/self/fd lists by number, and
	// goes on from the last position.
	while ((n = sys::getdents64((int)dir, dirents, sizeof dirents)) > 0) {
		ckpt::for_each_dirent(dirents, n, [&](const char *name) {
			uint64_t fd;
			if (ckpt::dirent_number(name, &fd) &&
			    fd != (uint64_t)dir && fd != (uint64_t)g.fd &&
			    fd != (uint64_t)message_fd && !kept((int)fd) &&
			    !is_placeholder((int)fd))
				sys::close((int)fd);
			return true;
		});
	}
	sys::close((int)dir);
}

// A descriptor that cannot be put in place: the process has half of its
// files, so it may not run on.
[[noreturn]] void fd_failed(const image::fd_entry &e, const char *what,
			    long ret)
{
	char buf[4096 + 256];
	ckpt::text t(buf, sizeof buf);
	fd_message(t, e).str(": ").str(what).str(": ").errno_name(ret);
	die(t.ch('\n'));
}

} // namespace

void restore_files()
{
	for (uint32_t i = 0; i < g.tables.fd_count; i++) {
		const image::fd_entry &e = g.tables.fds[i];
		const int cloexec = e.flags & image::fd_cloexec ? O_CLOEXEC : 0;
		long ret = 0;
		// dup3() to a number below RLIMIT_NOFILE (prepare_files()
		// made sure) of an open descriptor has no failure left but
		// EINTR and EBUSY, which a lone thread does not meet.
		switch (actions[i]) {
		case reopen:
		case refilled:
		case remade:
		case rearmed:
		case watched:
		case rebuilt:
			ret = sys::dup3(temps[i], e.fd, cloexec);
			if (ret < 0)
				fd_failed(e, "cannot put it in place (dup3)",
					  ret);
			// An epoll's watches name the temporary descriptors
			// of what it watches until move_watches(): closing one
			// would leave its watch there, out of EPOLL_CTL_DEL's
			// reach (the file stays open at the app's number).
			if (actions[i] == reopen || actions[i] == refilled)
				sys::close(temps[i]);
			break;
		case dup:
			ret = sys::dup3(g.tables.fds[e.dup_of].fd, e.fd,
					cloexec);
			if (ret < 0)
				fd_failed(e, "cannot share its file again "
					     "(dup3)", ret);
			break;
		case inherit:
			ret = sys::fcntl(e.fd, F_SETFD, cloexec ? FD_CLOEXEC : 0);
			if (ret < 0)
				fd_failed(e, "cannot set FD_CLOEXEC (fcntl)",
					  ret);
			break;
		case lost:
			sys::close(e.fd); // whatever the caller had there
			break;
		}
	}
	for (uint32_t i = 0; i < g.tables.fd_count; i++) {
		if (actions[i] == remade &&
		    g.tables.fds[i].kind == image::fd_epoll)
			move_watches(i);
	}
	for (uint32_t i = 0; i < g.tables.fd_count; i++) {
		if (actions[i] == remade || actions[i] == rebuilt ||
		    actions[i] == rearmed || actions[i] == watched)
			sys::close(temps[i]);
	}
	// The mappings hold their files now.
	int32_t last = -1;
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		if (region_fds[i] >= 0 && region_fds[i] != last)
			sys::close(last = region_fds[i]);
	}
	close_others();
	hold_lost_numbers();
	take_posix_locks(); // after every close(): any would release them
}

void print_fd_info()
{
	char buf[4096 + 256];
	ckpt::print_out(ckpt::text(buf, sizeof buf).str("fds: ")
				.udec(g.tables.fd_count).ch('\n'));
	for (uint32_t i = 0; i < g.tables.fd_count; i++) {
		const image::fd_entry &e = g.tables.fds[i];
		ckpt::text t(buf, sizeof buf);
		t.str("fd ").dec(e.fd).ch(' ').str(action_names[policy(e)])
			.ch(' ').str(image::fd_kind_name(e.kind)).ch(' ');
		const uint32_t f = e.open_flags;
		if (f & O_PATH)
			t.str("path");
		else if ((f & O_ACCMODE) == O_RDONLY)
			t.str("r");
		else if ((f & O_ACCMODE) == O_WRONLY)
			t.str("w");
		else
			t.str("rw");
		if (f & O_APPEND)
			t.str(" append");
		if (f & O_NONBLOCK)
			t.str(" nonblock");
		if (f & O_DIRECT)
			t.str(" direct");
		if ((f & O_SYNC) == O_SYNC)
			t.str(" sync");
		else if (f & O_DSYNC)
			t.str(" dsync");
		if (e.flags & image::fd_cloexec)
			t.str(" cloexec");
		if (e.flags & image::fd_deleted)
			t.str(" deleted");
		if (e.flags & image::fd_lost)
			t.str(" lost");
		if (e.kind == image::fd_file || e.kind == image::fd_dir ||
		    e.kind == image::fd_memfd)
			t.str(" offset ").udec(e.offset);
		const long c = content_of(i);
		if (c >= 0) {
			const image::file_content &fc = g.tables.contents[c];
			t.str(" size ").udec(fc.size);
			if (fc.same_as >= 0)
				t.str(" same file as fd ")
					.dec(g.tables.fds[g.tables.contents
								  [fc.same_as]
									  .fd_index]
						     .fd);
			else
				t.str(" stored ").udec(fc.data_size);
			if (fc.seals)
				t.str(" seals 0x").hex(fc.seals);
		}
		if (e.dup_of >= 0)
			t.str(" shares fd ").dec(g.tables.fds[e.dup_of].fd);
		file_policy_info(t, i);
		recreated_fd_info(t, i);
		t.ch(' ').str(name_of(e));
		object_info(t, i);
		lock_info(t, i);
		unrestorable_info(t, i);
		socket_info(t, i);
		ckpt::print_out(t.ch('\n'));
		print_watches(i);
		print_inotify_watches(i);
	}
}

} // namespace restorer
