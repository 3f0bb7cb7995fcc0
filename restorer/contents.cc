// Deleted files and memfds, made again from the contents the image
// stores: before the point of no return, at a temporary descriptor, so
// that every failure (no room, a corrupt image) refuses the restore.
//
// A deleted file comes back as an unnamed file (O_TMPFILE) in the
// directory it was in, or, if that directory is gone or its file system
// has no O_TMPFILE, in the image's; a memfd as a memfd of the same name
// (memfd_create), with the same seals. Both get the data at the same
// offsets (holes stay holes: ftruncate() first), then the app's access
// mode (a reopen through /proc/self/fd/N), seals, permissions, flags and
// offset. Another open of the same file reopens that one. The
// permissions come last (finish_recreated()), once every descriptor and
// mapping of it is open: a file the app made read-only after opening it
// for writing would refuse those reopens.
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/memfd.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/crc32c.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

char copy_buf[256 << 10];
char dir_buf[4096 + 16];

constexpr char deleted_suffix[] = " (deleted)";

// The length of name without " (deleted)" at its end.
size_t without_deleted(const char *name)
{
	size_t n = ckpt::str_len(name), k = sizeof deleted_suffix - 1;
	if (n >= k && memcmp(name + n - k, deleted_suffix, k) == 0)
		return n - k;
	return n;
}

// The directory part of path[0, n) into dir_buf ("." if none).
const char *dir_of(const char *path, size_t n)
{
	size_t slash = n;
	while (slash && path[slash - 1] != '/')
		slash--;
	if (!slash || slash >= sizeof dir_buf) {
		dir_buf[0] = '.';
		dir_buf[1] = 0;
		return dir_buf;
	}
	// "/x": the root; "/a/b/x": "/a/b".
	size_t len = slash > 1 ? slash - 1 : 1;
	memcpy(dir_buf, path, len);
	dir_buf[len] = 0;
	return dir_buf;
}

long move_to(long fd, int base)
{
	if (fd < 0 || fd >= base)
		return fd;
	long moved = sys::fcntl((int)fd, F_DUPFD_CLOEXEC, base);
	sys::close((int)fd);
	return moved;
}

struct failure {
	const char *what;
	long err;
};

// Writes file c's data into fd, checking it against its CRC.
failure copy_data(int fd, const image::file_content &c,
		  const image::extent *x)
{
	const copy_result r = copy_content(c, x, fd);
	switch (r.stage) {
	case copy_stage::done:
		break;
	case copy_stage::read:
		return {"cannot read its contents from the image", r.err};
	case copy_stage::cut_short:
		return {"its contents are cut short in the image", 0};
	case copy_stage::write:
		return {"cannot write its contents", r.err};
	case copy_stage::checksum:
		return {"its contents' checksum does not match (corrupt "
			"image)", 0};
	}
	return {nullptr, 0};
}

// A new, empty, read-write file for entry e at a number >= base.
failure create(const image::fd_entry &e, const image::file_content &c,
	       int base, long *out)
{
	const char *name = g.tables.strings + e.name;
	const size_t n = without_deleted(name);
	long fd;
	if (e.kind == image::fd_memfd) {
		char memfd_name[250]; // MFD_NAME_MAX_LEN 249, terminated
		constexpr size_t prefix = 7; // "/memfd:"
		size_t len = n > prefix ? n - prefix : 0;
		if (len > sizeof memfd_name - 1)
			len = sizeof memfd_name - 1;
		memcpy(memfd_name, name + (n > prefix ? prefix : n), len);
		memfd_name[len] = 0;
		// Without MFD_ALLOW_SEALING the kernel seals it with
		// F_SEAL_SEAL alone: such a memfd was made that way.
		unsigned flags = MFD_CLOEXEC;
		if (c.seals != F_SEAL_SEAL)
			flags |= MFD_ALLOW_SEALING;
		fd = sys::memfd_create(memfd_name, flags);
		if (fd < 0)
			return {"cannot make the memfd again (memfd_create)",
				fd};
	} else {
		const int flags = O_TMPFILE | O_RDWR | O_CLOEXEC;
		fd = sys::open(dir_of(name, n), flags, 0600);
		if (fd < 0) {
			const char *img = g.image_path;
			fd = sys::open(dir_of(img, ckpt::str_len(img)), flags,
				       0600);
		}
		if (fd < 0)
			return {"cannot make the file again (O_TMPFILE, in "
				"its directory or the image's)", fd};
	}
	*out = move_to(fd, base);
	if (*out < 0)
		return {"cannot move it to a temporary descriptor", *out};
	long ret = sys::ftruncate((int)*out, c.size);
	if (ret < 0)
		return {"cannot give it its size (ftruncate)", ret};
	return {nullptr, 0};
}

// Reopens fd with the app's access mode and flags at a number >= base.
long reopen(long fd, uint32_t open_flags, int base)
{
	char proc[32];
	ckpt::text t(proc, sizeof proc);
	t.str("/proc/self/fd/").dec(fd);
	return move_to(sys::open(proc, (open_flags & O_ACCMODE) | O_CLOEXEC),
		       base);
}

