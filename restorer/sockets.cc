// Sockets made again by their kind (the sockets part of #13), before the
// point of no return, at temporary numbers:
//   - a unix pair (socketpair(), or a connected pair both of whose ends
//     the app held): socketpair() again, of the same type; each end's
//     queued messages sent into it by the other (in order, datagram
//     boundaries kept), then each end's shutdown state, options and
//     flags. The names of a pair made by connect() are not kept.
//   - a unix stream whose peer was gone: a pair whose other end, once it
//     has sent the queued bytes, is closed (reads give them, then EOF).
//   - a listening or bound socket (TCP, UDP, unix with an abstract name):
//     the same options (SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY), bound to
//     the same address (one taken now refuses the restore, naming it),
//     listening again (backlog SOMAXCONN); a connected UDP socket connects
//     again.
//   - a TCP socket connected to another host, whose connection cannot be
//     had again without privilege: a socket that was reset. It connects
//     to a listener of the restorer's on the loopback, which aborts the
//     connection (SO_LINGER 0, then close: an RST), so that the app's
//     next read or write fails with ECONNRESET, as after a real reset.
#include <linux/errno.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/sockaddr.h"
#include "runtime/str.h"

namespace restorer {

namespace {

constexpr int af_unix = 1, af_inet = 2, af_inet6 = 10;
constexpr int sock_stream = 1, sock_dgram = 2;
constexpr int sol_socket = 1, ipproto_ipv6 = 41;
constexpr int so_reuseaddr = 2, so_sndbuf = 7, so_rcvbuf = 8,
	      so_linger = 13, so_reuseport = 15, so_passcred = 16,
	      so_peek_off = 42, ipv6_v6only = 26, so_broadcast = 6,
	      so_keepalive = 9, so_rcvtimeo = 20, so_sndtimeo = 21,
	      ipproto_tcp = 6, tcp_nodelay = 1;
constexpr int msg_dontwait = 0x40, msg_nosignal = 0x4000;
constexpr int shut_rd = 0, shut_wr = 1;
constexpr int somaxconn = 4096;
constexpr int16_t pollin = 1, pollout = 4, pollerr = 8, pollhup = 0x10;

// Per fd table entry: its socket entry, or -1; found once per image.
int32_t entry_of[image::max_fds];
struct plan_key {
	const char *meta;
	uint32_t crc, fds, sockets;
} planned;

void plan()
{
	const image::tables &tb = g.tables;
	const plan_key key = {g.meta, g.header.meta_crc, tb.fd_count,
			      tb.socket_count};
	if (key.meta && key.meta == planned.meta && key.crc == planned.crc &&
	    key.fds == planned.fds && key.sockets == planned.sockets)
		return;
	planned = key;
	for (uint32_t i = 0; i < tb.fd_count; i++)
		entry_of[i] = -1;
	for (uint32_t k = 0; k < tb.socket_count; k++)
		entry_of[tb.sockets[k].fd_index] = (int32_t)k;
}

const image::socket_entry *socket_of(uint32_t i)
{
	plan();
	return i < g.tables.fd_count && entry_of[i] >= 0
		       ? &g.tables.sockets[entry_of[i]] : nullptr;
}

const image::fd_entry &entry(uint32_t i)
{
	return g.tables.fds[i];
}

ckpt::text &socket_message(ckpt::text &t, uint32_t i)
{
	return message(t).str("fd ").dec(entry(i).fd).str(" (")
		.str(g.tables.strings + entry(i).name).str(")");
}

bool failed(ckpt::text &err, uint32_t i, const char *what, long ret)
{
	socket_message(err, i).str(": ").str(what).str(": ").errno_name(ret)
		.ch('\n');
	return false;
}

long set_int(int fd, int level, int name, int v)
{
	return sys::setsockopt(fd, level, name, &v, sizeof v);
}

// Options that must be set before bind(), and the buffer sizes (the
// kernel doubles what it is given, and caps it below the limits of
// net.core.[rw]mem_max: a hint, not refused).
bool set_options(ckpt::text &err, uint32_t i, int fd)
{
	const image::socket_entry &s = *socket_of(i);
	long ret = 0;
	if ((s.flags & image::socket_reuseaddr) &&
	    (ret = set_int(fd, sol_socket, so_reuseaddr, 1)) < 0)
		return failed(err, i, "cannot set SO_REUSEADDR", ret);
	if ((s.flags & image::socket_reuseport) &&
	    (ret = set_int(fd, sol_socket, so_reuseport, 1)) < 0)
		return failed(err, i, "cannot set SO_REUSEPORT", ret);
	if (s.family == af_inet6 &&
	    (ret = set_int(fd, ipproto_ipv6, ipv6_v6only,
			   s.flags & image::socket_v6only ? 1 : 0)) < 0)
		return failed(err, i, "cannot set IPV6_V6ONLY", ret);
	if ((s.flags & image::socket_passcred) &&
	    (ret = set_int(fd, sol_socket, so_passcred, 1)) < 0)
		return failed(err, i, "cannot set SO_PASSCRED", ret);
	if ((s.flags & image::socket_keepalive) &&
	    (ret = set_int(fd, sol_socket, so_keepalive, 1)) < 0)
		return failed(err, i, "cannot set SO_KEEPALIVE", ret);
	if ((s.flags & image::socket_broadcast) &&
	    (ret = set_int(fd, sol_socket, so_broadcast, 1)) < 0)
		return failed(err, i, "cannot set SO_BROADCAST", ret);
	if ((s.flags & image::socket_nodelay) &&
	    (ret = set_int(fd, ipproto_tcp, tcp_nodelay, 1)) < 0)
		return failed(err, i, "cannot set TCP_NODELAY", ret);
	if ((s.rcvtimeo[0] || s.rcvtimeo[1]) &&
	    (ret = sys::setsockopt(fd, sol_socket, so_rcvtimeo, s.rcvtimeo,
				   sizeof s.rcvtimeo)) < 0)
		return failed(err, i, "cannot set SO_RCVTIMEO", ret);
	if ((s.sndtimeo[0] || s.sndtimeo[1]) &&
	    (ret = sys::setsockopt(fd, sol_socket, so_sndtimeo, s.sndtimeo,
				   sizeof s.sndtimeo)) < 0)
		return failed(err, i, "cannot set SO_SNDTIMEO", ret);
	int now = 0;
	uint32_t len = sizeof now;
	if (s.rcvbuf && sys::getsockopt(fd, sol_socket, so_rcvbuf, &now,
					&len) == 0 &&
	    (uint32_t)now != s.rcvbuf)
		set_int(fd, sol_socket, so_rcvbuf, (int)(s.rcvbuf / 2));
	len = sizeof now;
	if (s.sndbuf && sys::getsockopt(fd, sol_socket, so_sndbuf, &now,
					&len) == 0 &&
	    (uint32_t)now != s.sndbuf)
		set_int(fd, sol_socket, so_sndbuf, (int)(s.sndbuf / 2));
	return true;
}

// What is left once the socket is made: its peek offset, then the app's
// flags (O_NONBLOCK) on a socket made non-blocking.
bool finish(ckpt::text &err, uint32_t i, int fd)
{
	const image::socket_entry &s = *socket_of(i);
	long ret;
	if (s.peek_off >= 0 &&
	    (ret = set_int(fd, sol_socket, so_peek_off, s.peek_off)) < 0)
		return failed(err, i, "cannot set SO_PEEK_OFF", ret);
	ret = sys::fcntl(fd, F_SETFL, entry(i).open_flags);
	if (ret < 0)
		return failed(err, i, "cannot set its flags (fcntl F_SETFL)",
			      ret);
	return true;
}

// Sends socket entry i's queued messages into it, from its peer end.
bool refill(ckpt::text &err, uint32_t i, int from)
{
	const image::socket_entry &s = *socket_of(i);
	for (uint32_t m = 0; m < s.message_count; m++) {
		const image::socket_message &q =
			g.tables.socket_messages[s.message_first + m];
		const char *p = g.tables.socket_data + q.data;
		uint64_t done = 0;
		// A stream's bytes may go in parts; a datagram goes whole
		// (an empty one too).
		for (bool first = true; first || (done < q.length &&
						  s.type == sock_stream);) {
			long n = sys::sendto(from, p + done, q.length - done,
					     msg_dontwait | msg_nosignal,
					     nullptr, 0);
			if (n == -EINTR)
				continue;
			if (n < 0)
				return failed(err, i, "cannot queue its "
						      "messages again", n);
			done += (uint64_t)n;
			first = false;
		}
	}
	return true;
}

bool shut(ckpt::text &err, uint32_t i, int fd)
{
	const image::socket_entry &s = *socket_of(i);
	long ret = 0;
	if ((s.flags & image::socket_shut_rd) &&
	    (ret = sys::shutdown(fd, shut_rd)) < 0)
		return failed(err, i, "cannot shut it down again (SHUT_RD)",
			      ret);
	if ((s.flags & image::socket_shut_wr) &&
	    (ret = sys::shutdown(fd, shut_wr)) < 0)
		return failed(err, i, "cannot shut it down again (SHUT_WR)",
			      ret);
	return true;
}

bool make_pair(ckpt::text &err, uint32_t i, int32_t *temps)
{
	const image::socket_entry &s = *socket_of(i);
	int ends[2];
	long ret = sys::socketpair(af_unix, (int)s.type | O_CLOEXEC |
						    O_NONBLOCK, 0, ends);
	if (ret < 0)
		return failed(err, i, "cannot make the pair (socketpair)", ret);
	long a = move_up(ends[0]), b = move_up(ends[1]);
	if (a < 0 || b < 0) {
		if (a >= 0)
			sys::close((int)a);
		if (b >= 0)
			sys::close((int)b);
		return failed(err, i, "cannot move the pair up (fcntl)",
			      a < 0 ? a : b);
	}
	temps[i] = (int32_t)a;
	const bool pair = s.state == image::socket_pair;
	if (pair)
		temps[s.peer] = (int32_t)b;
	bool ok = set_options(err, i, (int)a) &&
		  (!pair || set_options(err, s.peer, (int)b)) &&
		  refill(err, i, (int)b) && (!pair || refill(err, s.peer, (int)a));
	if (!pair) {
		// Its peer is gone: what it sent is all there is.
		sys::close((int)b);
		return ok && finish(err, i, (int)a);
	}
	return ok && shut(err, i, (int)a) && shut(err, s.peer, (int)b) &&
	       finish(err, i, (int)a) && finish(err, s.peer, (int)b);
}

// Waits up to a second for events on fd; its revents, or 0.
int16_t wait_for(int fd, int16_t events)
{
	sys::pollfd p = {fd, events, 0};
	sys::timespec second = {1, 0};
	long n;
	do
		n = sys::ppoll(&p, 1, &second);
	while (n == -EINTR);
	return n > 0 ? p.revents : 0;
}

// Connects TCP socket fd to a listener of the restorer's on the loopback
// and has that connection aborted: fd is then a reset socket. 0, or
// -errno with what failed in *what.
long reset_socket(int fd, uint32_t family, const char **what)
{
	uint8_t addr[28] = {};
	uint32_t len;
	addr[0] = (uint8_t)family;
	if (family == af_inet) {
		addr[4] = 127, addr[7] = 1; // 127.0.0.1, port 0
		len = 16;
	} else {
		addr[23] = 1; // ::1
		len = 28;
	}
	*what = "cannot listen on the loopback";
	long l = move_up(sys::socket((int)family, sock_stream | O_CLOEXEC, 0));
	if (l < 0)
		return l;
	long ret = sys::bind((int)l, addr, len);
	if (ret == 0)
		ret = sys::listen((int)l, 1);
	uint32_t n = sizeof addr;
	if (ret == 0)
		ret = sys::getsockname((int)l, addr, &n);
	if (ret == 0) {
		*what = "cannot connect on the loopback";
		ret = sys::connect(fd, addr, len);
		if (ret == -EINPROGRESS)
			ret = wait_for(fd, pollout) & pollout ? 0 : -ETIMEDOUT;
	}
	long a = -1;
	if (ret == 0) {
		*what = "cannot accept on the loopback";
		ret = wait_for((int)l, pollin) & pollin ? 0 : -ETIMEDOUT;
		if (ret == 0)
			ret = a = move_up(sys::accept4((int)l, nullptr,
						       nullptr, O_CLOEXEC));
	}
	if (ret >= 0) {
		// SO_LINGER with a zero timeout: close() sends an RST.
		const int32_t linger[2] = {1, 0};
		*what = "cannot abort the connection (SO_LINGER)";
		ret = sys::setsockopt((int)a, sol_socket, so_linger, linger,
				      sizeof linger);
	}
	if (a >= 0)
		sys::close((int)a);
	sys::close((int)l);
	if (ret >= 0) {
		*what = "the connection was not reset";
		ret = wait_for(fd, pollin) & (pollerr | pollhup) ? 0
								 : -ETIMEDOUT;
	}
	return ret < 0 ? ret : 0;
}

// The path a unix socket entry is bound to, terminated, into path (at
// least max_socket_addr bytes); false if it is no path (abstract, none).
bool path_of(const image::socket_entry &s, char *path)
{
	if (s.family != af_unix || s.addr_len <= 2 || s.addr[2] != '/')
		return false;
	memcpy(path, s.addr + 2, s.addr_len - 2);
	path[s.addr_len - 2] = 0;
	return true;
}

bool refuse(ckpt::text &err, uint32_t i, const char *path, const char *why)
{
	socket_message(err, i).str(": cannot bind ").str(path)
		.str(" again: ").str(why).ch('\n');
	return false;
}

// Makes room at the path a unix socket was bound to: the socket file the
// image recorded there, left by the app, is unlinked if no socket of a
// process is bound to it any more (a connect() to it is refused); any
// other file there refuses the restore, named.
bool free_path(ckpt::text &err, uint32_t i, const char *path)
{
	const image::socket_entry &s = *socket_of(i);
	struct statx st = {};
	long ret = sys::statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW,
			      STATX_TYPE | STATX_INO, &st);
	if (ret == -ENOENT)
		return true;
	if (ret < 0)
		return failed(err, i, "cannot look at the path it was bound to",
			      ret);
	const uint32_t dev = st.stx_dev_major << 20 |
			     (st.stx_dev_minor & 0xfffff);
	if ((st.stx_mode & S_IFMT) != S_IFSOCK)
		return refuse(err, i, path, "another kind of file is there now");
	if (!s.name_ino || st.stx_ino != s.name_ino || dev != s.name_dev)
		return refuse(err, i, path, "another socket file is there now");
	long probe = move_up(sys::socket(af_unix, (int)s.type | O_CLOEXEC |
						  O_NONBLOCK, 0));
	if (probe < 0)
		return failed(err, i, "cannot make a socket to try the path",
			      probe);
	ret = sys::connect((int)probe, s.addr, s.addr_len);
	sys::close((int)probe);
	if (ret != -ECONNREFUSED)
		return refuse(err, i, path, "a process is bound to it now (the "
					    "name is taken)");
	ret = sys::unlinkat(AT_FDCWD, path, 0);
	if (ret < 0 && ret != -ENOENT)
		return failed(err, i, "cannot unlink the socket file it left",
			      ret);
	return true;
}

bool make_one(ckpt::text &err, uint32_t i, int32_t *temps);

// A connected unix socket's peer, if it is a socket of the image (its
// name is one's address): made (bound) first.
bool bind_peer_first(ckpt::text &err, uint32_t i, int32_t *temps)
{
	const image::socket_entry &s = *socket_of(i);
	if (s.family != af_unix)
		return true;
	for (uint32_t k = 0; k < g.tables.socket_count; k++) {
		const image::socket_entry &c = g.tables.sockets[k];
		if (c.family == af_unix && c.addr_len == s.peer_addr_len &&
		    c.fd_index != i && socket_comes_back(c.fd_index) &&
		    (c.state == image::socket_bound ||
		     c.state == image::socket_connected) &&
		    memcmp(c.addr, s.peer_addr, c.addr_len) == 0) {
			// Bounded: a chain of sockets connected on to the
			// next (a hostile image's) would use up the stack.
			static int depth;
			if (temps[c.fd_index] >= 0 || depth >= 4)
				return true;
			depth++;
			bool ok = make_one(err, c.fd_index, temps);
			depth--;
			return ok;
		}
	}
	return true;
}

bool make_one(ckpt::text &err, uint32_t i, int32_t *temps)
{
	const image::socket_entry &s = *socket_of(i);
	long fd = move_up(sys::socket((int)s.family,
				      (int)s.type | O_CLOEXEC | O_NONBLOCK,
				      (int)s.protocol));
	if (fd < 0)
		return failed(err, i, "cannot make the socket (socket)", fd);
	temps[i] = (int32_t)fd;
	if (!set_options(err, i, (int)fd))
		return false;
	long ret = 0;
	char what[256];
	ckpt::text t(what, sizeof what);
	char path[image::max_socket_addr];
	const bool has_path = path_of(s, path);
	if (has_path && !free_path(err, i, path))
		return false;
	// A unix datagram socket connected to a name need not have one.
	if (s.state == image::socket_bound ||
	    s.state == image::socket_listening ||
	    (s.state == image::socket_connected &&
	     (s.family != af_unix || s.addr_len > 2))) {
		ret = sys::bind((int)fd, s.addr, s.addr_len);
		if (ret < 0) {
			t.str("cannot bind ");
			ckpt::socket_address(t, s.addr, s.addr_len)
				.str(" again");
			if (ret == -EADDRINUSE)
				t.str(s.family == af_unix
					      ? " (the name is taken now)"
					      : " (the port is taken now)");
			return failed(err, i, t.c_str(), ret);
		}
	}
	// Unlinked after bind() in the app: the socket keeps the name.
	if (has_path && !s.name_ino &&
	    (ret = sys::unlinkat(AT_FDCWD, path, 0)) < 0)
		return failed(err, i, "cannot unlink its file again", ret);
	if (s.state == image::socket_listening &&
	    (ret = sys::listen((int)fd, somaxconn)) < 0)
		return failed(err, i, "cannot listen again", ret);
	if (s.state == image::socket_connected) {
		// A name of the image's own sockets is bound before.
		if (!bind_peer_first(err, i, temps))
			return false;
		ret = sys::connect((int)fd, s.peer_addr, s.peer_addr_len);
	}
	if (ret < 0 && s.state == image::socket_connected) {
		t.str("cannot connect to ");
		ckpt::socket_address(t, s.peer_addr, s.peer_addr_len)
			.str(" again");
		if (s.family != af_unix)
			return failed(err, i, t.c_str(), ret);
		// Another process's name (/dev/log) that is gone: the app
		// finds its socket unconnected, as after the peer went.
		char buf[4096 + 512];
		ckpt::text w(buf, sizeof buf);
		socket_message(w, i).str(": ").str(t.c_str()).str(": ")
			.errno_name(ret).str("; it comes back unconnected\n");
		warn(w);
	}
	if (s.state == image::socket_reset) {
		const char *why = nullptr;
		ret = reset_socket((int)fd, s.family, &why);
		if (ret < 0) {
			t.str("cannot make a reset socket in its place: ")
				.str(why);
			return failed(err, i, t.c_str(), ret);
		}
	}
	return finish(err, i, (int)fd);
}

const char *state_name(uint32_t state)
{
	static constexpr char names[image::socket_state_count][12] = {
		"unbound",   "bound", "listening", "connected",
		"pair",	     "peer-closed", "reset"};
	return state < image::socket_state_count ? names[state] : "?";
}

} // namespace

