// Typed system calls over arch::syscallN, shared by the runtime and the
// restorer. Each returns the kernel's result: -errno on failure.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <asm/stat.h>
#include <linux/stat.h>

#include "arch/arch.h"

namespace sys {

// The one place that tells an error from a result.
static inline bool failed(long ret)
{
	return (unsigned long)ret > -4096UL;
}

// The kernel's struct sigaction (not libc's): the same on x86_64 and
// aarch64.
struct kernel_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct stack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

struct timespec {
	int64_t sec;
	int64_t nsec;
};

struct itimerval {
	timespec interval; // tv_usec in place of tv_nsec
	timespec value;
};

#define SYS_ARG(x) ((long)(x))

static inline long read(int fd, void *buf, size_t len)
{
	return arch::syscall3(__NR_read, fd, SYS_ARG(buf), len);
}
static inline long write(int fd, const void *buf, size_t len)
{
	return arch::syscall3(__NR_write, fd, SYS_ARG(buf), len);
}
static inline long pread(int fd, void *buf, size_t len, uint64_t off)
{
	return arch::syscall4(__NR_pread64, fd, SYS_ARG(buf), len, off);
}
// userfaultfd(2); UFFD_USER_MODE_ONLY (1) lets an unprivileged process
// have one (5.11+) where vm.unprivileged_userfaultfd is 0.
static inline long userfaultfd(int flags)
{
	return arch::syscall1(__NR_userfaultfd, flags);
}
static inline long pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	return arch::syscall4(__NR_pwrite64, fd, SYS_ARG(buf), len, off);
}
// The kernel's struct iovec. IOV_MAX (1024) of them at most per call.
struct iovec {
	void *base;
	size_t len;
};
constexpr unsigned iov_max = 1024;

