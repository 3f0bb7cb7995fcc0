// Open files and file-backed shared mappings of the restored process.
//
// Policy, per descriptor of the image's fd table:
//   - fd 0-2 that were a terminal or other character device, a pipe or a
//     socket are inherited: the app gets what the restorer's caller gave.
//   - regular files, directories, and the stateless memory devices
//     (/dev/null, zero, full, random, urandom) are reopened by path with
//     the same flags, at the same offset; so is any O_PATH descriptor.
//   - a dup of one of those (one open file description, found by kcmp at
//     checkpoint) is a dup again, sharing its offset.
//   - anything else (pipes, sockets, eventfds, epoll, ttys above 2,
//     memfds, ...) is lost: closed, with a warning that names it.
// A file that is gone, was deleted before the checkpoint, or is now
// shorter than the saved offset makes the restore fail before the point
// of no return, unless --allow-missing-files (then: a warning, and the
// descriptor stays closed).
//
// Descriptor numbers: every file is opened before the point of no return
// at a temporary number above all of the image's ("base"), where the image
// itself moves too; after it, dup3() puts each in place. Descriptors the
// app did not have (the caller's others) are closed.
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/resource.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

enum action : uint8_t { lost, inherit, reopen, dup };

// Arrays, not pointers: the restorer holds no absolute addresses.
constexpr char action_names[4][8] = {"lost", "inherit", "reopen", "dup"};

// Per fd table entry: what restore_files() does, and the temporary
// descriptor of a reopened file.
action actions[image::max_fds];
int32_t temps[image::max_fds];
// Per region: the file a region_file_backed region maps, or -1 (then it
// comes back as zeroed shared memory).
int32_t region_fds[image::max_regions];
// Temporary descriptors go from here up: above every number in the image.
int base;

const char *name_of(const image::fd_entry &e)
{
	return g.strings + e.name;
}

bool memory_device(const image::fd_entry &e)
{
	const uint32_t m = e.rdev_minor;
	return e.kind == image::fd_chr && e.rdev_major == 1 &&
	       (m == 3 || m == 5 || m == 7 || m == 8 || m == 9);
}

