// Which unix socket is whose peer, at checkpoint. The sock_diag netlink
// says (UNIX_DIAG_PEER, with UNIX_DIAG_SHUTDOWN), unprivileged for one's
// own sockets. qemu-user has no NETLINK_SOCK_DIAG (socket() gives
// EPROTONOSUPPORT): there the peers are found by probes, and the shutdown
// state by poll() (POLLRDHUP).
#include <linux/errno.h>
#include <asm/ioctls.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "arch/sys.h"
#include "runtime/socket_save.h"
#include "runtime/str.h"

namespace ckpt::socket_save {

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

namespace {

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

} // namespace

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

} // namespace ckpt::socket_save
