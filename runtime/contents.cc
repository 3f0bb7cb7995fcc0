// The contents of deleted files and memfds: which descriptors need them,
// the parts of each file that hold data, and writing those into the image.
//
// Each file is read through a descriptor of its own, opened read-only
// through /proc/self/fd/N (that works for a deleted file and a memfd, and
// for one the app opened write-only), so that the app's offset is left
// alone. SEEK_DATA/SEEK_HOLE on it find the data; a file system without
// them says all of the file is data.
#include <linux/errno.h>
#include <linux/fs.h>

#include "arch/sys.h"
#include "runtime/contents.h"
#include "runtime/crc32c.h"
#include "runtime/io.h"
#include "runtime/runtime.h"
#include "runtime/str.h"
#include "runtime/written.h"

namespace ckpt {

namespace {

bool stored(const image::fd_entry &e)
{
	if (e.dup_of != -1 || (e.flags & image::fd_lost) ||
	    (e.open_flags & O_PATH))
		return false;
	return e.kind == image::fd_memfd ||
	       (e.kind == image::fd_file && (e.flags & image::fd_deleted));
}

// A read-only descriptor of fd's file, above 2 (a forked writer keeps it,
// and closes 0 to 2), or -errno.
long open_source(int fd)
{
	char proc[32];
	text t(proc, sizeof proc);
	t.str("/proc/self/fd/").dec(fd);
	long src = sys::open(proc, O_RDONLY | O_CLOEXEC);
	if (src >= 0 && src < 3) {
		long up = sys::fcntl((int)src, F_DUPFD_CLOEXEC, 3);
		sys::close((int)src);
		src = up;
	}
	return src;
}

// Appends the extents of src's data in [0, size) to t; when the table is
// full, the last one grows to the end (the holes are stored as zeroes).
void find_extents(int src, uint64_t size, content_table &t,
		  image::file_content &c)
{
	uint64_t off = 0;
	while (off < size) {
		long data = sys::lseek(src, (int64_t)off, SEEK_DATA);
		if (data == -ENXIO)
			break; // a hole to the end
		long hole = data < 0 ? -1 : sys::lseek(src, data, SEEK_HOLE);
		uint64_t from = off, to = size;
		if (data >= 0 && hole > data) {
			from = (uint64_t)data;
			to = (uint64_t)hole < size ? (uint64_t)hole : size;
		}
		if (from >= size)
			break;
		if (t.extent_count == image::max_extents) {
			image::extent &last = t.extents[t.extent_count - 1];
			c.data_size += size - (last.offset + last.length);
			last.length = size - last.offset;
			return;
		}
		t.extents[t.extent_count++] = {from, to - from};
		c.extent_count++;
		c.data_size += to - from;
		off = to;
	}
}

} // namespace

long find_contents(const image::fd_entry *fds, uint32_t fd_count,
		   const char *strings, content_table &t, text &msg)
{
	t.count = 0;
	t.extent_count = 0;
	for (uint32_t i = 0; i < fd_count; i++) {
		const image::fd_entry &e = fds[i];
		// And the files CKPT_FILES snapshots (written.cc).
		if (!stored(e) && !snapshot_stored(fds, i, strings))
			continue;
		if (t.count == image::max_contents) {
			msg.str("more than ").udec(image::max_contents)
				.str(" deleted files and memfds are open: an "
				     "image holds no more");
			return -EMFILE;
		}
		image::file_content &c = t.items[t.count];
		c = {};
		c.fd_index = i;
		c.same_as = -1;
		c.size = e.size;
		// Another open of a file stored already: that one's.
		for (uint32_t k = 0; k < t.count; k++) {
			const image::fd_entry &o = fds[t.items[k].fd_index];
			if (t.items[k].same_as == -1 && o.kind == e.kind &&
			    o.dev == e.dev && o.ino == e.ino) {
				c.same_as = (int32_t)k;
				c.seals = t.items[k].seals;
				break;
			}
		}
		t.sources[t.count] = -1;
		if (c.same_as != -1) {
			t.count++;
			continue;
		}
		if (e.kind == image::fd_memfd) {
			long seals = sys::fcntl(e.fd, F_GET_SEALS);
			c.seals = seals > 0 ? (uint32_t)seals : 0;
		}
		long src = open_source(e.fd);
		if (src < 0) {
			msg.str("fd ").dec(e.fd).str(" (").str(strings + e.name)
				.str("): cannot open it to read its contents: ")
				.errno_name(src);
			return src;
		}
		find_extents((int)src, c.size, t, c);
		if (c.data_size > config.max_file_contents) {
			sys::close((int)src);
			msg.str("fd ").dec(e.fd).str(" (").str(strings + e.name)
				.str("): its contents are ").udec(c.data_size)
				.str(" bytes, above CKPT_MAX_FILE_CONTENTS (")
				.udec(config.max_file_contents).str(" bytes)");
			return -EFBIG;
		}
		t.sources[t.count] = (int32_t)src;
		if (config.fork && e.kind == image::fd_file &&
		    !(e.flags & image::fd_deleted))
			freeze_snapshot(e, strings, c,
					t.extents + t.extent_count -
						c.extent_count,
					&t.sources[t.count]);
		t.count++;
	}
	return 0;
}

bool content_mapped(const content_table &t, const image::fd_entry *fds,
		    const char *strings, const map_entry &e)
{
	if (!e.shared || !e.name_len)
		return false;
	const uint32_t dev = e.dev_major << 20 | (e.dev_minor & 0xfffff);
	bool found = false;
	for (uint32_t i = 0; i < t.count; i++) {
		const image::file_content &c = t.items[i];
		const image::fd_entry &f = fds[c.fd_index];
		const char *name = strings + f.name;
		if (c.same_as != -1 || str_len(name) != e.name_len ||
		    memcmp(name, e.name, e.name_len) != 0)
			continue;
		// Two stored files of this name: which one is mapped cannot
		// be told at restore; it stays a copy.
		if (found || f.ino != e.inode || f.dev != dev)
			return false;
		found = true;
	}
	return found;
}

void close_contents(content_table &t)
{
	for (uint32_t i = 0; i < t.count; i++) {
		if (t.sources[i] >= 0)
			sys::close(t.sources[i]);
		t.sources[i] = -1;
	}
}

uint32_t content_sources(const content_table &t, int32_t *out, uint32_t cap)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < t.count && n < cap; i++) {
		if (t.sources[i] < 0)
			continue;
		uint32_t k = n++;
		for (; k > 0 && out[k - 1] > t.sources[i]; k--)
			out[k] = out[k - 1];
		out[k] = t.sources[i];
	}
	return n;
}