action policy(const image::fd_entry &e)
{
	// Unknown at checkpoint: standard streams are the caller's again.
	if (e.flags & image::fd_lost)
		return e.fd <= 2 ? inherit : lost;
	if (e.dup_of >= 0)
		return policy(g.fds[e.dup_of]) == lost ? lost : dup;
	const uint32_t k = e.kind;
	if (e.fd <= 2 && (k == image::fd_chr || k == image::fd_fifo ||
			  k == image::fd_socket))
		return inherit;
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
	const image::fd_entry &e = g.fds[i];
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

// Moves fd (or passes on -errno) to the lowest free number >= base.
long move_up(long fd)
{
	if (fd < 0)
		return fd;
	long moved = sys::fcntl((int)fd, F_DUPFD_CLOEXEC, base);
	sys::close((int)fd);
	return moved;
}

// Opens entry i's file at a temporary number; false if refused.
bool open_file(ckpt::text &err, uint32_t i)
{
	const image::fd_entry &e = g.fds[i];
	if (e.flags & image::fd_deleted)
		return missing(err, i, "the file was deleted before the "
				       "checkpoint");
	const int flags = (e.open_flags & ~(O_CREAT | O_EXCL | O_TRUNC |
					    O_NOCTTY)) | O_CLOEXEC;
	long fd = move_up(sys::open(name_of(e), flags));
	if (fd < 0)
		return missing(err, i, "cannot reopen it", fd);
	temps[i] = (int32_t)fd;
	if (e.open_flags & O_PATH)
		return true;
	struct statx st = {};
	long ret = sys::statx((int)fd, "", AT_EMPTY_PATH,
			      STATX_TYPE | STATX_SIZE, &st);
	const char *why = nullptr;
	if (ret < 0)
		why = "cannot stat it";
	else if ((st.stx_mode & S_IFMT) != (e.mode & S_IFMT))
		why = "it is another kind of file now";
	// Files in /proc and /sys say they are empty and read anyway: only
	// a file that reached the offset then must reach it now.
	else if (e.kind == image::fd_file && st.stx_size < e.offset &&
		 e.size >= e.offset)
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

// Opens the files of region_file_backed regions; consecutive regions of
// one file share a descriptor.
bool open_mapped_files(ckpt::text &err)
{
	const char *last = nullptr;
	int32_t last_fd = -1;
	for (uint32_t i = 0; i < g.header.region_count; i++) {
		const image::region &r = g.regions[i];
		region_fds[i] = -1;
		if (!(r.flags & image::region_file_backed))
			continue;
		const char *path = g.strings + r.name;
		if (last && ckpt::str_eq(last, path)) {
			region_fds[i] = last_fd;
			continue;
		}
		// Read-write if the file allows it: a read-only shared mapping
		// of a file opened for writing may be made writable later.
		long fd = sys::open(path, O_RDWR | O_CLOEXEC);
		if ((fd == -EACCES || fd == -EROFS || fd == -EPERM) &&
		    !(r.prot & PROT_WRITE))
			fd = sys::open(path, O_RDONLY | O_CLOEXEC);
		fd = move_up(fd);
		if (fd < 0) {
			char buf[4096 + 256];
			ckpt::text t(buf, sizeof buf);
			message(t).str("region ").udec(i).str(" at 0x")
				.hex(r.start).str(": ").str(path)
				.str(": cannot open the file it maps: ")
				.errno_name(fd);
			if (!g.opts.allow_missing_files) {
				err.str(t.c_str())
					.str(" (--allow-missing-files maps "
					     "zeroed memory instead)\n");
				return false;
			}
			warn(t.str("; mapped as zeroed memory\n"));
		}
		last = path;
		last_fd = region_fds[i] = (int32_t)(fd < 0 ? -1 : fd);
	}
	return true;
}

// Makes room for the temporary descriptors: the soft RLIMIT_NOFILE up to
// the hard one if need be (restore_limits_and_timers() sets the image's).
bool room_for_fds(ckpt::text &err, uint64_t need)
{
	sys::rlimit lim;
	if (sys::prlimit(RLIMIT_NOFILE, nullptr, &lim) < 0 ||
	    lim.cur >= need)
		return true;
	if (lim.max < need) {
		message(err).str("the image has descriptors up to ")
			.dec(base - 1).str(", more than this process may open "
					   "(RLIMIT_NOFILE ")
			.udec(lim.max).str(")\n");
		return false;
	}
	lim.cur = lim.max;
	sys::prlimit(RLIMIT_NOFILE, &lim, nullptr);
	return true;
}

} // namespace

bool prepare_files(ckpt::text &err)
{
	const image::header &h = g.header;
	base = 3;
	if (h.fd_count && g.fds[h.fd_count - 1].fd >= base)
		base = g.fds[h.fd_count - 1].fd + 1;
	uint64_t need = (uint64_t)base + h.fd_count + 16;
	for (uint32_t i = 0; i < h.region_count; i++)
		need += (g.regions[i].flags & image::region_file_backed) != 0;
	if (!room_for_fds(err, need))
		return false;
	long fd = move_up(g.fd);
	if (fd < 0) {
		message(err).str("cannot move the image's descriptor: ")
			.errno_name(fd).ch('\n');
		return false;
	}
	g.fd = (int)fd;

	for (uint32_t i = 0; i < h.fd_count; i++) {
		const image::fd_entry &e = g.fds[i];
		temps[i] = -1;
		actions[i] = policy(e);
		switch (actions[i]) {
		case reopen:
			if (!open_file(err, i))
				return false;
			break;
		case dup:
			if (actions[e.dup_of] == lost) {
				char why[64];
				ckpt::text t(why, sizeof why);
				t.str("it shared its open file with fd ")
					.dec(g.fds[e.dup_of].fd);
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
					     : nullptr);
			break;
		}
	}
	return open_mapped_files(err);
}

void map_file_region(uint32_t i, const image::region &r)
{
	const uint64_t len = r.end - r.start;
	const int fd = region_fds[i];
	int flags = MAP_SHARED | MAP_FIXED_NOREPLACE;
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
		.str(": cannot map ").str(g.strings + r.name).str(": ")
		.errno_name(sys::failed(addr) ? addr : -EEXIST).ch('\n');
	die(t);
}

namespace {

// Whether the restored process has descriptor fd: binary search of the
// sorted fd table.
bool kept(int fd)
{
	uint32_t lo = 0, hi = g.header.fd_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g.fds[mid].fd == fd)
			return actions[mid] != lost;
		if (g.fds[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

// Closes what the restorer's caller left open that the app did not have
// (all but the image, which restore() closes itself).
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
		for (long pos = 0; pos < n;) {
			const char *d = dirents + pos;
			uint16_t reclen;
			memcpy(&reclen, d + 16, sizeof reclen);
			pos += reclen;
			const char *name = d + 19;
			uint64_t fd;
			if (ckpt::parse_u64(name, ckpt::str_len(name), &fd) &&
			    fd != (uint64_t)dir && fd != (uint64_t)g.fd &&
			    !kept((int)fd))
				sys::close((int)fd);
		}
	}
	sys::close((int)dir);
}

} // namespace

void restore_files()
{
	const image::header &h = g.header;
	for (uint32_t i = 0; i < h.fd_count; i++) {
		const image::fd_entry &e = g.fds[i];
		const int cloexec = e.flags & image::fd_cloexec ? O_CLOEXEC : 0;
		switch (actions[i]) {
		case reopen:
			sys::dup3(temps[i], e.fd, cloexec);
			sys::close(temps[i]);
			break;
		case dup:
			sys::dup3(g.fds[e.dup_of].fd, e.fd, cloexec);
			break;
		case inherit:
			sys::fcntl(e.fd, F_SETFD, cloexec ? FD_CLOEXEC : 0);
			break;
		case lost:
			sys::close(e.fd); // whatever the caller had there
			break;
		}
	}
	// The mappings hold their files now.
	int32_t last = -1;
	for (uint32_t i = 0; i < h.region_count; i++) {
		if (region_fds[i] >= 0 && region_fds[i] != last)
			sys::close(last = region_fds[i]);
	}
	close_others();
}

void print_fd_info()
{
	const image::header &h = g.header;
	char buf[4096 + 256];
	ckpt::print_out(ckpt::text(buf, sizeof buf).str("fds: ")
				.udec(h.fd_count).ch('\n'));
	for (uint32_t i = 0; i < h.fd_count; i++) {
		const image::fd_entry &e = g.fds[i];
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
		if (e.kind == image::fd_file || e.kind == image::fd_dir)
			t.str(" offset ").udec(e.offset);
		if (e.dup_of >= 0)
			t.str(" shares fd ").dec(g.fds[e.dup_of].fd);
		t.ch(' ').str(name_of(e)).ch('\n');
		ckpt::print_out(t);
	}
}

} // namespace restorer
