// The kernel objects of an event loop, made again by their kind: pipes
// both of whose ends the app held (their size, flags and buffered bytes),
// eventfds (count, semaphore) and epolls (their watches, with the same
// events and data, once their targets exist).
//
// Before the point of no return each object is made at a temporary
// number, and each epoll watches its targets at theirs (which proves the
// watches can be had). An epoll watch is of a file and the number it was
// added with: after restore_files() has put every descriptor in place,
// move_watches() replaces each watch of a temporary number by one of the
// app's, or epoll_ctl(EPOLL_CTL_MOD, DEL) by the app would find none.
#include <linux/errno.h>
#include <linux/eventpoll.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

// Per fd table entry, found once (plan()): its pipe record or first event
// record, or -1; and whether it can come back (0 unknown, 1 yes, 2 no).
int32_t record_of[image::max_fds];
uint8_t can[image::max_fds];
// Which image they are of: one restore reads one, the fuzzer many.
struct plan_key {
	const char *meta;
	uint32_t crc, fds, pipes, events;
} planned;

const image::fd_entry &entry(uint32_t i)
{
	return g.tables.fds[i];
}

void plan()
{
	const image::tables &tb = g.tables;
	const plan_key key = {g.meta, g.header.meta_crc, tb.fd_count,
			      tb.pipe_count, tb.event_count};
	if (key.meta == planned.meta && key.crc == planned.crc &&
	    key.fds == planned.fds && key.pipes == planned.pipes &&
	    key.events == planned.events && key.meta)
		return;
	planned = key;
	for (uint32_t i = 0; i < tb.fd_count; i++) {
		record_of[i] = -1;
		can[i] = 0;
	}
	for (uint32_t k = 0; k < tb.pipe_count; k++) {
		record_of[tb.pipes[k].read_end] = (int32_t)k;
		record_of[tb.pipes[k].write_end] = (int32_t)k;
	}
	// Events are in fd order (check_event_objects): the first of each.
	for (uint32_t k = tb.event_count; k-- > 0;)
		record_of[tb.events[k].fd] = (int32_t)k;
}

// The watches of epoll entry i: events[*first, *end).
void watches(uint32_t i, uint32_t *first, uint32_t *end)
{
	plan();
	*first = *end = 0;
	if (record_of[i] < 0)
		return;
	*first = *end = (uint32_t)record_of[i];
	while (*end < g.tables.event_count && g.tables.events[*end].fd == i)
		(*end)++;
}

ckpt::text &object_message(ckpt::text &t, uint32_t i)
{
	return message(t).str("fd ").dec(entry(i).fd).str(" (")
		.str(g.tables.strings + entry(i).name).str(")");
}

bool failed(ckpt::text &err, uint32_t i, const char *what, long ret)
{
	object_message(err, i).str(": ").str(what).str(": ")
		.errno_name(ret).ch('\n');
	return false;
}

// Sets the app's flags (O_NONBLOCK, O_DIRECT, ...) on a descriptor made
// O_NONBLOCK.
long set_flags(int fd, uint32_t i)
{
	return sys::fcntl(fd, F_SETFL, entry(i).open_flags);
}

// A FIFO that still had its name: one unlinked since comes back as a
// pipe, which no other process can open either.
bool named_fifo(const image::fd_entry &e)
{
	const char *name = g.tables.strings + e.name;
	const size_t n = ckpt::str_len(name);
	constexpr char deleted[] = " (deleted)";
	constexpr size_t k = sizeof deleted - 1;
	return name[0] == '/' &&
	       !(n >= k && memcmp(name + n - k, deleted, k) == 0);
}