static inline long writev(int fd, const iovec *iov, unsigned n)
{
	return arch::syscall3(__NR_writev, fd, SYS_ARG(iov), n);
}
// The offset's high half is 0 on 64-bit kernels (pos_from_hilo()).
static inline long preadv(int fd, const iovec *iov, unsigned n, uint64_t off)
{
	return arch::syscall5(__NR_preadv, fd, SYS_ARG(iov), n, off, 0);
}
static inline long ftruncate(int fd, uint64_t len)
{
	return arch::syscall2(__NR_ftruncate, fd, len);
}
static inline long copy_file_range(int in, int64_t *in_off, int out,
				   int64_t *out_off, size_t len)
{
	return arch::syscall6(__NR_copy_file_range, in, SYS_ARG(in_off), out,
			      SYS_ARG(out_off), len, 0);
}
static inline long fallocate(int fd, int mode, uint64_t off, uint64_t len)
{
	return arch::syscall4(__NR_fallocate, fd, mode, off, len);
}
static inline long fchmod(int fd, unsigned mode)
{
	return arch::syscall2(__NR_fchmod, fd, mode);
}
static inline long memfd_create(const char *name, unsigned flags)
{
	return arch::syscall2(__NR_memfd_create, SYS_ARG(name), flags);
}
static inline long openat(int dirfd, const char *path, int flags,
			  int mode = 0)
{
	return arch::syscall4(__NR_openat, dirfd, SYS_ARG(path), flags, mode);
}
static inline long open(const char *path, int flags, int mode = 0)
{
	return openat(AT_FDCWD, path, flags, mode);
}
static inline long close(int fd)
{
	return arch::syscall1(__NR_close, fd);
}
static inline long lseek(int fd, int64_t off, int whence)
{
	return arch::syscall3(__NR_lseek, fd, off, whence);
}
static inline long fdatasync(int fd)
{
	return arch::syscall1(__NR_fdatasync, fd);
}
static inline long statx(int dirfd, const char *path, int flags,
			 unsigned mask, struct ::statx *st)
{
	return arch::syscall5(__NR_statx, dirfd, SYS_ARG(path), flags, mask,
			      SYS_ARG(st));
}
static inline long renameat(int olddir, const char *oldpath, int newdir,
			    const char *newpath)
{
	return arch::syscall5(__NR_renameat2, olddir, SYS_ARG(oldpath), newdir,
			      SYS_ARG(newpath), 0);
}
static inline long unlinkat(int dirfd, const char *path, int flags)
{
	return arch::syscall3(__NR_unlinkat, dirfd, SYS_ARG(path), flags);
}
static inline long mmap(uint64_t addr, size_t len, int prot, int flags,
			int fd, uint64_t off)
{
	return arch::syscall6(__NR_mmap, addr, len, prot, flags, fd, off);
}
static inline long munmap(uint64_t addr, size_t len)
{
	return arch::syscall2(__NR_munmap, addr, len);
}
static inline long mprotect(uint64_t addr, size_t len, int prot)
{
	return arch::syscall3(__NR_mprotect, addr, len, prot);
}
static inline long mremap(uint64_t old_addr, size_t old_len, size_t new_len,
			  int flags, uint64_t new_addr)
{
	return arch::syscall5(__NR_mremap, old_addr, old_len, new_len, flags,
			      new_addr);
}
static inline long madvise(uint64_t addr, size_t len, int advice)
{
	return arch::syscall3(__NR_madvise, addr, len, advice);
}
// flags 0 is mlock(); MLOCK_ONFAULT (1) locks pages as they fault in.
static inline long mlock2(uint64_t addr, size_t len, int flags)
{
	return arch::syscall3(__NR_mlock2, addr, len, flags);
}
static inline long mlock(uint64_t addr, size_t len)
{
	return arch::syscall2(__NR_mlock, addr, len);
}
static inline long membarrier(int cmd, unsigned flags = 0, int cpu = 0)
{
	return arch::syscall3(__NR_membarrier, cmd, flags, cpu);
}
static inline long linkat(int olddir, const char *oldpath, int newdir,
			  const char *newpath, int flags)
{
	return arch::syscall5(__NR_linkat, olddir, SYS_ARG(oldpath), newdir,
			      SYS_ARG(newpath), flags);
}
// The kernel's struct stat (asm/stat.h: its layout differs per arch, its
// field names do not); for where statx is refused.
static inline long fstatat(int dirfd, const char *path, struct ::stat *st,
			   int flags)
{
	return arch::syscall4(__NR_newfstatat, dirfd, SYS_ARG(path),
			      SYS_ARG(st), flags);
}
static inline long brk(uint64_t addr)
{
	return arch::syscall1(__NR_brk, addr);
}
static inline long rt_sigaction(int sig, const kernel_sigaction *act,
				kernel_sigaction *old)
{
	return arch::syscall4(__NR_rt_sigaction, sig, SYS_ARG(act),
			      SYS_ARG(old), sizeof(uint64_t));
}
static inline long rt_sigprocmask(int how, const uint64_t *set,
				  uint64_t *old)
{
	return arch::syscall4(__NR_rt_sigprocmask, how, SYS_ARG(set),
			      SYS_ARG(old), sizeof(uint64_t));
}
static inline long sigaltstack(const stack *ss, stack *old)
{
	return arch::syscall2(__NR_sigaltstack, SYS_ARG(ss), SYS_ARG(old));
}
static inline long prctl(int option, uint64_t a = 0, uint64_t b = 0,
			 uint64_t c = 0, uint64_t d = 0)
{
	return arch::syscall5(__NR_prctl, option, a, b, c, d);
}
static inline long getpid()
{
	return arch::syscall0(__NR_getpid);
}
static inline long getppid()
{
	return arch::syscall0(__NR_getppid);
}
static inline long gettid()
{
	return arch::syscall0(__NR_gettid);
}
static inline long geteuid()
{
	return arch::syscall0(__NR_geteuid);
}
static inline long set_tid_address(void *addr)
{
	return arch::syscall1(__NR_set_tid_address, SYS_ARG(addr));
}
static inline long getitimer(int which, itimerval *v)
{
	return arch::syscall2(__NR_getitimer, which, SYS_ARG(v));
}
static inline long setitimer(int which, const itimerval *v, itimerval *old)
{
	return arch::syscall3(__NR_setitimer, which, SYS_ARG(v),
			      SYS_ARG(old));
}
static inline long clock_gettime(int clock, timespec *ts)
{
	return arch::syscall2(__NR_clock_gettime, clock, SYS_ARG(ts));
}
static inline long nanosleep(const timespec *req)
{
	return arch::syscall2(__NR_nanosleep, SYS_ARG(req), 0);
}
[[noreturn]] static inline void exit_group(int status)
{
	arch::syscall1(__NR_exit_group, status);
	__builtin_unreachable();
}
static inline long kill(int pid, int sig)
{
	return arch::syscall2(__NR_kill, pid, sig);
}

