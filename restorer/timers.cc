// POSIX timers and pending signals (README "Timers and signals"): made
// again before the point of no return, with the ids the app knows; the
// timers armed just before the jump.
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/signal.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/str.h"

namespace restorer {

namespace {

// prctl(PR_TIMER_CREATE_RESTORE_IDS) (Linux 6.15+): while on, timer_create
// takes the id at its third argument as the one to give (EBUSY if taken).
constexpr int pr_timer_create_restore_ids = 77;
constexpr int sigev_signal = 0, sigev_none = 1, sigev_thread_id = 4;
// Placeholders, on kernels without it: a new process's ids count up
// from 0, so the ones below each wanted id are taken and dropped again.
constexpr uint32_t max_placeholders = 4096;
int placeholders[max_placeholders];
uint32_t placeholder_count;

ckpt::text &timer_message(ckpt::text &t, const image::posix_timer &p)
{
	return message(t).str("POSIX timer ").dec(p.id).str(": ");
}

// The timer's sigevent here: a thread-directed one goes to its thread,
// which, for the group leader, is this one.
bool sigevent_of(const image::posix_timer &p, sys::sigevent *sev)
{
	*sev = {};
	sev->value = p.value;
	sev->signo = (int32_t)p.signo;
	sev->notify = p.notify == image::notify_none ? sigev_none
						     : sigev_signal;
	if (p.notify == image::notify_thread) {
		if (p.thread != 0)
			return false;
		sev->notify = sigev_signal | sigev_thread_id;
		sev->thread_id = (int32_t)sys::gettid();
	}
	return true;
}

bool create_timer(const image::posix_timer &p, bool restore_ids,
		  ckpt::text &err)
{
	sys::sigevent sev;
	if (!sigevent_of(p, &sev)) {
		char buf[256];
		ckpt::text t(buf, sizeof buf);
		timer_message(t, p).str("it signals thread ").udec(p.thread)
			.str(", not the group leader: it will not come back\n");
		warn(t);
		return true;
	}
	int id = p.id;
	long ret = 0;
	if (restore_ids) {
		ret = sys::timer_create(p.clock, &sev, &id);
	} else {
		// Without the prctl: take ids in order up to the wanted one.
		for (;;) {
			ret = sys::timer_create(p.clock, &sev, &id);
			if (ret < 0 || id >= p.id)
				break;
			if (placeholder_count == max_placeholders) {
				ret = -EBUSY;
				break;
			}
			placeholders[placeholder_count++] = id;
		}
		if (ret == 0 && id != p.id) {
			sys::timer_delete(id);
			ret = -EBUSY;
		}
	}
	if (ret < 0) {
		timer_message(err, p).str("cannot be created again with its id");
		err.str(" (clock ").dec(p.clock).str("): ").errno_name(ret)
			.ch('\n');
		return false;
	}
	return true;
}

bool create_timers(ckpt::text &err)
{
	const image::tables &tb = g.tables;
	if (!tb.timer_count)
		return true;
	bool restore_ids = sys::prctl(pr_timer_create_restore_ids, 1) == 0;
	bool ok = true;
	for (uint32_t i = 0; ok && i < tb.timer_count; i++)
		ok = create_timer(tb.timers[i], restore_ids, err);
	if (restore_ids)
		sys::prctl(pr_timer_create_restore_ids, 0);
	for (uint32_t i = 0; i < placeholder_count; i++)
		sys::timer_delete(placeholders[i]);
	placeholder_count = 0;
	return ok;
}

// Queued now, blocked as everything is until the app's mask is back: they
// wait for it as they waited in the original. The group leader's own go
// to this thread (which becomes it); another thread's, its restored
// thread queues (queue_thread_signals()).
bool queue_signals(ckpt::text &err)
{
	const image::tables &tb = g.tables;
	const long pid = sys::getpid();
	for (uint32_t i = 0; i < tb.signal_count; i++) {
		const image::pending_signal &p = tb.signals[i];
		long ret;
		if (p.scope == image::pending_thread && p.thread != 0)
			continue;
		if (p.scope == image::pending_thread)
			ret = sys::rt_tgsigqueueinfo((int)pid, (int)pid,
						     (int)p.signo, &p.info);
		else
			ret = sys::rt_sigqueueinfo((int)pid, (int)p.signo,
						   &p.info);
		if (ret < 0) {
			message(err).str("pending signal ").udec(p.signo)
				.str(" (entry ").udec(i)
				.str("): cannot be queued again: ")
				.errno_name(ret).ch('\n');
			return false;
		}
	}
	return true;
}

// seconds.nanoseconds
ckpt::text &seconds(ckpt::text &t, const sys::timespec &v)
{
	t.dec(v.sec).ch('.');
	for (int64_t div = 100000000; div; div /= 10)
		t.ch((char)('0' + v.nsec / div % 10));
	return t;
}

} // namespace

bool prepare_timers_and_signals(ckpt::text &err)
{
	return create_timers(err) && queue_signals(err);
}

void queue_thread_signals(const image::thread_record &th)
{
	const image::tables &tb = g.tables;
	const uint32_t index = (uint32_t)(&th - tb.threads);
	if (index == 0)
		return; // the group leader's: queued with the process's
	// From the thread itself: only to its own tid may a signal carry the
	// si_code it had (a kill()'s 0, say).
	const long pid = sys::getpid(), tid = sys::gettid();
	for (uint32_t i = 0; i < tb.signal_count; i++) {
		const image::pending_signal &p = tb.signals[i];
		if (p.scope != image::pending_thread || p.thread != index)
			continue;
		long ret = sys::rt_tgsigqueueinfo((int)pid, (int)tid,
						  (int)p.signo, &p.info);
		if (ret < 0) {
			char buf[256];
			ckpt::text t(buf, sizeof buf);
			die(message(t).str("pending signal ").udec(p.signo)
				    .str(" of thread ").udec(th.tid)
				    .str(": cannot be queued again: ")
				    .errno_name(ret).ch('\n'));
		}
	}
}

void arm_timers()
{
	const image::tables &tb = g.tables;
	for (uint32_t i = 0; i < tb.timer_count; i++) {
		const image::posix_timer &p = tb.timers[i];
		if (!p.time.value.sec && !p.time.value.nsec)
			continue; // disarmed, as created
		if (p.notify == image::notify_thread && p.thread != 0)
			continue; // not created (warned)
		long ret = sys::timer_settime(p.id, &p.time);
		if (ret < 0) {
			char buf[256];
			ckpt::text t(buf, sizeof buf);
			timer_message(t, p).str("timer_settime: ")
				.errno_name(ret).ch('\n');
			die(t);
		}
	}
}

namespace {

const image::timerfd_entry *timerfd_of(uint32_t i)
{
	for (uint32_t k = 0; k < g.tables.timerfd_count; k++)
		if (g.tables.timerfds[k].fd_index == i)
			return &g.tables.timerfds[k];
	return nullptr;
}

const image::signalfd_entry *signalfd_of(uint32_t i)
{
	for (uint32_t k = 0; k < g.tables.signalfd_count; k++)
		if (g.tables.signalfds[k].fd_index == i)
			return &g.tables.signalfds[k];
	return nullptr;
}

// TFD_IOC_SET_TICKS, _IOW('T', 0, u64): the expirations a read returns
// (CONFIG_CHECKPOINT_RESTORE).
constexpr unsigned long tfd_ioc_set_ticks = 0x40085400;

// A new timerfd with e's state: armed relative to now with the time it
// had left (an absolute one is armed for the same instant, but no longer
// cancelled on a clock change), its unread expirations given back.
long make_timerfd(const image::timerfd_entry &t, int nonblock,
		  const char **what)
{
	*what = "timerfd_create";
	long fd = sys::timerfd_create(t.clock, nonblock | O_CLOEXEC);
	if (fd < 0)
		return fd;
	long ret = 0;
	if (t.time.value.sec || t.time.value.nsec) {
		*what = "timerfd_settime";
		ret = sys::timerfd_settime((int)fd, 0, &t.time);
	}
	if (ret == 0 && t.ticks) {
		*what = "TFD_IOC_SET_TICKS";
		ret = sys::ioctl((int)fd, tfd_ioc_set_ticks,
				 (uint64_t)&t.ticks);
		// Without it (qemu-user: ENOSYS), a disarmed timer that
		// expired once is a one-shot of 1 ns; others lose them.
		const bool disarmed = !t.time.value.sec && !t.time.value.nsec;
		if (ret < 0 && disarmed && t.ticks == 1) {
			const sys::itimerspec now = {{0, 0}, {0, 1}};
			*what = "timerfd_settime";
			ret = sys::timerfd_settime((int)fd, 0, &now);
		} else if (ret < 0) {
			char buf[256];
			ckpt::text w(buf, sizeof buf);
			warn(message(w).str("a timerfd's ").udec(t.ticks)
				     .str(" unread expirations are lost: "
					  "TFD_IOC_SET_TICKS: ")
				     .errno_name(ret).ch('\n'));
			ret = 0;
		}
	}
	if (ret < 0) {
		sys::close((int)fd);
		return ret;
	}
	return fd;
}

} // namespace

bool recreate_fd(uint32_t i, int base, int32_t *temp, ckpt::text &err)
{
	const image::fd_entry &e = g.tables.fds[i];
	const int nonblock = e.open_flags & O_NONBLOCK;
	const char *what = "signalfd4";
	long fd = 0;
	bool saved;
	*temp = -1;
	if (e.kind == image::fd_timerfd) {
		const image::timerfd_entry *t = timerfd_of(i);
		if ((saved = t))
			fd = make_timerfd(*t, nonblock, &what);
	} else {
		const image::signalfd_entry *s = signalfd_of(i);
		if ((saved = s))
			fd = sys::signalfd4(-1, &s->mask, nonblock | O_CLOEXEC);
	}
	auto named = [&](ckpt::text &t) -> ckpt::text & {
		return message(t).str("fd ").dec(e.fd).str(" (")
			.str(g.tables.strings + e.name).str(")");
	};
	if (!saved) { // the checkpoint warned
		char buf[512];
		ckpt::text t(buf, sizeof buf);
		warn(named(t).str(" is not restored: its state was not "
				  "saved\n"));
		return true;
	}
	if (fd < 0) {
		named(err).str(": cannot make it again: ").str(what).str(": ")
			.errno_name(fd).ch('\n');
		return false;
	}
	long up = fd >= base ? fd : sys::fcntl((int)fd, F_DUPFD_CLOEXEC, base);
	if (up != fd)
		sys::close((int)fd);
	if (up < 0) {
		named(err).str(": cannot move it up (fcntl): ").errno_name(up)
			.ch('\n');
		return false;
	}
	*temp = (int32_t)up;
	return true;
}

void recreated_fd_info(ckpt::text &t, uint32_t i)
{
	if (const image::timerfd_entry *e = timerfd_of(i)) {
		t.str(" clock ").dec(e->clock);
		if (!e->time.value.sec && !e->time.value.nsec)
			t.str(" disarmed");
		else
			seconds(seconds(t.ch(' '), e->time.value)
					.str(" s left, interval "),
				e->time.interval).str(" s");
		if (e->ticks)
			t.str(" ticks ").udec(e->ticks);
		if (e->settime_flags & 1)
			t.str(" abstime");
	}
	if (const image::signalfd_entry *e = signalfd_of(i))
		t.str(" mask 0x").hex(e->mask);
}

void print_timer_info()
{
	const image::tables &tb = g.tables;
	char buf[256];
	for (uint32_t i = 0; i < tb.timer_count; i++) {
		const image::posix_timer &p = tb.timers[i];
		ckpt::text t(buf, sizeof buf);
		t.str("posix timer ").dec(p.id).str(": clock ").dec(p.clock)
			.str(", signal ").udec(p.signo).str(", value 0x")
			.hex(p.value).str(", notify ");
		if (p.notify == image::notify_none)
			t.str("none");
		else if (p.notify == image::notify_thread)
			t.str("thread ").udec(p.thread);
		else
			t.str("process");
		if (!p.time.value.sec && !p.time.value.nsec) {
			t.str(", disarmed");
		} else {
			seconds(t.str(", "), p.time.value).str(" s left");
			seconds(t.str(", interval "), p.time.interval).str(" s");
		}
		if (p.overrun)
			t.str(", overrun ").dec(p.overrun);
		ckpt::print_out(t.ch('\n'));
	}
	for (uint32_t i = 0; i < tb.signal_count; i++) {
		const image::pending_signal &p = tb.signals[i];
		ckpt::text t(buf, sizeof buf);
		t.str("pending signal ").udec(p.signo);
		if (p.scope == image::pending_thread)
			t.str(" (thread ").udec(p.thread).ch(')');
		else
			t.str(" (process)");
		t.str(": code ").dec(p.info.code);
		// Negative codes come from sigqueue() and the like, which
		// carry a value; SI_TIMER (-2) and SI_MESGQ (-3) too.
		if (p.info.code < 0)
			t.str(", value 0x").hex(p.info.value);
		if (p.info.pid)
			t.str(", from pid ").dec(p.info.pid);
		ckpt::print_out(t.ch('\n'));
	}
}

} // namespace restorer