// A named FIFO both of whose ends the app held: opened again by its
// path, the read end first (O_NONBLOCK: an open for reading does not
// wait for a writer, and one for writing finds that reader), the write
// end through /proc/self/fd of it, the very same inode. 0, or 1 with the
// reason in err.
long open_fifo(ckpt::text &err, const image::pipe_record &p, int ends[2])
{
	const image::fd_entry &e = entry(p.read_end);
	const char *path = g.tables.strings + e.name;
	long r = sys::open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
					 O_NOFOLLOW);
	if (r < 0) {
		failed(err, p.read_end, "cannot open the FIFO again", r);
		return 1;
	}
	struct statx st = {};
	long ret = sys::statx((int)r, "", AT_EMPTY_PATH,
			      STATX_TYPE | STATX_INO, &st);
	const uint32_t dev = st.stx_dev_major << 20 |
			     (st.stx_dev_minor & 0xfffff);
	const char *why = ret < 0 ? nullptr
			  : (st.stx_mode & S_IFMT) != S_IFIFO
				  ? "it is no FIFO now"
			  : st.stx_ino != e.ino || (e.dev && dev != e.dev)
				  ? "it is another FIFO now" : nullptr;
	if (ret < 0 || why) {
		sys::close((int)r);
		if (ret < 0)
			failed(err, p.read_end, "cannot stat the FIFO", ret);
		else
			object_message(err, p.read_end).str(": ").str(why)
				.ch('\n');
		return 1;
	}
	char proc[32];
	ckpt::text t(proc, sizeof proc);
	t.str("/proc/self/fd/").dec(r);
	long w = sys::open(proc, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (w < 0) {
		sys::close((int)r);
		failed(err, p.write_end, "cannot open the FIFO again", w);
		return 1;
	}
	ends[0] = (int)r;
	ends[1] = (int)w;
	return 0;
}

bool make_pipe(ckpt::text &err, uint32_t i, int32_t *temps)
{
	const image::pipe_record &p = g.tables.pipes[record_of[i]];
	if (temps[p.read_end] >= 0)
		return true; // made with its other end
	int ends[2];
	long ret = named_fifo(entry(i))
			   ? open_fifo(err, p, ends)
			   : sys::pipe2(ends, O_CLOEXEC | O_NONBLOCK);
	if (ret == 1)
		return false; // named in err
	if (ret < 0)
		return failed(err, i, "cannot make the pipe (pipe2)", ret);
	long r = move_up(ends[0]), w = move_up(ends[1]);
	if (r < 0 || w < 0) {
		if (r >= 0)
			sys::close((int)r);
		if (w >= 0)
			sys::close((int)w);
		return failed(err, i, "cannot move the pipe up (fcntl)",
			      r < 0 ? r : w);
	}
	temps[p.read_end] = (int32_t)r;
	temps[p.write_end] = (int32_t)w;
	// The kernel rounds a size up to a power of two pages: the app's was
	// one already.
	ret = sys::fcntl((int)w, F_GETPIPE_SZ);
	if (ret >= 0 && (uint32_t)ret != p.size)
		ret = sys::fcntl((int)w, F_SETPIPE_SZ, p.size);
	if (ret < 0) {
		char what[64];
		ckpt::text t(what, sizeof what);
		t.str("cannot set its size to ").udec(p.size)
			.str(" (F_SETPIPE_SZ)");
		return failed(err, i, what, ret);
	}
	// It has room for them: the app's pipe held them at this size.
	ret = ckpt::write_all((int)w, g.tables.pipe_data + p.data,
			      p.data_size);
	if (ret < 0)
		return failed(err, i, "cannot write its buffered bytes", ret);
	if ((ret = set_flags((int)r, p.read_end)) < 0 ||
	    (ret = set_flags((int)w, p.write_end)) < 0)
		return failed(err, i, "cannot set its flags (fcntl F_SETFL)",
			      ret);
	return true;
}