// siginfo_t as rt_tgsigqueueinfo() takes it (128 bytes), with the fields
// of a signal sent by sigqueue() (SI_QUEUE): sender and value.
struct queued_siginfo {
	int32_t signo;
	int32_t error;
	int32_t code;
	int32_t pad;
	int32_t pid;
	uint32_t uid;
	uint64_t value;
	uint64_t rest[12];
};
static_assert(sizeof(queued_siginfo) == 128);
// si_code of a signal from sigqueue() and from a POSIX timer (SI_QUEUE,
// SI_TIMER in <asm-generic/siginfo.h>).
constexpr int32_t si_queue = -1, si_timer = -2;
// A thread of this process may be sent any si_code; from another process
// the kernel takes only negative ones other than SI_TKILL.
static inline long rt_tgsigqueueinfo(int tgid, int tid, int sig,
				     const queued_siginfo *info)
{
	return arch::syscall4(__NR_rt_tgsigqueueinfo, tgid, tid, sig,
			      SYS_ARG(info));
}
static inline long getuid()
{
	return arch::syscall0(__NR_getuid);
}
// A copy-on-write child, like fork(), without libc's atfork handlers;
// exit_signal is the signal the parent gets when it exits (0: none, and
// then reap it with wait4(__WALL)). 0 in the child.
static inline long clone_process(int exit_signal)
{
	return arch::syscall5(__NR_clone, exit_signal, 0, 0, 0, 0);
}
static inline long wait4(int pid, int *status, int options)
{
	return arch::syscall4(__NR_wait4, pid, SYS_ARG(status), options, 0);
}
// The raw system call: PEEK requests store their word at data, they do
// not return it (glibc's ptrace() wrapper hides this).
static inline long ptrace(long request, int pid, uint64_t addr, uint64_t data)
{
	return arch::syscall4(__NR_ptrace, request, pid, addr, data);
}
static inline long futex(uint32_t *addr, int op, uint32_t val,
			 const timespec *timeout = nullptr)
{
	return arch::syscall4(__NR_futex, SYS_ARG(addr), op, val,
			      SYS_ARG(timeout));
}

// Closes every descriptor from first to last (ENOSYS before Linux 5.9).
static inline long close_range(unsigned first, unsigned last)
{
	return arch::syscall3(__NR_close_range, first, last, 0);
}

// A descriptor for process pid that stays its own, even once it is a
// zombie (poll: readable when it has exited).
static inline long pidfd_open(int pid)
{
	return arch::syscall2(__NR_pidfd_open, pid, 0);
}

struct pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

static inline long ppoll(pollfd *fds, unsigned n, const timespec *timeout)
{
	return arch::syscall5(__NR_ppoll, SYS_ARG(fds), n, SYS_ARG(timeout), 0,
			      8);
}

// The kernel's struct sigevent (64 bytes).
struct sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t thread_id;
	int32_t pad[11];
};

struct itimerspec {
	timespec interval;
	timespec value;
};

