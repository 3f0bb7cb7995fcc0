// The messages queued in a socket, at checkpoint: peeked (MSG_PEEK,
// walking the queue with SO_PEEK_OFF), so that the running app keeps
// them; or, where there is no SO_PEEK_OFF (qemu-user), read and given
// back at once by the peer (probe_peers()). A message that carries
// descriptors (SCM_RIGHTS) cannot come back: the copies a peek installs
// are closed again.
#include <linux/errno.h>
#include <asm/ioctls.h>

#include "arch/sys.h"
#include "runtime/socket_save.h"
#include "runtime/str.h"

namespace ckpt::socket_save {

namespace {

// Descriptors in flight (SCM_RIGHTS) that a peek installed: closed, and
// true.
bool close_passed_fds(const sys::msghdr &m)
{
	bool any = false;
	const char *p = static_cast<const char *>(m.control);
	const char *end = p + m.controllen;
	while (p + 16 <= end) {
		uint64_t len;
		int32_t level, type;
		memcpy(&len, p, 8);
		memcpy(&level, p + 8, 4);
		memcpy(&type, p + 12, 4);
		if (len < 16 || len > (uint64_t)(end - p))
			break;
		if (level == sol_socket && type == scm_rights) {
			any = true;
			for (uint64_t k = 16; k + 4 <= len; k += 4) {
				int32_t fd;
				memcpy(&fd, p + k, 4);
				sys::close(fd);
			}
		}
		p += (len + 7) & ~7ull;
	}
	return any;
}

// Room for n more bytes at the next 8-aligned offset of the data; its
// offset, or -1.
long data_room(uint64_t n)
{
	const socket_objects &o = saved_sockets;
	const uint64_t at = (o.data_size + 7) & ~7ull;
	return at + n <= image::max_socket_data ? (long)at : -1;
}

bool add_message(uint32_t socket, uint64_t at, uint32_t len)
{
	socket_objects &o = saved_sockets;
	if (o.message_count == image::max_socket_messages)
		return false;
	o.messages[o.message_count++] = {socket, len, at};
	o.data_size = (uint32_t)(at + len);
	return true;
}

} // namespace

// One receive from fd into buf (len bytes), with flags; the bytes (the
// whole message's, with MSG_TRUNC) or -errno; -EXDEV if the message
// carries descriptors, which cannot come back.
long receive(int fd, char *buf, size_t len, int flags)
{
	alignas(8) char control[256];
	sys::iovec iov = {buf, len};
	sys::msghdr m = {};
	m.iov = &iov;
	m.iovlen = 1;
	m.control = control;
	m.controllen = sizeof control;
	long ret;
	do
		ret = sys::recvmsg(fd, &m, flags | msg_dontwait |
					   msg_cmsg_cloexec);
	while (ret == -EINTR);
	if (ret >= 0 && (close_passed_fds(m) || (m.flags & msg_ctrunc)))
		return -EXDEV;
	return ret;
}

// The messages queued in socket k (fd fd): appended to the message
// section; 0, or -errno with what failed in *why.
long save_queue(uint32_t k, int fd, const char **why)
{
	socket_objects &o = saved_sockets;
	image::socket_entry &s = o.sockets[k];
	s.message_first = o.message_count;
	int avail = 0;
	long ret = sys::ioctl(fd, FIONREAD, (long)&avail);
	if (ret < 0) {
		*why = "cannot read how much is queued in it (FIONREAD)";
		return ret;
	}
	// Walked from the start with SO_PEEK_OFF, then left as it was.
	int zero = 0;
	const bool offsets = sys::setsockopt(fd, sol_socket, so_peek_off,
					     &zero, sizeof zero) == 0;
	ret = 0;
	if (s.type == sock_stream) {
		if (avail > 0) {
			const long at = data_room((uint64_t)avail);
			if (at < 0) {
				*why = "the sockets hold more than the image "
				       "keeps (16 MiB)";
				ret = -EOVERFLOW;
			}
			long got = 0;
			while (ret == 0 && got < avail) {
				long n = receive(fd, o.data + at + got,
						 (size_t)(avail - got), msg_peek);
				if (n <= 0 || (!offsets && n != avail)) {
					*why = n == -EXDEV
						? "descriptors are in flight in it "
						  "(SCM_RIGHTS)"
						: "cannot peek at its queued bytes";
					ret = n < 0 ? n : -EIO;
				}
				got += n > 0 ? n : 0;
			}
			if (ret == 0 && !add_message(k, (uint64_t)at,
						     (uint32_t)avail)) {
				*why = "too many queued messages";
				ret = -EOVERFLOW;
			}
		}
	} else if (offsets) {
		// A message a turn; a zero-length one is skipped once peeked.
		// On a socket that can receive no more, an empty queue
		// reads as a zero-length message: the end.
		for (uint32_t turn = 0; ret == 0; turn++) {
			const long at = data_room(0);
			const uint64_t room = at < 0 ? 0 : image::max_socket_data - at;
			long n = receive(fd, o.data + (at < 0 ? 0 : at), room,
					 msg_peek | msg_trunc);
			if (n == -EAGAIN || (n == 0 && (s.flags & image::socket_shut_rd)))
				break;
			if (n < 0) {
				*why = n == -EXDEV
					? "descriptors are in flight in it "
					  "(SCM_RIGHTS)"
					: "cannot peek at its queued messages";
				ret = n;
			} else if (at < 0 || (uint64_t)n > room) {
				*why = "the sockets hold more than the image "
				       "keeps (16 MiB)";
				ret = -EOVERFLOW;
			} else if (turn == image::max_socket_messages ||
				   !add_message(k, (uint64_t)at, (uint32_t)n)) {
				*why = "too many queued messages";
				ret = -EOVERFLOW;
			}
		}
	} else if (readable(fd)) {
		// One that can receive no more is always readable: a peek
		// of nothing (0) says its queue is empty.
		char c;
		if (!(s.flags & image::socket_shut_rd) ||
		    receive(fd, &c, 1, msg_peek) != 0) {
			*why = "its queued messages cannot be read without "
			       "SO_PEEK_OFF (qemu-user has none) once its "
			       "peer can send no more";
			ret = -EOPNOTSUPP;
		}
	}
	if (offsets || s.peek_off != -1)
		sys::setsockopt(fd, sol_socket, so_peek_off, &s.peek_off,
				sizeof s.peek_off);
	s.message_count = o.message_count - s.message_first;
	return ret;
}

long send_bytes(int fd, const char *p, uint32_t n)
{
	long ret;
	do
		ret = sys::sendto(fd, p, n, msg_dontwait | msg_nosignal,
				  nullptr, 0);
	while (ret == -EINTR);
	return ret;
}

// Reads socket entry k's whole queue (a stream's avail bytes; datagrams
// until none is left) into its messages; -errno if that fails.
long drain(uint32_t k, int fd, long avail)
{
	socket_objects &o = saved_sockets;
	o.sockets[k].message_first = o.message_count;
	for (uint32_t turn = 0; turn < image::max_socket_messages; turn++) {
		const long at = data_room(0);
		uint64_t room = at < 0 ? 0 : image::max_socket_data - at;
		if (avail >= 0 && (uint64_t)avail < room)
			room = (uint64_t)avail;
		if (avail == 0)
			return 0;
		long n = receive(fd, o.data + (at < 0 ? 0 : at), room,
				 avail >= 0 ? 0 : msg_trunc);
		if (n == -EAGAIN && avail < 0)
			return 0;
		// A datagram may be empty; a stream's read stops short of
		// avail only at an error.
		if (n < 0 || (n == 0 && avail >= 0) || at < 0 ||
		    (uint64_t)n > room ||
		    !add_message(k, (uint64_t)at, (uint32_t)n))
			return n < 0 ? n : -EOVERFLOW;
		o.sockets[k].message_count++;
		if (avail >= 0)
			avail -= n;
	}
	return -EOVERFLOW;
}

// Sends socket entry k's messages into it again, from its peer's fd.
long give_back(uint32_t k, int from)
{
	const socket_objects &o = saved_sockets;
	const image::socket_entry &s = o.sockets[k];
	for (uint32_t m = 0; m < s.message_count; m++) {
		const image::socket_message &q = o.messages[s.message_first + m];
		uint32_t done = 0;
		do {
			long n = send_bytes(from, o.data + q.data + done,
					    q.length - done);
			if (n < 0)
				return n;
			done += (uint32_t)n;
		} while (done < q.length);
	}
	return 0;
}

} // namespace ckpt::socket_save
