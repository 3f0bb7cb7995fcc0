// Sockets at checkpoint, read without changing them for the running app:
// family, type, addresses and options from getsockopt(), getsockname()
// and getpeername(); which unix socket is whose peer (socket_peers.cc)
// and the messages queued in the pairs (socket_queues.cc). One that
// cannot come back is named on stderr and left out.
#include <linux/errno.h>
#include <asm/ioctls.h>
#include <linux/netlink.h>

#include "arch/sys.h"
#include "runtime/fmt.h"
#include "runtime/process.h"
#include "runtime/socket_save.h"
#include "runtime/sockets.h"
#include "runtime/stat.h"
#include "runtime/str.h"

namespace ckpt {

socket_objects saved_sockets;

namespace socket_save {

int32_t entry_of[image::max_fds];
uint8_t dropped[image::max_fds];
uint8_t queued[image::max_fds];
long diag_fd = -1;


void warn(const image::fd_entry &e, const char *strings, const char *why,
	  long err, const char *tail)
{
	// fd 0-2 are the restorer caller's again, whatever they were (they
	// are looked at all the same: one may be the peer of another).
	if (e.fd <= 2 && tail[0] == ',')
		return;
	ckpt::warn_fd(e, strings, why, err, tail);
}

bool readable(int fd)
{
	sys::pollfd p = {fd, pollin, 0};
	sys::timespec zero = {0, 0};
	return sys::ppoll(&p, 1, &zero) > 0 && (p.revents & pollin);
}

namespace {

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

// The peer inodes sock_diag gave, per socket entry.
uint32_t peer_inos[image::max_fds];

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

} // namespace socket_save

using namespace socket_save;

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