static inline long timer_create(int clock, sigevent *sev, int *id)
{
	return arch::syscall3(__NR_timer_create, clock, SYS_ARG(sev),
			      SYS_ARG(id));
}
static inline long timer_settime(int id, const itimerspec *value)
{
	return arch::syscall4(__NR_timer_settime, id, 0, SYS_ARG(value), 0);
}
static inline long timer_gettime(int id, itimerspec *value)
{
	return arch::syscall2(__NR_timer_gettime, id, SYS_ARG(value));
}
static inline long timer_getoverrun(int id)
{
	return arch::syscall1(__NR_timer_getoverrun, id);
}
static inline long timer_delete(int id)
{
	return arch::syscall1(__NR_timer_delete, id);
}
static inline long ioctl(int fd, unsigned long request, uint64_t arg)
{
	return arch::syscall3(__NR_ioctl, fd, request, arg);
}
// timerfd and signalfd (timers.cc at both ends).
static inline long timerfd_create(int clock, int flags)
{
	return arch::syscall2(__NR_timerfd_create, clock, flags);
}
static inline long timerfd_settime(int fd, int flags, const itimerspec *value)
{
	return arch::syscall4(__NR_timerfd_settime, fd, flags, SYS_ARG(value),
			      0);
}
static inline long timerfd_gettime(int fd, itimerspec *value)
{
	return arch::syscall2(__NR_timerfd_gettime, fd, SYS_ARG(value));
}
static inline long signalfd4(int fd, const uint64_t *mask, int flags)
{
	return arch::syscall4(__NR_signalfd4, fd, SYS_ARG(mask), 8, flags);
}
// Takes one pending signal of *set (blocked ones too): the thread's own
// first, then the process's; -EAGAIN once the timeout (0: none) passes.
static inline long rt_sigtimedwait(const uint64_t *set, queued_siginfo *info,
				   const timespec *timeout)
{
	return arch::syscall4(__NR_rt_sigtimedwait, SYS_ARG(set), SYS_ARG(info),
			      SYS_ARG(timeout), 8);
}
// Queues info on the process's own queue. Only to the calling thread's own
// tid may it carry an si_code >= 0 (the kernel compares with the caller's
// tid, so from any other thread of the process too: EPERM).
static inline long rt_sigqueueinfo(int tgid, int sig,
				   const queued_siginfo *info)
{
	return arch::syscall3(__NR_rt_sigqueueinfo, tgid, sig, SYS_ARG(info));
}

// File descriptors and process attributes (saved by runtime/process.cc,
// restored by restorer/files.cc and restorer/process.cc).
static inline long fcntl(int fd, int cmd, long arg = 0)
{
	return arch::syscall3(__NR_fcntl, fd, cmd, arg);
}
static inline long dup3(int oldfd, int newfd, int flags)
{
	return arch::syscall3(__NR_dup3, oldfd, newfd, flags);
}
// File locks (locks.cc at both ends). F_GETLK, F_SETLK and F_OFD_* take
// a struct flock (asm-generic: the same on both arches).
static inline long fcntl_lock(int fd, int cmd, struct flock *l)
{
	return arch::syscall3(__NR_fcntl, fd, cmd, SYS_ARG(l));
}
static inline long flock(int fd, int how)
{
	return arch::syscall2(__NR_flock, fd, how);
}
// inotify (inotify.cc at both ends).
static inline long inotify_init1(int flags)
{
	return arch::syscall1(__NR_inotify_init1, flags);
}
static inline long inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	return arch::syscall3(__NR_inotify_add_watch, fd, SYS_ARG(path), mask);
}
static inline long inotify_rm_watch(int fd, int wd)
{
	return arch::syscall2(__NR_inotify_rm_watch, fd, wd);
}
// struct linux_dirent64 records: u64 ino, s64 off, u16 reclen, u8 type,
// then the terminated name.
static inline long getdents64(int fd, void *buf, size_t len)
{
	return arch::syscall3(__NR_getdents64, fd, SYS_ARG(buf), len);
}
static inline long readlinkat(int dirfd, const char *path, char *buf,
			      size_t len)
{
	return arch::syscall4(__NR_readlinkat, dirfd, SYS_ARG(path),
			      SYS_ARG(buf), len);
}
// 0 when fd1 of pid1 and fd2 of pid2 are one open file description
// (type KCMP_FILE).
static inline long kcmp(int pid1, int pid2, int type, uint64_t a, uint64_t b)
{
	return arch::syscall5(__NR_kcmp, pid1, pid2, type, a, b);
}

struct rlimit {
	uint64_t cur;
	uint64_t max;
};

static inline long prlimit(int resource, const rlimit *set, rlimit *old)
{
	return arch::syscall4(__NR_prlimit64, 0, resource, SYS_ARG(set),
			      SYS_ARG(old));
}
static inline long umask(unsigned mask)
{
	return arch::syscall1(__NR_umask, mask);
}
static inline long chdir(const char *path)
{
	return arch::syscall1(__NR_chdir, SYS_ARG(path));
}
static inline long getcwd(char *buf, size_t len)
{
	return arch::syscall2(__NR_getcwd, SYS_ARG(buf), len);
}
// 0xffffffff reads the persona without changing it.
static inline long personality(unsigned persona)
{
	return arch::syscall1(__NR_personality, persona);
}
static inline long rseq(uint64_t area, uint32_t len, int flags, uint32_t sig)
{
	return arch::syscall4(__NR_rseq, area, len, flags, sig);
}
static inline long get_robust_list(uint64_t *head, uint64_t *len)
{
	return arch::syscall3(__NR_get_robust_list, 0, SYS_ARG(head),
			      SYS_ARG(len));
}
static inline long set_robust_list(uint64_t head, uint64_t len)
{
	return arch::syscall2(__NR_set_robust_list, head, len);
}

