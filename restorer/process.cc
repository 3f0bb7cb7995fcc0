// Process attributes of the restored process: working directory, limits,
// umask, personality, interval timers.
#include <linux/errno.h>
#include <linux/resource.h>
#include <linux/time.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/str.h"

namespace restorer {

namespace {

// Arrays, not pointers: the restorer holds no absolute addresses.
constexpr char rlimit_names[image::rlimit_count][12] = {
	"CPU",	 "FSIZE", "DATA",	"STACK",    "CORE",  "RSS",
	"NPROC", "NOFILE", "MEMLOCK", "AS",	    "LOCKS", "SIGPENDING",
	"MSGQUEUE", "NICE", "RTPRIO", "RTTIME"};
constexpr char itimer_names[image::itimer_count][8] = {"REAL", "VIRTUAL",
						       "PROF"};
constexpr uint64_t infinity = ~0ull; // RLIM_INFINITY

// What restore_limits_and_timers() sets: the image's limits, or as close
// as this process may get.
sys::rlimit planned[image::rlimit_count];

ckpt::text &limit(ckpt::text &t, uint64_t v)
{
	return v == infinity ? t.str("unlimited") : t.udec(v);
}

// seconds.microseconds, from the kernel's timeval (tv_usec in nsec's
// place, see sys::itimerval).
ckpt::text &seconds(ckpt::text &t, const sys::timespec &v)
{
	t.dec(v.sec).ch('.');
	for (int64_t div = 100000; div; div /= 10)
		t.ch((char)('0' + v.nsec / div % 10));
	return t;
}

void plan_limits()
{
	const image::process_state &p = g.tables.process->process;
	for (int r = 0; r < image::rlimit_count; r++) {
		planned[r] = {};
		if (!(p.rlimits_known & (1u << r)))
			continue;
		sys::rlimit now;
		if (sys::prlimit(r, nullptr, &now) < 0)
			continue;
		long raised = 0;
		if (p.rlimits[r].max > now.max) {
			// Raising a hard limit takes CAP_SYS_RESOURCE: try it
			// now, keeping the soft one, to know.
			sys::rlimit raise = {now.cur, p.rlimits[r].max};
			raised = sys::prlimit(r, &raise, nullptr);
		}
		planned[r] = plan_limit(r, p.rlimits[r], now, raised);
	}
}

[[noreturn]] void died_in(const char *call, long ret)
{
	char buf[256];
	ckpt::text t(buf, sizeof buf);
	die(message(t).str(call).str(": ").errno_name(ret).ch('\n'));
}

} // namespace

sys::rlimit plan_limit(int r, sys::rlimit want, const sys::rlimit &now,
		       long raised)
{
	if (want.cur > want.max)
		want.cur = want.max;
	if (want.max > now.max && raised < 0) {
		char buf[256];
		ckpt::text t(buf, sizeof buf);
		message(t).str("RLIMIT_").str(rlimit_names[r])
			.str(": the hard limit stays ");
		limit(t, now.max).str(", not ");
		limit(t, want.max).str(": ").errno_name(raised).ch('\n');
		warn(t);
		want.max = now.max;
		if (want.cur > want.max)
			want.cur = want.max;
	}
	return want;
}

bool prepare_process(ckpt::text &err)
{
	const image::process_state &p = g.tables.process->process;
	char buf[4096 + 256];
	ckpt::text t(buf, sizeof buf);
	if (!p.cwd) {
		message(t).str("the working directory was unknown at the "
			       "checkpoint (deleted, or outside the root)");
		if (!g.opts.allow_missing_files) {
			err.str(t.c_str()).str(" (--allow-missing-files "
					       "restores in the current one)\n");
			return false;
		}
		warn(t.str("; the process starts in the restorer's\n"));
	} else if (long ret = sys::chdir(g.tables.strings + p.cwd); ret < 0) {
		message(t).str("working directory ")
			.str(g.tables.strings + p.cwd).str(": ")
			.errno_name(ret);
		if (!g.opts.allow_missing_files) {
			err.str(t.c_str()).str(" (--allow-missing-files "
					       "restores in the current one)\n");
			return false;
		}
		warn(t.str("; the process starts in the restorer's\n"));
	}
	plan_limits();
	return true;
}

void restore_process()
{
	const image::process_state &p = g.tables.process->process;
	if (p.flags & image::process_umask)
		sys::umask(p.umask);
	if (p.flags & image::process_personality)
		sys::personality(p.personality);
}

void restore_limits_and_timers()
{
	const image::process_state &p = g.tables.process->process;
	// prepare_files() changed the soft RLIMIT_NOFILE: the image's, set
	// below, or else the caller's comes back.
	if (!(p.rlimits_known & (1u << RLIMIT_NOFILE)) && caller_nofile.max)
		sys::prlimit(RLIMIT_NOFILE, &caller_nofile, nullptr);
	for (int r = 0; r < image::rlimit_count; r++) {
		if (!(p.rlimits_known & (1u << r)))
			continue;
		long ret = sys::prlimit(r, &planned[r], nullptr);
		if (ret < 0) {
			char buf[256];
			ckpt::text t(buf, sizeof buf);
			warn(message(t).str("cannot set RLIMIT_")
				     .str(rlimit_names[r]).str(": ")
				     .errno_name(ret).ch('\n'));
		}
	}
	// Disarmed ones too: a restorer's itimers survive its exec. The
	// values were checked with the image (check_tables).
	for (int i = 0; i < image::itimer_count; i++) {
		if (long ret = sys::setitimer(i, &p.itimers[i], nullptr); ret < 0)
			died_in("setitimer", ret);
	}
}

void print_process_info()
{
	const image::process_state &p = g.tables.process->process;
	char buf[4096 + 256];
	auto out = [&](ckpt::text &t) { ckpt::print_out(t.ch('\n')); };
	{
		ckpt::text t(buf, sizeof buf);
		out(t.str("cwd: ").str(p.cwd ? g.tables.strings + p.cwd
					     : "unknown"));
	}
	if (p.flags & image::process_umask) {
		ckpt::text t(buf, sizeof buf);
		t.str("umask: 0");
		for (int shift = 6; shift >= 0; shift -= 3)
			t.ch((char)('0' + ((p.umask >> shift) & 7)));
		out(t);
	}
	if (p.flags & image::process_personality) {
		ckpt::text t(buf, sizeof buf);
		out(t.str("personality: 0x").hex(p.personality));
	}
	for (int r = 0; r < image::rlimit_count; r++) {
		if (!(p.rlimits_known & (1u << r)))
			continue;
		ckpt::text t(buf, sizeof buf);
		t.str("rlimit ").str(rlimit_names[r]).str(": ");
		limit(t, p.rlimits[r].cur).ch(' ');
		out(limit(t, p.rlimits[r].max));
	}
	for (int i = 0; i < image::itimer_count; i++) {
		const sys::itimerval &v = p.itimers[i];
		if (!v.value.sec && !v.value.nsec)
			continue;
		ckpt::text t(buf, sizeof buf);
		t.str("itimer ").str(itimer_names[i]).str(": ");
		seconds(t, v.value).str(" s, interval ");
		out(seconds(t, v.interval).str(" s"));
	}
	print_timer_info();
	print_fd_info();
}

} // namespace restorer
