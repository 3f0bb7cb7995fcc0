// POSIX timers and pending signals at a checkpoint: read without
// disturbing the running process (README "Timers and signals").
#include <linux/errno.h>
#include <linux/signal.h>

#include "arch/sys.h"
#include "runtime/fmt.h"
#include "runtime/io.h"
#include "runtime/runtime.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

// Not on the stack (a signal checkpoint runs on whatever stack the app
// had); checkpoint() is never reentered.
char timers_text[512 << 10];
char status_text[4096];

// "ckpt: KIND N: WHAT[: ERRNO], it will not come back".
void warn_lost(const char *kind, long n, const char *what, long err)
{
	char buf[256];
	text t(buf, sizeof buf);
	t.str("ckpt: ").str(kind).ch(' ').dec(n).str(": ").str(what);
	if (err)
		t.str(": ").errno_name(err);
	print_err(t.str(", it will not come back\n"));
}

void warn_timer(long id, const char *what, long err)
{
	warn_lost("POSIX timer", id, what, err);
}

// The number at *p (decimal, or hex digits if hex), moving *p past it.
uint64_t number(const char *&p, bool hex = false)
{
	uint64_t v = 0;
	for (;; p++) {
		int d = hex ? hex_digit(*p) : (*p >= '0' && *p <= '9' ? *p - '0'
								    : -1);
		if (d < 0)
			return v;
		v = v * (hex ? 16 : 10) + (uint64_t)d;
	}
}

long signed_number(const char *&p)
{
	bool neg = *p == '-';
	if (neg)
		p++;
	long v = (long)number(p);
	return neg ? -v : v;
}

const char *line_end(const char *p)
{
	while (*p && *p != '\n')
		p++;
	return p;
}

// One /proc/self/timers record (kernel: show_timer()):
//   ID: 5 / signal: 35/000000000000002a / notify: signal/pid.8317 /
//   ClockID: 1
// notify is "none", "signal" or "thread" (SIGEV_THREAD, which the kernel
// never sees: glibc makes it SIGEV_THREAD_ID), then "pid" or "tid".
struct listed_timer {
	long id = -1;
	long signo = 0;
	uint64_t value = 0;
	bool none = false, thread = false;
	long target = 0;
	long clock = -1;
};

// Listed timers that timer_gettime() does not know: warned about once
// the listing is read (see save_timers()).
constexpr int max_unknown = 16;
long unknown_ids[max_unknown];
long unknown_errs[max_unknown];
int unknown_count;

// Fills t from the timer as the kernel keeps it; false (warned, or kept
// in unknown_ids) if it cannot come back.
bool read_timer(const listed_timer &l, image::posix_timer &t)
{
	t = {};
	t.id = (int32_t)l.id;
	t.clock = (int32_t)l.clock;
	t.value = l.value;
	t.signo = (uint32_t)l.signo;
	t.notify = l.none ? image::notify_none
			  : l.thread ? image::notify_thread
				     : image::notify_process;
	t.thread = (uint32_t)l.target; // a tid, until thread_indices()
	// Negative clocks are another process's or thread's CPU clock: its
	// pid will not be the same.
	if (l.clock < 0) {
		warn_timer(l.id, "it counts another process's CPU time", 0);
		return false;
	}
	long ret = sys::timer_gettime((int)l.id, &t.time);
	if (ret < 0) {
		// qemu-user lists its own host timers, whose ids the guest's
		// timer_gettime() does not know.
		if (unknown_count < max_unknown) {
			unknown_ids[unknown_count] = l.id;
			unknown_errs[unknown_count++] = ret;
		}
		return false;
	}
	ret = sys::timer_getoverrun((int)l.id);
	t.overrun = ret > 0 ? (int32_t)ret : 0;
	return true;
}

// Puts a taken signal back where it was.
long put_back(const image::pending_signal &p)
{
	const long pid = sys::getpid(), tid = sys::gettid();
	long ret;
	if (p.scope == image::pending_thread)
		ret = sys::rt_tgsigqueueinfo((int)pid, (int)tid, (int)p.signo,
					     &p.info);
	else
		ret = sys::rt_sigqueueinfo((int)pid, (int)p.signo, &p.info);
	if (ret == -EPERM && p.info.code >= 0) {
		// From a thread other than the leader, a process-wide signal
		// can be put back only with a negative code: SI_QUEUE.
		sys::queued_siginfo copy = p.info;
		copy.code = sys::si_queue;
		ret = sys::rt_sigqueueinfo((int)pid, (int)p.signo, &copy);
	}
	return ret;
}

// The pending masks of /proc/thread-self/status: SigPnd (this thread's)
// and ShdPnd (the process's).
long pending_masks(uint64_t *thread, uint64_t *process)
{
	long n = read_file("/proc/thread-self/status", status_text,
			   sizeof status_text);
	if (n < 0)
		return n;
	*thread = *process = 0;
	for (const char *p = status_text; *p; p = *line_end(p) ? line_end(p) + 1
							       : line_end(p)) {
		if (starts_with(p, "SigPnd:\t")) {
			p += 8;
			*thread = number(p, true);
		} else if (starts_with(p, "ShdPnd:\t")) {
			p += 8;
			*process = number(p, true);
		}
	}
	return 0;
}