bool make_eventfd(ckpt::text &err, uint32_t i, int32_t *temps)
{
	const image::event_record &e = g.tables.events[record_of[i]];
	constexpr int efd_semaphore = 1; // EFD_SEMAPHORE
	const int sem = e.flags & image::event_semaphore ? efd_semaphore : 0;
	// Its count may not fit eventfd2()'s unsigned int: written instead.
	long fd = move_up(sys::eventfd2(0, O_CLOEXEC | O_NONBLOCK | sem));
	if (fd < 0)
		return failed(err, i, "cannot make the eventfd (eventfd2)", fd);
	temps[i] = (int32_t)fd;
	long ret = 0;
	if (e.value)
		ret = ckpt::write_all((int)fd, &e.value, sizeof e.value);
	if (ret < 0)
		return failed(err, i, "cannot set its count (write)", ret);
	if ((ret = set_flags((int)fd, i)) < 0)
		return failed(err, i, "cannot set its flags (fcntl F_SETFL)",
			      ret);
	return true;
}

bool make_epoll(ckpt::text &err, uint32_t i, int32_t *temps)
{
	long fd = move_up(sys::epoll_create1(O_CLOEXEC));
	if (fd < 0)
		return failed(err, i, "cannot make the epoll (epoll_create1)",
			      fd);
	temps[i] = (int32_t)fd;
	long ret = set_flags((int)fd, i);
	if (ret < 0)
		return failed(err, i, "cannot set its flags (fcntl F_SETFL)",
			      ret);
	return true;
}

epoll_event event_of(const image::event_record &w)
{
	epoll_event ev = {};
	ev.events = w.events;
	ev.data = w.value;
	return ev;
}

} // namespace

bool recreatable(uint32_t i)
{
	plan();
	const image::fd_entry &e = entry(i);
	if (e.dup_of != -1 || (e.flags & image::fd_lost))
		return false;
	const char *name = g.tables.strings + e.name;
	const bool pipe = e.kind == image::fd_fifo &&
			  (ckpt::starts_with(name, "pipe:[") || name[0] == '/');
	if (e.kind != image::fd_eventfd && e.kind != image::fd_epoll && !pipe)
		return false;
	if (can[i])
		return can[i] == 1;
	// A pipe or eventfd without its record: a pipe to another process,
	// or state the checkpoint could not read. An epoll with none has no
	// watches.
	if (record_of[i] < 0 && e.kind != image::fd_epoll) {
		can[i] = 2;
		return false;
	}
	if (e.kind == image::fd_epoll) {
		// An epoll in its own watch list, or nested deeper than the
		// kernel allows (EP_MAX_NESTS, 4), is none the kernel made (a
		// hostile image): can[i] is 2 while its targets are looked
		// at, and the depth is bounded.
		static int depth;
		if (depth > 4) {
			can[i] = 2;
			return false;
		}
		can[i] = 2;
		uint32_t first, end;
		watches(i, &first, &end);
		depth++;
		bool ok = true;
		for (uint32_t k = first; ok && k < end; k++) {
			const image::event_record &w = g.tables.events[k];
			ok = w.target_index != image::no_target &&
			     fd_comes_back(w.target_index);
		}
		depth--;
		if (!ok)
			return false;
	}
	can[i] = 1;
	return true;
}

const char *lost_reason(uint32_t i)
{
	const image::fd_entry &e = entry(i);
	plan();
	if (e.kind == image::fd_epoll) {
		uint32_t first, end;
		watches(i, &first, &end);
		for (uint32_t k = first; k < end; k++) {
			const image::event_record &w = g.tables.events[k];
			if (w.target_index == image::no_target)
				return "it watches a file that was no longer "
				       "open at the number it was added with";
			if (!fd_comes_back(w.target_index))
				return "a file it watches does not come back";
		}
		return nullptr;
	}
	if (e.kind == image::fd_fifo && e.dup_of == -1)
		return "the pipe's other end was not the process's (or its "
		       "bytes could not be read at checkpoint)";
	if (e.kind == image::fd_eventfd && e.dup_of == -1)
		return "its state could not be read at checkpoint";
	return nullptr;
}

