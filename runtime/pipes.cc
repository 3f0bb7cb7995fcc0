// The kernel objects of an event loop, at checkpoint: pipes both of whose
// ends the process holds (with the bytes buffered in them), eventfds and
// the watches of epolls, read from the descriptors and from
// /proc/self/fdinfo without changing them for the running app.
#include <linux/errno.h>
#include <asm/ioctls.h>

#include "arch/sys.h"
#include "runtime/fdinfo.h"
#include "runtime/io.h"
#include "runtime/process.h"
#include "runtime/str.h"

namespace ckpt {

event_objects saved_events;

namespace {

// /proc/self/fdinfo/N of an epoll holds a line per watch: room for a few
// thousand. Not on the stack (a signal checkpoint runs on the app's);
// checkpoint() is never reentered.
char fdinfo[1 << 18];

const char *name_of(const image::fd_entry &e, const char *strings)
{
	return strings + e.name;
}

void warn(const image::fd_entry &e, const char *strings, const char *why,
	  long err = 0)
{
	warn_fd(e, strings, why, err, ", it will not come back\n");
}

bool add_event(const image::event_record &r)
{
	if (saved_events.event_count == image::max_events)
		return false;
	saved_events.events[saved_events.event_count++] = r;
	return true;
}

// eventfd: "eventfd-count: HEX" and (6.x) "eventfd-semaphore: 0|1".
void save_eventfd(const image::fd_entry *fds, uint32_t i, const char *strings)
{
	const image::fd_entry &e = fds[i];
	long n = read_fdinfo(e.fd, fdinfo, sizeof fdinfo);
	uint64_t count, sem = 0;
	if (n < 0 || !fdinfo_number(fdinfo, fdinfo + n, "eventfd-count:", 16,
				    &count)) {
		warn(e, strings, "cannot read its count in fdinfo",
		     n < 0 ? n : -EINVAL);
		return;
	}
	fdinfo_number(fdinfo, fdinfo + n, "eventfd-semaphore:", 10, &sem);
	image::event_record r = {};
	r.type = image::event_eventfd;
	r.fd = i;
	r.flags = sem ? (uint32_t)image::event_semaphore : 0;
	r.value = count;
	if (!add_event(r))
		warn(e, strings, "too many eventfds and epoll watches");
}

// The fd table index of descriptor fd, or no_target.
uint32_t index_of(const image::fd_entry *fds, uint32_t count, int64_t fd)
{
	uint32_t lo = 0, hi = count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (fds[mid].fd == fd)
			return mid;
		if (fds[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return image::no_target;
}

// epoll: a "tfd: N events: HEX data: HEX pos: P ino: HEX sdev: HEX" line
// per watch. The watch is of a file, known by the number it was added
// with: if that number names another file now (closed, reused), the
// target is unknown. One whose watches cannot be read stays an fd_anon
// (lost), not an epoll without watches.
void save_epoll(image::fd_entry *fds, uint32_t count, uint32_t i,
		const char *strings)
{
	image::fd_entry &e = fds[i];
	long n = read_fdinfo(e.fd, fdinfo, sizeof fdinfo);
	if (n < 0) {
		warn(e, strings, "cannot read its watches in fdinfo", n);
		e.kind = image::fd_anon; // not an epoll without watches
		return;
	}
	const uint32_t first = saved_events.event_count;
	const char *s = fdinfo, *end = fdinfo + n;
	while (s < end) {
		const char *eol = s;
		while (eol < end && *eol != '\n')
			eol++;
		uint64_t tfd, events, data, ino;
		if (starts_with(s, "tfd:")) {
			if (!fdinfo_number(s, eol, "tfd:", 10, &tfd) ||
			    !fdinfo_number(s, eol, "events:", 16, &events) ||
			    !fdinfo_number(s, eol, "data:", 16, &data) ||
			    !fdinfo_number(s, eol, "ino:", 16, &ino) ||
			    tfd >= (uint64_t)image::fd_limit) {
				warn(e, strings, "cannot parse its fdinfo");
				saved_events.event_count = first;
				e.kind = image::fd_anon;
				return;
			}
			image::event_record r = {};
			r.type = image::event_epoll_watch;
			r.fd = i;
			r.events = (uint32_t)events;
			r.value = data;
			r.target = (int32_t)tfd;
			r.target_index = index_of(fds, count, (int64_t)tfd);
			if (r.target_index != image::no_target &&
			    fds[r.target_index].ino != ino)
				r.target_index = image::no_target;
			if (!add_event(r)) {
				warn(e, strings,
				     "too many eventfds and epoll watches");
				saved_events.event_count = first;
				e.kind = image::fd_anon;
				return;
			}
		}
		s = eol + 1;
	}
}

// The bytes buffered in the pipe whose read end is fd, into
// saved_events.data (size bytes of room, the pipe's size): tee() copies
// them into a spare pipe of the same size, leaving them in place for the
// app, and they are read from there. The byte count, or -errno.
long pipe_bytes(int fd, uint32_t size, char *out)
{
	int avail = 0;
	long ret = sys::ioctl(fd, FIONREAD, (long)&avail);
	if (ret < 0)
		return ret;
	if (avail == 0)
		return 0;
	if ((uint32_t)avail > size)
		return -EOVERFLOW;
	int spare[2];
	ret = sys::pipe2(spare, O_CLOEXEC | O_NONBLOCK);
	if (ret < 0)
		return ret;
	ret = sys::fcntl(spare[1], F_SETPIPE_SZ, size);
	if (ret >= 0) {
		constexpr unsigned splice_nonblock = 2; // SPLICE_F_NONBLOCK
		ret = sys::tee(fd, spare[1], (size_t)avail, splice_nonblock);
	}
	if (ret >= 0 && ret != avail)
		ret = -EAGAIN; // not all of it: packet boundaries, a race
	if (ret >= 0)
		ret = read_full(spare[0], out, (size_t)avail);
	if (ret >= 0 && ret != avail)
		ret = -EIO;
	sys::close(spare[0]);
	sys::close(spare[1]);
	return ret;
}

// A pipe, or a named FIFO (its path).
bool is_pipe(const image::fd_entry &e, const char *strings)
{
	const char *name = name_of(e, strings);
	return e.kind == image::fd_fifo && e.dup_of == -1 &&
	       !(e.flags & image::fd_lost) &&
	       (starts_with(name, "pipe:[") || name[0] == '/');
}

// The first entry of an open file of the pipe of fds[i] (its inode) with
// the access mode mode; count if none.
uint32_t pipe_end(const image::fd_entry *fds, uint32_t count, uint32_t i,
		  uint32_t mode, const char *strings)
{
	for (uint32_t k = 0; k < count; k++) {
		if (is_pipe(fds[k], strings) && fds[k].ino == fds[i].ino &&
		    fds[k].dev == fds[i].dev &&
		    (fds[k].open_flags & O_ACCMODE) == mode)
			return k;
	}
	return count;
}

// A pipe both of whose ends are here, recorded once: at its first read
// end. A pipe to another process (one end only) is not.
void save_pipe(const image::fd_entry *fds, uint32_t count, uint32_t i,
	       const char *strings)
{
	const image::fd_entry &e = fds[i];
	if ((e.open_flags & O_ACCMODE) != O_RDONLY ||
	    pipe_end(fds, count, i, O_RDONLY, strings) != i)
		return;
	const uint32_t w = pipe_end(fds, count, i, O_WRONLY, strings);
	if (w == count)
		return; // its other end is not the process's
	long size = sys::fcntl(e.fd, F_GETPIPE_SZ);
	if (size <= 0) {
		warn(e, strings, "cannot read its size (F_GETPIPE_SZ)",
		     size < 0 ? size : -EINVAL);
		return;
	}
	event_objects &o = saved_events;
	const uint32_t at = (o.data_size + 7) & ~7u;
	if (o.pipe_count == image::max_fds / 2 ||
	    (uint64_t)at + (uint64_t)size > image::max_pipe_data) {
		warn(e, strings, "the pipes hold more than the image keeps "
				 "(16 MiB)");
		return;
	}
	long n = pipe_bytes(e.fd, (uint32_t)size, o.data + at);
	if (n < 0) {
		warn(e, strings, "cannot copy the bytes buffered in it", n);
		return;
	}
	image::pipe_record &p = o.pipes[o.pipe_count++];
	p = {};
	p.read_end = i;
	p.write_end = w;
	p.size = (uint32_t)size;
	p.data_size = (uint32_t)n;
	p.data = at;
	o.data_size = at + (uint32_t)n;
}

} // namespace

void save_event_objects(image::fd_entry *fds, uint32_t count,
			const char *strings)
{
	event_objects &o = saved_events;
	o.pipe_count = o.event_count = o.data_size = 0;
	if (!o.pipes)
		return;
	for (uint32_t i = 0; i < count; i++) {
		image::fd_entry &e = fds[i];
		if (e.kind != image::fd_anon || (e.flags & image::fd_lost))
			continue;
		if (str_eq(name_of(e, strings), "anon_inode:[eventfd]"))
			e.kind = image::fd_eventfd;
		else if (str_eq(name_of(e, strings), "anon_inode:[eventpoll]"))
			e.kind = image::fd_epoll;
	}
	for (uint32_t i = 0; i < count; i++) {
		const image::fd_entry &e = fds[i];
		if (e.dup_of != -1 || (e.flags & image::fd_lost))
			continue;
		if (e.kind == image::fd_eventfd)
			save_eventfd(fds, i, strings);
		else if (e.kind == image::fd_epoll)
			save_epoll(fds, count, i, strings);
		else if (is_pipe(e, strings))
			save_pipe(fds, count, i, strings);
	}
	// The section's size is a multiple of 8, as every section's.
	while (o.data_size & 7)
		o.data[o.data_size++] = 0;
}

} // namespace ckpt