// Every pending signal of the taker, both queues. A queue is read only by
// taking its signals (rt_sigtimedwait takes the thread's first, then the
// process's; with everything blocked, as now): all of one number are
// taken, then put back at once in the same order where they were, so the
// original loses none. Which queue the next one comes from, the status
// masks say. The checkpoint signal is left alone: a request pending now
// (or a stop request) is the runtime's, not the app's.
long save_pending(image::pending_signal *out, uint32_t *count, uint32_t cap,
		  bool own_only, text &msg)
{
	*count = 0;
	uint64_t thread, process;
	long ret = pending_masks(&thread, &process);
	if (ret < 0) {
		msg.str("cannot read /proc/thread-self/status: ").errno_name(ret);
		return ret;
	}
	if (own_only)
		process = 0;
	const uint64_t pending = thread | process;
	const uint32_t tid = (uint32_t)sys::gettid();
	for (uint32_t sig = 1; sig <= image::signal_count; sig++) {
		const uint64_t bit = 1ull << (sig - 1);
		if (!(pending & bit) || (int)sig == config.signal)
			continue;
		const uint32_t first = *count;
		while ((thread | process) & bit) {
			if (*count == cap) {
				ret = -E2BIG;
				break;
			}
			image::pending_signal &p = out[*count];
			p = {};
			p.signo = sig;
			p.scope = thread & bit ? image::pending_thread
					       : image::pending_process;
			p.thread = p.scope == image::pending_thread ? tid : 0;
			const sys::timespec now = {0, 0};
			ret = sys::rt_sigtimedwait(&bit, &p.info, &now);
			if (ret == -EAGAIN) {
				ret = 0;
				break;
			}
			if (ret < 0)
				break;
			(*count)++;
			if ((ret = pending_masks(&thread, &process)) < 0)
				break;
			if (own_only)
				process = 0;
		}
		for (uint32_t i = first; i < *count; i++) {
			long put = put_back(out[i]);
			if (put < 0 && ret >= 0)
				ret = put;
		}
		if (ret < 0) {
			msg.str("cannot take pending signal ").udec(sig)
				.str(" and put it back: ").errno_name(ret);
			return ret;
		}
	}
	return 0;
}

// /proc/self/timers, parsed: every timer but the runtime's own.
long save_timers(image::posix_timer *out, uint32_t *count, text &msg)
{
	*count = 0;
	long n = read_file("/proc/self/timers", timers_text,
			   sizeof timers_text);
	if (n == -ENOENT)
		return 0; // no CONFIG_CHECKPOINT_RESTORE: none can be found
	if (n < 0) {
		msg.str("cannot read /proc/self/timers: ").errno_name(n);
		return n;
	}
	listed_timer l;
	const long own = interval_timer_id();
	bool own_listed = false;
	unknown_count = 0;
	for (const char *p = timers_text; *p;) {
		const char *end = line_end(p);
		if (starts_with(p, "ID: ")) {
			l = {};
			p += 4;
			l.id = signed_number(p);
		} else if (starts_with(p, "signal: ")) {
			p += 8;
			l.signo = (long)number(p);
			if (*p == '/')
				l.value = number(++p, true);
		} else if (starts_with(p, "notify: ")) {
			p += 8;
			l.none = starts_with(p, "none");
			while (*p && *p != '/' && p < end)
				p++;
			if (*p == '/')
				l.thread = starts_with(++p, "tid");
			while (*p && *p != '.' && p < end)
				p++;
			if (*p == '.')
				l.target = signed_number(++p);
		} else if (starts_with(p, "ClockID: ")) {
			// The last line of a record.
			p += 9;
			l.clock = signed_number(p);
			own_listed = own_listed || (own >= 0 && l.id == own);
			if (l.id >= 0 && l.id != own) {
				if (*count == image::max_posix_timers) {
					msg.str("more than ")
						.udec(image::max_posix_timers)
						.str(" POSIX timers");
					return -E2BIG;
				}
				if (read_timer(l, out[*count]))
					(*count)++;
			}
		}
		p = *end ? end + 1 : end;
	}
	// Under qemu-user the list holds the host's ids: the runtime's own
	// timer, not listed under its id, is then the one unknown one.
	const bool only_own = unknown_count == 1 && own >= 0 && !own_listed;
	for (int i = 0; i < unknown_count && !only_own; i++)
		warn_timer(unknown_ids[i], "timer_gettime", unknown_errs[i]);
	// The kernel lists them newest first: by id for the image.
	for (uint32_t i = 1; i < *count; i++)
		for (uint32_t k = i; k > 0 && out[k - 1].id > out[k].id; k--) {
			image::posix_timer t = out[k];
			out[k] = out[k - 1];
			out[k - 1] = t;
		}
	return 0;
}

} // namespace