bool socket_comes_back(uint32_t i)
{
	const image::socket_entry *s = socket_of(i);
	if (!s || entry(i).fd <= 2)
		return false;
	return s->state != image::socket_pair || entry(s->peer).fd > 2;
}

const char *socket_lost_reason(uint32_t i)
{
	const image::fd_entry &e = entry(i);
	if (e.kind != image::fd_socket || e.dup_of != -1 ||
	    (e.flags & image::fd_lost))
		return nullptr;
	const image::socket_entry *s = socket_of(i);
	if (!s)
		return "the checkpoint could not save this socket (it said "
		       "why)";
	if (s->state == image::socket_pair)
		return "its peer is one of fd 0-2, which the restorer's "
		       "caller gives";
	return nullptr;
}

bool make_socket(ckpt::text &err, uint32_t i, int32_t *temps)
{
	const image::socket_entry &s = *socket_of(i);
	if (temps[i] >= 0)
		return true; // made with its peer
	if (s.state == image::socket_pair || s.state == image::socket_peer_closed)
		return make_pair(err, i, temps);
	return make_one(err, i, temps);
}

uint64_t socket_temporaries()
{
	plan();
	for (uint32_t k = 0; k < g.tables.socket_count; k++) {
		if (g.tables.sockets[k].state == image::socket_reset ||
		    g.tables.sockets[k].state == image::socket_peer_closed)
			return 2; // the listener and the accepted socket
	}
	return 0;
}