void layout_contents(content_table &t, uint64_t page_size, uint64_t *off)
{
	for (uint32_t i = 0; i < t.count; i++) {
		image::file_content &c = t.items[i];
		if (!c.data_size)
			continue;
		c.data_offset = (*off + page_size - 1) & ~(page_size - 1);
		*off = c.data_offset + c.data_size;
	}
}

long write_contents(int image_fd, const image::fd_entry *fds,
		    content_table &t, char *staging, size_t staging_size,
		    text &msg)
{
	const image::extent *x = t.extents;
	for (uint32_t i = 0; i < t.count; i++) {
		image::file_content &c = t.items[i];
		if (!c.data_size)
			continue;
		const image::fd_entry &e = fds[c.fd_index];
		const int src = t.sources[i];
		long ret = src < 0 ? -EBADF
				   : sys::lseek(image_fd, (int64_t)c.data_offset,
						SEEK_SET);
		c.data_crc = 0;
		for (uint32_t k = 0; k < c.extent_count && ret >= 0; k++, x++) {
			for (uint64_t done = 0; done < x->length && ret >= 0;) {
				size_t n = x->length - done < staging_size
						   ? x->length - done
						   : staging_size;
				ret = pread_full(src, staging, n,
						 x->offset + done);
				// Shorter now (a forked checkpoint, whose app
				// runs on): what is gone reads as zeroes.
				if (ret >= 0 && (size_t)ret < n)
					memset(staging + ret, 0, n - ret);
				if (ret >= 0) {
					c.data_crc = crc32c(c.data_crc, staging,
							    n);
					ret = write_all(image_fd, staging, n);
				}
				done += n;
			}
		}
		if (ret < 0) {
			msg.str("fd ").dec(e.fd)
				.str(": cannot store its contents: ")
				.errno_name(ret);
			return ret;
		}
	}
	return 0;
}

} // namespace ckpt