bool recreate(ckpt::text &err, uint32_t i, int32_t *temps)
{
	switch (entry(i).kind) {
	case image::fd_eventfd:
		return make_eventfd(err, i, temps);
	case image::fd_epoll:
		return make_epoll(err, i, temps);
	default:
		return make_pipe(err, i, temps);
	}
}

bool add_watches(ckpt::text &err, uint32_t i, int32_t epoll_fd)
{
	uint32_t first, end;
	watches(i, &first, &end);
	for (uint32_t k = first; k < end; k++) {
		const image::event_record &w = g.tables.events[k];
		epoll_event ev = event_of(w);
		long ret = sys::epoll_ctl(epoll_fd, EPOLL_CTL_ADD,
					  fd_now(w.target_index), &ev);
		// Two watches of one file at two numbers (a dup) are one
		// at its temporary number, until move_watches().
		if (ret < 0 && ret != -EEXIST) {
			char what[64];
			ckpt::text t(what, sizeof what);
			t.str("cannot watch fd ").dec(w.target)
				.str(" again (epoll_ctl)");
			return failed(err, i, what, ret);
		}
	}
	return true;
}

void move_watches(uint32_t i)
{
	const image::fd_entry &e = entry(i);
	uint32_t first, end;
	watches(i, &first, &end);
	for (uint32_t k = first; k < end; k++) {
		const image::event_record &w = g.tables.events[k];
		const int now = fd_now(w.target_index);
		if (now == w.target)
			continue;
		// First the temporary one: max_user_watches counts both.
		sys::epoll_ctl(e.fd, EPOLL_CTL_DEL, now, nullptr);
		epoll_event ev = event_of(w);
		long ret = sys::epoll_ctl(e.fd, EPOLL_CTL_ADD, w.target, &ev);
		if (ret < 0 && ret != -EEXIST) {
			char buf[4096 + 256];
			ckpt::text t(buf, sizeof buf);
			object_message(t, i).str(": cannot watch fd ")
				.dec(w.target).str(" again (epoll_ctl): ")
				.errno_name(ret).ch('\n');
			die(t);
		}
	}
}

void object_info(ckpt::text &t, uint32_t i)
{
	plan();
	const image::fd_entry &e = entry(i);
	if (e.dup_of != -1 || (record_of[i] < 0 && e.kind != image::fd_epoll))
		return;
	if (e.kind == image::fd_fifo) {
		const image::pipe_record &p = g.tables.pipes[record_of[i]];
		if (p.read_end == i)
			t.str(" size ").udec(p.size).str(", ")
				.udec(p.data_size).str(" bytes buffered, ")
				.str("write end fd ").dec(entry(p.write_end).fd);
		else
			t.str(" read end fd ").dec(entry(p.read_end).fd);
	} else if (e.kind == image::fd_eventfd) {
		const image::event_record &r = g.tables.events[record_of[i]];
		t.str(" count ").udec(r.value);
		if (r.flags & image::event_semaphore)
			t.str(" semaphore");
	} else if (e.kind == image::fd_epoll) {
		uint32_t first, end;
		watches(i, &first, &end);
		t.str(" watches ").udec(end - first);
	}
}

void print_watches(uint32_t i)
{
	if (entry(i).kind != image::fd_epoll || entry(i).dup_of != -1)
		return;
	uint32_t first, end;
	watches(i, &first, &end);
	for (uint32_t k = first; k < end; k++) {
		const image::event_record &w = g.tables.events[k];
		char buf[128];
		ckpt::text t(buf, sizeof buf);
		t.str("  watch fd ").dec(w.target).str(" events 0x")
			.hex(w.events).str(" data 0x").hex(w.value);
		if (w.target_index == image::no_target)
			t.str(" (no longer open at that number)");
		ckpt::print_out(t.ch('\n'));
	}
}

} // namespace restorer