void socket_info(ckpt::text &t, uint32_t i)
{
	const image::socket_entry *s = socket_of(i);
	if (!s)
		return;
	t.str(s->family == af_unix ? " unix" : s->type == sock_stream ? " tcp"
					       : " udp");
	if (s->family == af_inet6)
		t.ch('6');
	if (s->family == af_unix)
		t.str(s->type == sock_stream ? " stream"
		      : s->type == sock_dgram ? " dgram" : " seqpacket");
	t.ch(' ').str(state_name(s->state));
	if (s->state == image::socket_pair)
		t.str(" with fd ").dec(entry(s->peer).fd);
	if (s->addr_len > 2 || (s->family != af_unix && s->state))
		ckpt::socket_address(t.ch(' '), s->addr, s->addr_len);
	if (s->state == image::socket_connected ||
	    s->state == image::socket_reset)
		ckpt::socket_address(t.str(s->state == image::socket_reset
						   ? " was connected to "
						   : " to "),
				     s->peer_addr, s->peer_addr_len);
	if (s->state == image::socket_pair ||
	    s->state == image::socket_peer_closed) {
		uint64_t bytes = 0;
		for (uint32_t m = 0; m < s->message_count; m++)
			bytes += g.tables.socket_messages[s->message_first + m]
					 .length;
		if (s->type == sock_stream)
			t.str(", ").udec(bytes).str(" bytes queued");
		else
			t.str(", ").udec(s->message_count)
				.str(" messages queued (").udec(bytes)
				.str(" bytes)");
	}
	if (s->flags & image::socket_shut_rd)
		t.str(" shut-rd");
	if (s->flags & image::socket_shut_wr)
		t.str(" shut-wr");
	if (s->flags & image::socket_reuseaddr)
		t.str(" reuseaddr");
	if (s->flags & image::socket_reuseport)
		t.str(" reuseport");
	if (s->flags & image::socket_v6only)
		t.str(" v6only");
	if (s->flags & image::socket_passcred)
		t.str(" passcred");
	if (s->flags & image::socket_keepalive)
		t.str(" keepalive");
	if (s->flags & image::socket_broadcast)
		t.str(" broadcast");
	if (s->flags & image::socket_nodelay)
		t.str(" nodelay");
	if (s->rcvtimeo[0] || s->rcvtimeo[1])
		t.str(" rcvtimeo ").udec((uint64_t)s->rcvtimeo[0] * 1000 +
					  (uint64_t)s->rcvtimeo[1] / 1000)
			.str("ms");
	if (s->sndtimeo[0] || s->sndtimeo[1])
		t.str(" sndtimeo ").udec((uint64_t)s->sndtimeo[0] * 1000 +
					  (uint64_t)s->sndtimeo[1] / 1000)
			.str("ms");
}

} // namespace restorer