// Pipes, eventfd, epoll (saved by runtime/pipes.cc, made again by
// restorer/pipes.cc).
static inline long pipe2(int fds[2], int flags)
{
	return arch::syscall2(__NR_pipe2, SYS_ARG(fds), flags);
}
// Duplicates up to len bytes buffered in pipe in into pipe out, leaving
// them in in.
static inline long tee(int in, int out, size_t len, unsigned flags)
{
	return arch::syscall4(__NR_tee, in, out, len, flags);
}
static inline long ioctl(int fd, unsigned long request, long arg)
{
	return arch::syscall3(__NR_ioctl, fd, request, arg);
}
static inline long eventfd2(unsigned count, int flags)
{
	return arch::syscall2(__NR_eventfd2, count, flags);
}
static inline long epoll_create1(int flags)
{
	return arch::syscall1(__NR_epoll_create1, flags);
}
// event: the uapi struct epoll_event, packed on x86_64 only
// (<linux/eventpoll.h> says which).
static inline long epoll_ctl(int epfd, int op, int fd, void *event)
{
	return arch::syscall4(__NR_epoll_ctl, epfd, op, fd, SYS_ARG(event));
}

// Sockets (the sockets part of #13). Addresses and messages are the
// kernel's structs, passed through as bytes (iovec: above).
struct msghdr {
	void *name;
	uint32_t namelen;
	uint32_t pad0;
	iovec *iov;
	size_t iovlen;
	void *control;
	size_t controllen;
	uint32_t flags;
	uint32_t pad1;
};
static inline long socket(int domain, int type, int protocol)
{
	return arch::syscall3(__NR_socket, domain, type, protocol);
}
static inline long socketpair(int domain, int type, int protocol, int fds[2])
{
	return arch::syscall4(__NR_socketpair, domain, type, protocol,
			      SYS_ARG(fds));
}
static inline long bind(int fd, const void *addr, uint32_t len)
{
	return arch::syscall3(__NR_bind, fd, SYS_ARG(addr), len);
}
static inline long listen(int fd, int backlog)
{
	return arch::syscall2(__NR_listen, fd, backlog);
}
static inline long connect(int fd, const void *addr, uint32_t len)
{
	return arch::syscall3(__NR_connect, fd, SYS_ARG(addr), len);
}
static inline long accept4(int fd, void *addr, uint32_t *len, int flags)
{
	return arch::syscall4(__NR_accept4, fd, SYS_ARG(addr), SYS_ARG(len),
			      flags);
}
static inline long getsockname(int fd, void *addr, uint32_t *len)
{
	return arch::syscall3(__NR_getsockname, fd, SYS_ARG(addr),
			      SYS_ARG(len));
}
static inline long getpeername(int fd, void *addr, uint32_t *len)
{
	return arch::syscall3(__NR_getpeername, fd, SYS_ARG(addr),
			      SYS_ARG(len));
}
static inline long getsockopt(int fd, int level, int name, void *val,
			      uint32_t *len)
{
	return arch::syscall5(__NR_getsockopt, fd, level, name, SYS_ARG(val),
			      SYS_ARG(len));
}
static inline long setsockopt(int fd, int level, int name, const void *val,
			      uint32_t len)
{
	return arch::syscall5(__NR_setsockopt, fd, level, name, SYS_ARG(val),
			      len);
}
static inline long sendto(int fd, const void *buf, size_t len, int flags,
			  const void *addr, uint32_t addr_len)
{
	return arch::syscall6(__NR_sendto, fd, SYS_ARG(buf), len, flags,
			      SYS_ARG(addr), addr_len);
}
static inline long recvmsg(int fd, msghdr *msg, int flags)
{
	return arch::syscall3(__NR_recvmsg, fd, SYS_ARG(msg), flags);
}
static inline long shutdown(int fd, int how)
{
	return arch::syscall2(__NR_shutdown, fd, how);
}

#undef SYS_ARG

} // namespace sys
