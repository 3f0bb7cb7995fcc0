// Sockets at checkpoint, read without changing them for the running app:
// family, type, addresses and options from getsockopt(), getsockname()
// and getpeername(); for a unix socket, its peer and shutdown state from
// the sock_diag netlink (UNIX_DIAG_PEER, UNIX_DIAG_SHUTDOWN), which works
// unprivileged for one's own sockets, and the messages queued in it,
// peeked (MSG_PEEK, walking the queue with SO_PEEK_OFF).
//
// qemu-user has neither NETLINK_SOCK_DIAG (socket() gives
// EPROTONOSUPPORT) nor setsockopt(SO_PEEK_OFF) (ENOPROTOOPT): there, the
// peer is the one other connected unix socket of that type whose
// SO_PEERCRED is this process (several: not restored), the shutdown state
// comes from poll() (POLLRDHUP), a stream's queue is peeked in one call,
// and a datagram queue is read and at once sent back into the original
// by its peer, in order.
#include <linux/errno.h>
#include <asm/ioctls.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "arch/sys.h"
#include "runtime/fmt.h"
#include "runtime/sockaddr.h"
#include "runtime/sockets.h"
#include "runtime/stat.h"
#include "runtime/str.h"

namespace ckpt {

socket_objects saved_sockets;

namespace {

// The values are the same on x86_64 and aarch64 (asm-generic).
constexpr int af_unix = 1, af_inet = 2, af_inet6 = 10, af_netlink = 16;
constexpr int sock_stream = 1, sock_dgram = 2, sock_seqpacket = 5;
constexpr int sol_socket = 1, ipproto_ipv6 = 41, ipproto_tcp = 6,
	      ipproto_udp = 17;
constexpr int so_reuseaddr = 2, so_type = 3, so_sndbuf = 7, so_rcvbuf = 8,
	      so_reuseport = 15, so_passcred = 16, so_peercred = 17,
	      so_acceptconn = 30, so_protocol = 38, so_domain = 39,
	      so_peek_off = 42, ipv6_v6only = 26, so_broadcast = 6,
	      so_keepalive = 9, so_rcvtimeo = 20, so_sndtimeo = 21,
	      tcp_nodelay = 1;
constexpr int msg_peek = 2, msg_ctrunc = 8, msg_trunc = 0x20,
	      msg_dontwait = 0x40, msg_nosignal = 0x4000,
	      msg_cmsg_cloexec = 0x40000000;
constexpr int scm_rights = 1;
constexpr int16_t pollin = 1, pollhup = 0x10, pollrdhup = 0x2000;
constexpr uint8_t rcv_shutdown = 1, send_shutdown = 2; // sk_shutdown

// Per fd table entry, during one save: its socket entry (or -1), whether
// it is being dropped, and the peer's inode sock_diag gave.
int32_t entry_of[image::max_fds];

const char *name_of(const image::fd_entry &e, const char *strings)
{
	return strings + e.name;
}

void warn(const image::fd_entry &e, const char *strings, const char *why,
	  long err = 0, const char *tail = ", it will not come back\n")
{
	// fd 0-2 are the restorer caller's again, whatever they were (they
	// are looked at all the same: one may be the peer of another).
	if (e.fd <= 2 && tail[0] == ',')
		return;
	char buf[4096 + 256];
	text t(buf, sizeof buf);
	t.str("ckpt: fd ").dec(e.fd).str(" (").str(name_of(e, strings))
		.str("): ").str(why);
	if (err < 0)
		t.str(": ").errno_name(err);
	print_err(t.str(tail));
}

long int_opt(int fd, int level, int name, int *v)
{
	uint32_t len = sizeof *v;
	*v = 0;
	return sys::getsockopt(fd, level, name, v, &len);
}

// SO_RCVTIMEO or SO_SNDTIMEO (a struct timeval) into t; 0 0 if unknown.
void timeout(int fd, int name, int64_t t[2])
{
	int64_t tv[2] = {0, 0};
	uint32_t len = sizeof tv;
	if (sys::getsockopt(fd, sol_socket, name, tv, &len) == 0 &&
	    len == sizeof tv && tv[0] >= 0 && tv[1] >= 0 && tv[1] < 1000000) {
		t[0] = tv[0];
		t[1] = tv[1];
	}
}

// A unix socket's peer inode and shutdown bits, from sock_diag.
struct diag_result {
	uint32_t peer;
	uint8_t shutdown;
};

// The netlink socket for sock_diag, or -errno (qemu-user: none).
long diag_fd = -1;

long query_diag(uint64_t ino, diag_result *out)
{
	struct {
		nlmsghdr h;
		unix_diag_req r;
	} req = {};
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = (uint32_t)ino;
	req.r.sdiag_family = af_unix;
	req.r.udiag_states = ~0u;
	req.r.udiag_ino = (uint32_t)ino;
	req.r.udiag_show = UDIAG_SHOW_PEER;
	req.r.udiag_cookie[0] = req.r.udiag_cookie[1] = ~0u;
	sockaddr_nl to = {};
	to.nl_family = af_netlink;
	long ret = sys::sendto((int)diag_fd, &req, sizeof req, 0, &to,
			       sizeof to);
	if (ret < 0)
		return ret;
	alignas(8) char buf[1024];
	sys::iovec iov = {buf, sizeof buf};
	sys::msghdr m = {};
	m.iov = &iov;
	m.iovlen = 1;
	// The kernel answers within sendto(): never wait for it.
	ret = sys::recvmsg((int)diag_fd, &m, msg_dontwait);
	if (ret < 0)
		return ret;
	const auto *h = reinterpret_cast<const nlmsghdr *>(buf);
	if ((size_t)ret < sizeof *h || h->nlmsg_len > (size_t)ret)
		return -EIO;
	if (h->nlmsg_type == NLMSG_ERROR) {
		const auto *e = reinterpret_cast<const nlmsgerr *>(NLMSG_DATA(h));
		return e->error < 0 ? e->error : -EIO;
	}
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(unix_diag_msg)))
		return -EIO;
	*out = {};
	const char *p = buf + NLMSG_LENGTH(sizeof(unix_diag_msg));
	const char *end = buf + h->nlmsg_len;
	while (p + sizeof(nlattr) <= end) {
		const auto *a = reinterpret_cast<const nlattr *>(p);
		if (a->nla_len < sizeof *a || p + a->nla_len > end)
			break;
		const char *v = p + NLA_HDRLEN;
		if (a->nla_type == UNIX_DIAG_PEER && a->nla_len >= NLA_HDRLEN + 4)
			memcpy(&out->peer, v, 4);
		else if (a->nla_type == UNIX_DIAG_SHUTDOWN &&
			 a->nla_len >= NLA_HDRLEN + 1)
			out->shutdown = (uint8_t)v[0];
		p += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

// Shutdown bits seen by poll(): RDHUP is this end's RCV_SHUTDOWN, HUP
// both (sk_shutdown == SHUTDOWN_MASK).
uint8_t polled_shutdown(int fd)
{
	sys::pollfd p = {fd, (int16_t)(pollin | pollrdhup), 0};
	sys::timespec zero = {0, 0};
	if (sys::ppoll(&p, 1, &zero) < 0)
		return 0;
	if (p.revents & pollhup)
		return rcv_shutdown | send_shutdown;
	return p.revents & pollrdhup ? rcv_shutdown : 0;
}

bool readable(int fd)
{
	sys::pollfd p = {fd, pollin, 0};
	sys::timespec zero = {0, 0};
	return sys::ppoll(&p, 1, &zero) > 0 && (p.revents & pollin);
}

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

// Fills s for socket fds[i]; nullptr, or why it cannot come back.
const char *describe_socket(const image::fd_entry &e, uint32_t i,
			    image::socket_entry &s, uint32_t *peer_ino)
{
	const int fd = e.fd;
	int family, type, protocol, v;
	if (int_opt(fd, sol_socket, so_domain, &family) < 0 ||
	    int_opt(fd, sol_socket, so_type, &type) < 0 ||
	    int_opt(fd, sol_socket, so_protocol, &protocol) < 0)
		return "cannot read its family and type (getsockopt)";
	s = {};
	s.fd_index = i;
	s.family = (uint32_t)family;
	s.type = (uint32_t)type;
	s.protocol = (uint32_t)protocol;
	s.peer = image::no_target;
	if (family != af_unix && family != af_inet && family != af_inet6)
		return "only unix, TCP and UDP sockets come back, not one of "
		       "this family";
	if (type != sock_stream && type != sock_dgram &&
	    (type != sock_seqpacket || family != af_unix))
		return "a socket of this type does not come back";
	if (family != af_unix &&
	    !(type == sock_stream && (protocol == ipproto_tcp || !protocol)) &&
	    !(type == sock_dgram && (protocol == ipproto_udp || !protocol)))
		return "only TCP and UDP sockets of the internet families "
		       "come back";
	uint32_t len = image::max_socket_addr;
	if (sys::getsockname(fd, s.addr, &len) < 0)
		len = 0;
	s.addr_len = len < image::max_socket_addr ? len : image::max_socket_addr;
	len = image::max_socket_addr;
	const bool connected = sys::getpeername(fd, s.peer_addr, &len) == 0;
	s.peer_addr_len = connected ? (len < image::max_socket_addr
					       ? len : image::max_socket_addr)
				    : 0;
	int listening = 0;
	int_opt(fd, sol_socket, so_acceptconn, &listening);
	if (int_opt(fd, sol_socket, so_reuseaddr, &v) == 0 && v)
		s.flags |= image::socket_reuseaddr;
	if (int_opt(fd, sol_socket, so_reuseport, &v) == 0 && v)
		s.flags |= image::socket_reuseport;
	if (family == af_inet6 &&
	    int_opt(fd, ipproto_ipv6, ipv6_v6only, &v) == 0 && v)
		s.flags |= image::socket_v6only;
	if (family == af_unix &&
	    int_opt(fd, sol_socket, so_passcred, &v) == 0 && v)
		s.flags |= image::socket_passcred;
	if (int_opt(fd, sol_socket, so_keepalive, &v) == 0 && v)
		s.flags |= image::socket_keepalive;
	if (family != af_unix &&
	    int_opt(fd, sol_socket, so_broadcast, &v) == 0 && v)
		s.flags |= image::socket_broadcast;
	if (family != af_unix && type == sock_stream &&
	    int_opt(fd, ipproto_tcp, tcp_nodelay, &v) == 0 && v)
		s.flags |= image::socket_nodelay;
	timeout(fd, so_rcvtimeo, s.rcvtimeo);
	timeout(fd, so_sndtimeo, s.sndtimeo);
	if (int_opt(fd, sol_socket, so_rcvbuf, &v) == 0)
		s.rcvbuf = (uint32_t)v;
	if (int_opt(fd, sol_socket, so_sndbuf, &v) == 0)
		s.sndbuf = (uint32_t)v;
	s.peek_off = -1;
	if (int_opt(fd, sol_socket, so_peek_off, &v) == 0)
		s.peek_off = v;
	// A bound internet socket has a port; a bound unix one a name.
	const bool bound = family == af_unix
				   ? s.addr_len > 2
				   : s.addr_len >= 4 && (s.addr[2] | s.addr[3]);
	const bool abstract = family == af_unix && s.addr_len > 2 &&
			      s.addr[2] == 0;
	if (family != af_unix) {
		if (listening && type == sock_stream)
			s.state = image::socket_listening;
		else if (connected)
			s.state = type == sock_stream ? image::socket_reset
						      : image::socket_connected;
		else
			s.state = bound ? image::socket_bound
					: image::socket_unbound;
		return nullptr;
	}
	if (!connected && bound && !abstract && s.addr[2] != '/')
		return "a unix socket bound to a relative path does not come "
		       "back";
	// A datagram socket connected one way (to a name) may be bound too.
	if ((!connected || type == sock_dgram) && bound && !abstract &&
	    s.addr[2] == '/') {
		{
			// Its file, if it is still there: the restorer may
			// replace that one only.
			char path[image::max_socket_addr];
			const uint32_t n = s.addr_len - 2;
			memcpy(path, s.addr + 2, n);
			path[n] = 0;
			struct statx st = {};
			if (file_status(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW,
					&st) == 0 &&
			    (st.stx_mode & S_IFMT) == S_IFSOCK) {
				s.name_dev = st.stx_dev_major << 20 |
					     (st.stx_dev_minor & 0xfffff);
				s.name_ino = st.stx_ino;
			}
		}
	}
	if (!connected) {
		s.state = listening ? image::socket_listening
			  : bound ? image::socket_bound : image::socket_unbound;
		return nullptr;
	}
	// Connected: its peer is found once all are described.
	s.state = image::socket_pair;
	diag_result d = {};
	// sock_diag without its unix part (the unix_diag module): as
	// without sock_diag, from this socket on.
	if (diag_fd >= 0 && query_diag(e.ino, &d) < 0) {
		sys::close((int)diag_fd);
		diag_fd = -1;
	}
	if (diag_fd >= 0) {
		*peer_ino = d.peer;
		s.peer_ino = d.peer;
		if (d.shutdown & rcv_shutdown)
			s.flags |= image::socket_shut_rd;
		if (d.shutdown & send_shutdown)
			s.flags |= image::socket_shut_wr;
	} else {
		*peer_ino = 0;
		uint8_t sd = polled_shutdown(fd);
		if (sd & rcv_shutdown)
			s.flags |= image::socket_shut_rd;
		if (sd & send_shutdown)
			s.flags |= image::socket_shut_wr;
	}
	return nullptr;
}

// The pid SO_PEERCRED gives for fd, or -1.
long peer_pid(int fd)
{
	struct {
		int32_t pid;
		uint32_t uid, gid;
	} cred = {-1, 0, 0};
	uint32_t len = sizeof cred;
	if (sys::getsockopt(fd, sol_socket, so_peercred, &cred, &len) < 0)
		return -1;
	return cred.pid;
}

// Scratch of save_sockets(): the peer inodes, and which entries are
// dropped (per socket entry).
uint32_t peer_inos[image::max_fds];
uint8_t dropped[image::max_fds];

// Whether socket entry k's queue was read by probe_peers() (it holds its
// messages already).
uint8_t queued[image::max_fds];

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

// Without sock_diag (qemu-user), the peer of each connected unix socket
// whose SO_PEERCRED is this process is found by sending it a probe: one
// byte from X, seen arriving at one other such socket Y (a stream's
// FIONREAD grows by one; a datagram queue, emptied first, becomes
// readable). Y's queue is then read to the probe, which is dropped, and
// what was before it is sent back by X at once: the running app keeps
// every message, in order. Datagram queues are read first, and sent back
// by their peers once those are known.
void probe_peers(const image::fd_entry *fds, const char *strings)
{
	socket_objects &o = saved_sockets;
	const long pid = sys::getpid();
	auto fd_of = [&](uint32_t k) { return fds[o.sockets[k].fd_index].fd; };
	auto candidate = [&](uint32_t k) {
		const image::socket_entry &c = o.sockets[k];
		return c.family == af_unix && c.state == image::socket_pair &&
		       !dropped[k] && peer_pid(fd_of(k)) == pid;
	};
	for (uint32_t k = 0; k < o.socket_count; k++) {
		queued[k] = 0;
		if (!candidate(k) || o.sockets[k].type == sock_stream ||
		    (o.sockets[k].flags & image::socket_shut_rd) ||
		    !readable(fd_of(k)))
			continue;
		long ret = drain(k, fd_of(k), -1);
		queued[k] = 1;
		if (ret < 0)
			warn(fds[o.sockets[k].fd_index], strings,
			     "cannot read its queued messages", ret);
	}
	for (uint32_t x = 0; x < o.socket_count; x++) {
		image::socket_entry &s = o.sockets[x];
		if (!candidate(x) || s.peer != image::no_target)
			continue;
		int before[64];
		uint32_t ys[64], n = 0;
		for (uint32_t y = 0; y < o.socket_count && n < 64; y++) {
			if (y == x || !candidate(y) || o.sockets[y].type != s.type ||
			    o.sockets[y].peer != image::no_target)
				continue;
			before[n] = 0;
			sys::ioctl(fd_of(y), FIONREAD, (long)&before[n]);
			ys[n++] = y;
		}
		if (!n || send_bytes(fd_of(x), "", 1) != 1)
			continue; // it cannot send: its peer may find it
		long found = -1;
		for (uint32_t j = 0; j < n && found < 0; j++) {
			int now = 0;
			const int fd = fd_of(ys[j]);
			if (s.type == sock_stream
				    ? sys::ioctl(fd, FIONREAD, (long)&now) == 0 &&
					      now == before[j] + 1
				    : readable(fd))
				found = (long)j;
		}
		if (found < 0) {
			warn(fds[s.fd_index], strings,
			     "LOST a probe byte sent to find its peer, which "
			     "the process does not hold", 0, "\n");
			continue;
		}
		const uint32_t y = ys[found];
		const int yfd = fd_of(y);
		long ret;
		char probe;
		if (s.type == sock_stream) {
			ret = drain(y, yfd, before[found]);
			queued[y] = 1;
			if (ret == 0)
				ret = receive(yfd, &probe, 1, 0) == 1 ? 0 : -EIO;
			if (ret == 0)
				ret = give_back(y, fd_of(x));
		} else {
			ret = receive(yfd, &probe, 1, 0) == 1 ? 0 : -EIO;
		}
		if (ret < 0)
			warn(fds[o.sockets[y].fd_index], strings,
			     "LOST bytes queued in it while finding its peer",
			     ret, "\n");
		s.peer = o.sockets[y].fd_index;
		o.sockets[y].peer = s.fd_index;
		s.peer_ino = fds[s.peer].ino;
		o.sockets[y].peer_ino = fds[s.fd_index].ino;
	}
	for (uint32_t k = 0; k < o.socket_count; k++) {
		const image::socket_entry &s = o.sockets[k];
		if (!queued[k] || s.type == sock_stream || !s.message_count)
			continue;
		const long m = s.peer == image::no_target ? -1 : entry_of[s.peer];
		long ret = m < 0 ? -ENOTCONN : give_back(k, fd_of((uint32_t)m));
		if (ret < 0)
			warn(fds[s.fd_index], strings,
			     "LOST the messages queued in it while finding its "
			     "peer", ret, "\n");
	}
}

// Finds the peer of each connected unix socket: a pair, a stream whose
// peer is gone (peer_closed), or dropped with a warning.
void pair_up(const image::fd_entry *fds, const char *strings)
{
	socket_objects &o = saved_sockets;
	if (diag_fd < 0)
		probe_peers(fds, strings);
	for (uint32_t k = 0; k < o.socket_count; k++) {
		image::socket_entry &s = o.sockets[k];
		if (s.family != af_unix || s.state != image::socket_pair ||
		    s.peer != image::no_target || dropped[k])
			continue;
		long m = -1;
		if (peer_inos[k]) {
			for (uint32_t j = 0; j < o.socket_count; j++) {
				const image::socket_entry &c = o.sockets[j];
				if (j != k && c.family == af_unix &&
				    c.state == image::socket_pair &&
				    fds[c.fd_index].ino == peer_inos[k] &&
				    peer_inos[j] == fds[s.fd_index].ino)
					m = (long)j;
			}
		}
		if (m >= 0 && !dropped[m] &&
		    o.sockets[m].peer == image::no_target) {
			s.peer = o.sockets[m].fd_index;
			o.sockets[m].peer = s.fd_index;
			s.peer_ino = fds[s.peer].ino;
			o.sockets[m].peer_ino = fds[s.fd_index].ino;
			continue;
		}
		// A datagram socket connected to a name (a socket of its
		// own, or another process's: /dev/log) connects to it again.
		if (s.type == sock_dgram && s.peer_addr_len > 2 &&
		    !(s.addr_len > 2 && s.addr[2] != 0 && s.addr[2] != '/')) {
			s.state = image::socket_connected;
			continue;
		}
		const uint32_t all = image::socket_shut_rd | image::socket_shut_wr;
		if (s.type != sock_dgram && (s.flags & all) == all) {
			// Nothing goes either way any more: as good as a
			// socket whose peer is closed.
			s.state = image::socket_peer_closed;
			continue;
		}
		dropped[k] = 1;
		warn(fds[s.fd_index], strings,
		     "it is connected to a socket the process does not "
		     "hold");
	}
	// Without sock_diag, a stream's SEND_SHUTDOWN is its peer's
	// RCV_SHUTDOWN, which poll() shows.
	for (uint32_t k = 0; diag_fd < 0 && k < o.socket_count; k++) {
		image::socket_entry &s = o.sockets[k];
		if (s.state != image::socket_pair || s.type == sock_dgram ||
		    dropped[k])
			continue;
		const long m = entry_of[s.peer];
		if (m >= 0 && (o.sockets[m].flags & image::socket_shut_rd))
			s.flags |= image::socket_shut_wr;
	}
}

// Takes the dropped entries (and their messages) out, and puts each
// socket's messages (a run each, in whatever order they were read) in
// socket order, through a copy.
void compact(const image::fd_entry *fds, const char *strings)
{
	socket_objects &o = saved_sockets;
	const uint64_t size = (uint64_t)o.message_count *
			      sizeof(image::socket_message);
	long copy = size ? sys::mmap(0, size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
			 : 0;
	if (sys::failed(copy)) {
		// None can be kept in order: the sockets with messages go,
		// and their peers.
		for (uint32_t k = 0; k < o.socket_count; k++) {
			const image::socket_entry &s = o.sockets[k];
			if (!s.message_count || dropped[k])
				continue;
			dropped[k] = 1;
			warn(fds[s.fd_index], strings,
			     "no memory to order its messages", copy);
			if (s.peer != image::no_target)
				dropped[entry_of[s.peer]] = 1;
		}
	} else if (size) {
		memcpy((void *)copy, o.messages, size);
	}
	const auto *from = reinterpret_cast<const image::socket_message *>(copy);
	uint32_t n = 0, messages = 0;
	for (uint32_t k = 0; k < o.socket_count; k++) {
		image::socket_entry s = o.sockets[k];
		if (dropped[k])
			continue;
		// A pair is made again unnamed: no file to replace.
		if (s.state == image::socket_pair ||
		    s.state == image::socket_peer_closed)
			s.name_dev = 0, s.name_ino = 0;
		for (uint32_t m = 0; m < s.message_count; m++) {
			image::socket_message q = from[s.message_first + m];
			q.socket = n;
			o.messages[messages + m] = q;
		}
		s.message_first = messages;
		messages += s.message_count;
		o.sockets[n++] = s;
	}
	if (size && !sys::failed(copy))
		sys::munmap((uint64_t)copy, size);
	o.socket_count = n;
	o.message_count = messages;
	// The section's size is a multiple of 8, as every section's.
	while (o.data_size & 7)
		o.data[o.data_size++] = 0;
}

} // namespace

void save_sockets(const image::fd_entry *fds, uint32_t count,
		  const char *strings)
{
	socket_objects &o = saved_sockets;
	o.socket_count = o.message_count = o.data_size = 0;
	if (!o.sockets)
		return;
	diag_fd = -1;
	bool any_unix = false;
	for (uint32_t i = 0; i < count; i++) {
		entry_of[i] = -1;
		const image::fd_entry &e = fds[i];
		if (e.kind != image::fd_socket || e.dup_of != -1 ||
		    (e.flags & image::fd_lost))
			continue;
		if (!any_unix) {
			any_unix = true;
			diag_fd = sys::socket(af_netlink, sock_dgram | O_CLOEXEC,
					      NETLINK_SOCK_DIAG);
		}
		image::socket_entry &s = o.sockets[o.socket_count];
		uint32_t peer_ino = 0;
		if (const char *why = describe_socket(e, i, s, &peer_ino)) {
			warn(e, strings, why);
			continue;
		}
		peer_inos[o.socket_count] = peer_ino;
		dropped[o.socket_count] = 0;
		queued[o.socket_count] = 0;
		entry_of[i] = (int32_t)o.socket_count++;
	}
	pair_up(fds, strings);
	for (uint32_t k = 0; k < o.socket_count; k++) {
		image::socket_entry &s = o.sockets[k];
		if (dropped[k])
			continue;
		if ((s.family != af_unix && s.state != image::socket_listening) ||
		    s.state == image::socket_connected) {
			int avail = 0;
			if (sys::ioctl(fds[s.fd_index].fd, FIONREAD,
				       (long)&avail) == 0 && avail > 0)
				warn(fds[s.fd_index], strings,
				     s.state == image::socket_reset
				     ? "the bytes queued in it do not come back"
				     : "the datagrams queued in it do not come "
				       "back", 0, "\n");
			continue;
		}
		if (s.state != image::socket_pair &&
		    s.state != image::socket_peer_closed)
			continue;
		if (queued[k])
			continue; // by probe_peers()
		const char *why = nullptr;
		long ret = save_queue(k, fds[s.fd_index].fd, &why);
		if (ret < 0) {
			dropped[k] = 1;
			warn(fds[s.fd_index], strings, why, ret);
			// Its peer cannot come back without it.
			const long m = s.state == image::socket_pair
					       ? entry_of[s.peer] : -1;
			if (m >= 0 && !dropped[m]) {
				dropped[m] = 1;
				warn(fds[s.peer], strings,
				     "its peer does not come back");
			}
		}
	}
	compact(fds, strings);
	if (diag_fd >= 0)
		sys::close((int)diag_fd);
	diag_fd = -1;
}

} // namespace ckpt
