// Internals of saving sockets, shared by runtime/sockets.cc (what each
// socket is), runtime/socket_queues.cc (the messages queued in it) and
// runtime/socket_peers.cc (which socket is whose peer).
#pragma once

#include <stdint.h>

#include "arch/sys.h"
#include "runtime/sockets.h"

namespace ckpt::socket_save {

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

// During one save_sockets(), per fd table entry: its socket entry in
// saved_sockets, or -1. Per socket entry: whether it is dropped (it will
// not come back), and whether probe_peers() read its queue already.
extern int32_t entry_of[image::max_fds];
extern uint8_t dropped[image::max_fds];
extern uint8_t queued[image::max_fds];
// The netlink socket of sock_diag, or -errno (qemu-user has none).
extern long diag_fd;

// "ckpt: fd N (NAME): why[: ERRNO]" and tail, on stderr; nothing for fd
// 0-2 with the default tail (the restorer's caller gives those).
void warn(const image::fd_entry &e, const char *strings, const char *why,
	  long err = 0, const char *tail = ", it will not come back\n");
bool readable(int fd);

// Queued messages (socket_queues.cc). receive(): one recvmsg() without
// waiting, -EXDEV if descriptors were in flight (closed again);
// save_queue(): peeks socket entry k's queue into its messages (-errno,
// why in *why); drain(): reads it (a stream's avail bytes, or datagrams
// until none is left, avail -1); give_back(): sends its messages into it
// again from its peer's fd from; send_bytes(): one send, no SIGPIPE.
long receive(int fd, char *buf, size_t len, int flags);
long save_queue(uint32_t k, int fd, const char **why);
long drain(uint32_t k, int fd, long avail);
long give_back(uint32_t k, int from);
long send_bytes(int fd, const char *p, uint32_t n);

// Peers (socket_peers.cc). query_diag(): a unix socket's peer inode and
// shutdown bits from sock_diag; polled_shutdown(): the bits poll() shows;
// probe_peers(): without sock_diag, pairs the process's connected unix
// sockets by sending probes.
struct diag_result {
	uint32_t peer;
	uint8_t shutdown;
};
long query_diag(uint64_t ino, diag_result *out);
uint8_t polled_shutdown(int fd);
void probe_peers(const image::fd_entry *fds, const char *strings);

} // namespace ckpt::socket_save