// Makes entry i's file into *out; what failed, or none.
failure make(uint32_t i, uint32_t content, int first_fd, int base,
	     long *out)
{
	const image::fd_entry &e = g.tables.fds[i];
	const image::file_content &c = g.tables.contents[content];
	long rw = -1;
	failure f = {nullptr, 0};
	*out = -1;
	if (c.same_as >= 0) {
		rw = first_fd;
	} else {
		const image::extent *x = g.tables.extents;
		for (uint32_t k = 0; k < content; k++)
			x += g.tables.contents[k].extent_count;
		f = create(e, c, base, &rw);
		if (!f.what)
			f = copy_data((int)rw, c, x);
	}
	if (!f.what) {
		*out = reopen(rw, e.open_flags, base);
		if (*out < 0)
			f = {"cannot open it again with its access mode",
			     *out};
	}
	long ret = 0;
	if (f.what || c.same_as >= 0) {
	} else if (c.seals && c.seals != F_SEAL_SEAL &&
		   (ret = sys::fcntl((int)rw, F_ADD_SEALS, c.seals)) < 0) {
		f = {"cannot seal it again (F_ADD_SEALS)", ret};
	}
	if (!f.what &&
	    (ret = sys::fcntl((int)*out, F_SETFL, e.open_flags)) < 0)
		f = {"cannot set its flags (fcntl F_SETFL)", ret};
	if (!f.what && e.offset &&
	    (ret = sys::lseek((int)*out, (int64_t)e.offset, SEEK_SET)) < 0)
		f = {"cannot seek to its offset", ret};
	if (rw >= 0 && c.same_as < 0)
		sys::close((int)rw);
	if (f.what && *out >= 0) {
		sys::close((int)*out);
		*out = -1;
	}
	return f;
}

} // namespace

long content_of(uint32_t fd_index)
{
	return image::by_fd_index(g.tables.contents, g.tables.content_count,
				  fd_index);
}

long recreate_file(ckpt::text &err, uint32_t i, const int32_t *temps,
		   int base)
{
	const long content = content_of(i);
	if (content < 0)
		return -ENOENT; // policy() gives no such entry this action
	const image::file_content &c = g.tables.contents[content];
	const int first_fd =
		c.same_as >= 0
			? temps[g.tables.contents[c.same_as].fd_index]
			: -1;
	long fd;
	failure f = c.same_as >= 0 && first_fd < 0
			    ? failure{"the file it opened again is not "
				      "restored", 0}
			    : make(i, (uint32_t)content, first_fd, base, &fd);
	if (!f.what)
		return fd;
	const image::fd_entry &e = g.tables.fds[i];
	message(err).str("fd ").dec(e.fd).str(" (")
		.str(g.tables.strings + e.name).str("): ").str(f.what);
	if (f.err < 0)
		err.str(": ").errno_name(f.err);
	err.ch('\n');
	return f.err < 0 ? f.err : -EINVAL;
}

bool finish_recreated(ckpt::text &err, const int32_t *temps)
{
	for (uint32_t k = 0; k < g.tables.content_count; k++) {
		const image::file_content &c = g.tables.contents[k];
		const image::fd_entry &e = g.tables.fds[c.fd_index];
		const int32_t fd = temps[c.fd_index];
		// A snapshot's file (written.cc) was reopened, not made.
		if (c.same_as != -1 || fd < 0 ||
		    (e.kind == image::fd_file && !(e.flags & image::fd_deleted)))
			continue;
		long ret = sys::fchmod(fd, e.mode & 07777);
		if (ret < 0) {
			message(err).str("fd ").dec(e.fd).str(" (")
				.str(g.tables.strings + e.name)
				.str("): cannot give it its permissions "
				     "(fchmod): ")
				.errno_name(ret).ch('\n');
			return false;
		}
	}
	return true;
}

long open_content_mapping(ckpt::text &err, uint32_t region,
			  const int32_t *temps, int base)
{
	const image::region &r = g.tables.regions[region];
	const char *name = g.tables.strings + r.name;
	long fd = -ENOENT;
	for (uint32_t k = 0; k < g.tables.content_count; k++) {
		const image::file_content &c = g.tables.contents[k];
		if (c.same_as != -1 ||
		    !ckpt::str_eq(g.tables.strings +
					  g.tables.fds[c.fd_index].name,
				  name))
			continue;
		const int32_t made = temps[c.fd_index];
		fd = made < 0 ? -EBADF : reopen(made, O_RDWR, base);
		// A file the app may only read: so is its mapping.
		if ((fd == -EACCES || fd == -EPERM) && !(r.prot & PROT_WRITE))
			fd = reopen(made, O_RDONLY, base);
		break;
	}
	if (fd >= 0)
		return fd;
	message(err).str("region ").udec(region).str(" at 0x").hex(r.start)
		.str(": ").str(name).str(": cannot open the file it maps: ")
		.errno_name(fd).ch('\n');
	return fd;
}

copy_result copy_content(const image::file_content &c,
			 const image::extent *x, int out)
{
	uint64_t from = c.data_offset;
	uint32_t crc = 0;
	for (uint32_t k = 0; k < c.extent_count; k++, x++) {
		for (uint64_t done = 0; done < x->length;) {
			size_t n = x->length - done < sizeof copy_buf
					   ? x->length - done
					   : sizeof copy_buf;
			long got = ckpt::pread_full(g.fd, copy_buf, n, from);
			if (got < 0)
				return {copy_stage::read, got};
			if ((size_t)got != n)
				return {copy_stage::cut_short, 0};
			crc = ckpt::crc32c(crc, copy_buf, n);
			for (size_t w = 0; out >= 0 && w < n;) {
				long put = sys::pwrite(out, copy_buf + w, n - w,
						       x->offset + done + w);
				if (put == -EINTR)
					continue;
				if (put <= 0)
					return {copy_stage::write,
						put < 0 ? put : -EIO};
				w += put;
			}
			from += n;
			done += n;
		}
	}
	if (crc != c.data_crc)
		return {copy_stage::checksum, 0};
	return {copy_stage::done, 0};
}

} // namespace restorer