namespace {

// "/proc/self/fdinfo/N"
void fdinfo_path(char *buf, size_t cap, int fd)
{
	text t(buf, cap);
	t.str("/proc/self/fdinfo/").dec(fd);
}

// The value after "name" at the start of a line of fdinfo (decimal, or
// hex); false if there is no such line.
bool fdinfo_field(const char *info, const char *name, uint64_t *v,
		  bool hex = false)
{
	for (const char *p = info; *p;) {
		if (starts_with(p, name)) {
			p += str_len(name);
			while (*p == ' ' || *p == '\t')
				p++;
			// "settime flags: 01" is octal; 0 and 1 bits only.
			*v = number(p, hex);
			return true;
		}
		const char *end = line_end(p);
		p = *end ? end + 1 : end;
	}
	return false;
}

void warn_fd(int fd, const char *what, long err)
{
	warn_lost("fd", fd, what, err);
}

} // namespace

uint32_t anon_kind(const char *link)
{
	if (str_eq(link, "anon_inode:[timerfd]"))
		return image::fd_timerfd;
	if (str_eq(link, "anon_inode:[signalfd]"))
		return image::fd_signalfd;
	return image::fd_anon;
}

void save_timer_fds(const image::fd_entry *fds, uint32_t fd_count,
		    image::timerfd_entry *timerfds, uint32_t *timerfd_count,
		    image::signalfd_entry *signalfds, uint32_t *signalfd_count)
{
	*timerfd_count = *signalfd_count = 0;
	for (uint32_t i = 0; i < fd_count; i++) {
		const image::fd_entry &e = fds[i];
		if (e.dup_of != -1 || (e.kind != image::fd_timerfd &&
				       e.kind != image::fd_signalfd))
			continue;
		char path[48];
		fdinfo_path(path, sizeof path, e.fd);
		long n = read_file(path, status_text, sizeof status_text);
		if (n < 0) {
			warn_fd(e.fd, "cannot read its fdinfo", n);
			continue;
		}
		uint64_t v = 0;
		if (e.kind == image::fd_signalfd) {
			if (!fdinfo_field(status_text, "sigmask:", &v, true)) {
				warn_fd(e.fd, "no sigmask in its fdinfo", 0);
				continue;
			}
			signalfds[(*signalfd_count)++] = {i, 0, v};
			continue;
		}
		image::timerfd_entry t = {};
		t.fd_index = i;
		if (!fdinfo_field(status_text, "clockid:", &v)) {
			warn_fd(e.fd, "no clockid in its fdinfo", 0);
			continue;
		}
		t.clock = (int32_t)v;
		if (fdinfo_field(status_text, "ticks:", &v))
			t.ticks = v;
		// Octal in fdinfo: TFD_TIMER_ABSTIME 1, CANCEL_ON_SET 2 read
		// the same in decimal.
		if (fdinfo_field(status_text, "settime flags:", &v))
			t.settime_flags = (uint32_t)v;
		long ret = sys::timerfd_gettime(e.fd, &t.time);
		if (ret < 0) {
			warn_fd(e.fd, "timerfd_gettime", ret);
			continue;
		}
		timerfds[(*timerfd_count)++] = t;
	}
}

long save_timers_and_signals(image::posix_timer *timers, uint32_t *timer_count,
			     image::pending_signal *signals,
			     uint32_t *signal_count, text &msg)
{
	long ret = save_timers(timers, timer_count, msg);
	return ret < 0 ? ret
		       : save_pending(signals, signal_count,
				      image::max_pending_signals, false, msg);
}

long save_own_signals(image::pending_signal *signals, uint32_t *count,
		      text &msg)
{
	return save_pending(signals, count, image::max_thread_signals, true,
			    msg);
}

void thread_indices(image::posix_timer *timers, uint32_t *timer_count,
		    image::pending_signal *signals, uint32_t signal_count,
		    const image::thread_record *threads, uint32_t thread_count)
{
	for (uint32_t i = 0; i < signal_count; i++) {
		image::pending_signal &p = signals[i];
		if (p.scope != image::pending_thread)
			continue;
		uint32_t k = 0;
		while (k < thread_count && threads[k].tid != p.thread)
			k++;
		// Each came from a thread of the table.
		p.thread = k < thread_count ? k : 0;
	}
	uint32_t kept = 0;
	for (uint32_t i = 0; i < *timer_count; i++) {
		image::posix_timer t = timers[i];
		if (t.notify == image::notify_thread) {
			uint32_t k = 0;
			while (k < thread_count && threads[k].tid != t.thread)
				k++;
			if (k == thread_count) {
				warn_timer(t.id, "its thread is not in the image",
					   0);
				continue;
			}
			t.thread = k;
		}
		timers[kept++] = t;
	}
	*timer_count = kept;
}

} // namespace ckpt
