// Start-up: read the settings from the environment and install the
// checkpoint signal handler, so an unmodified app only has to link
// runtime.o.
#include <linux/errno.h>
#include <linux/signal.h>
#include <linux/time.h>

#include "runtime/ckpt.h"
#include "runtime/crc32c.h"
#include "runtime/fmt.h"
#include "runtime/io.h"
#include "runtime/runtime.h"
#include "runtime/signal_names.h"
#include "runtime/str.h"
#include "runtime/written.h"

extern "C" void ckpt_arch_sigreturn();

namespace ckpt {

settings config;

namespace {

void warn(const char *what, const char *value, size_t len)
{
	char buf[512];
	text msg(buf, sizeof buf);
	msg.str("ckpt: ").str(what).str(": ").str(value, len).ch('\n');
	print_err(msg);
}

// argv[0]'s last component + ".ckpt".
void default_image_path()
{
	char cmdline[4096];
	long n = read_file("/proc/self/cmdline", cmdline, sizeof cmdline);
	const char *name = "app";
	if (n > 0 && cmdline[0]) {
		name = cmdline;
		for (const char *p = cmdline; *p; p++) {
			if (*p == '/' && p[1])
				name = p + 1;
		}
	}
	text path(config.image_path, sizeof config.image_path);
	path.str(name).str(".ckpt");
}

// "2", "0.5", "0.001": seconds, to at most 9 decimals, above 0 and below
// 2^31, in nanoseconds.
bool parse_seconds(const char *s, size_t len, uint64_t *ns)
{
	const char *dot = s;
	while (dot < s + len && *dot != '.')
		dot++;
	uint64_t whole = 0, frac = 0;
	size_t whole_len = dot - s, frac_len = dot < s + len ? len - whole_len - 1 : 0;
	if (whole_len && !parse_u64(s, whole_len, &whole))
		return false;
	if (dot < s + len && (!frac_len || frac_len > 9 ||
			      !parse_u64(dot + 1, frac_len, &frac)))
		return false;
	if (!whole_len && !frac_len)
		return false;
	for (size_t i = frac_len; i < 9; i++)
		frac *= 10;
	if (whole >= (1u << 31) || (!whole && !frac))
		return false;
	*ns = whole * 1000000000ull + frac;
	return true;
}

// A byte count, with an optional K, M or G (powers of 1024).
bool parse_size(const char *s, size_t len, uint64_t *bytes)
{
	int shift = 0;
	if (len && (s[len - 1] == 'K' || s[len - 1] == 'M' ||
		    s[len - 1] == 'G')) {
		shift = s[len - 1] == 'K' ? 10 : s[len - 1] == 'M' ? 20 : 30;
		len--;
	}
	uint64_t n;
	if (!len || !parse_u64(s, len, &n) || n > (~0ull >> shift))
		return false;
	*bytes = n << shift;
	return true;
}

// One NAME=value string of the environment.
void apply_setting(const char *var, size_t len)
{
	const char *eq = var;
	while (eq < var + len && *eq != '=')
		eq++;
	if (eq == var + len)
		return;
	const char *value = eq + 1;
	size_t value_len = var + len - value;
	size_t key_len = eq - var;
	auto is = [&](const char *key) {
		return str_len(key) == key_len && memcmp(key, var, key_len) == 0;
	};
	if (is("CKPT_IMAGE") && value_len) {
		if (!str_copy(config.image_path, sizeof config.image_path, value))
			warn("CKPT_IMAGE is too long", value, 64);
	} else if (is("CKPT_SIGNAL")) {
		int sig = signal_number(value, value_len);
		if (sig && sig != SIGKILL && sig != SIGSTOP)
			config.signal = sig;
		else
			warn("CKPT_SIGNAL is not a usable signal", value,
			     value_len);
	} else if (is("CKPT_SYNC")) {
		config.sync = value_len == 1 && value[0] == '1';
	} else if (is("CKPT_FORK")) {
		config.fork = value_len == 1 && value[0] == '1';
	} else if (is("CKPT_CHILDREN")) {
		config.children = value_len == 1 && value[0] == '1';
	} else if (is("CKPT_INTERVAL")) {
		uint64_t ns;
		if (parse_seconds(value, value_len, &ns))
			config.interval_ns = ns;
		else
			warn("CKPT_INTERVAL is not a number of seconds", value,
			     value_len);
	} else if (is("CKPT_INCREMENTAL")) {
		config.incremental = value_len == 1 && value[0] == '1';
	} else if (is("CKPT_FULL_EVERY")) {
		uint64_t k;
		if (parse_u64(value, value_len, &k) && k < image::max_chain)
			config.full_every = (uint32_t)k;
		else
			warn("CKPT_FULL_EVERY is not a count from 0 to 255",
			     value, value_len);
	} else if (is("CKPT_MAX_FILE_CONTENTS")) {
		if (!parse_size(value, value_len, &config.max_file_contents))
			warn("CKPT_MAX_FILE_CONTENTS is not a size (bytes, or "
			     "with K, M or G)", value, value_len);
	} else if (is("CKPT_FILES")) {
		if (value_len >= sizeof config.files ||
		    !valid_file_rules(value, value_len))
			warn("CKPT_FILES is not a list of keep, truncate or "
			     "snapshot[:PATTERN] (files are kept as they are)",
			     value, value_len);
		else
			str_copy(config.files, sizeof config.files, value);
	}
}

// /proc/self/environ is as large as the app's environment (up to a
// quarter of the stack limit): read it in chunks and gather one string at
// a time. A string too long for var is no setting of ours (CKPT_IMAGE is
// at most 4095 bytes); a CKPT_ one says so.
void read_environment()
{
	long fd = sys::open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char chunk[4096]; // on the stack: no trace in the image
	char var[sizeof config.image_path + 64];
	size_t len = 0;
	bool too_long = false;
	for (;;) {
		long n = sys::read((int)fd, chunk, sizeof chunk);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		for (long i = 0; i < n; i++) {
			if (chunk[i]) {
				if (len < sizeof var - 1)
					var[len++] = chunk[i];
				else
					too_long = true;
				continue;
			}
			var[len] = 0;
			if (too_long && starts_with(var, "CKPT_"))
				warn("setting too long, ignored", var, 64);
			else if (!too_long)
				apply_setting(var, len);
			len = 0;
			too_long = false;
		}
	}
	sys::close((int)fd);
}

void arm_interval_timer();

// Out of line: its buffer stays off the stack the signal landed on.
__attribute__((noinline)) void report_busy()
{
	char buf[4200];
	text msg(buf, sizeof buf);
	msg.str("ckpt: checkpoint signal ignored: a checkpoint is under way; ")
		.str(config.image_path).str(" is not written again\n");
	print_err(msg);
}

void on_signal(int sig, void *info, void *frame)
{
	// Another thread's checkpoint stopping this one.
	if (is_stop_request(info)) {
		stop_for_checkpoint(frame);
		return;
	}
	// The app's own use of the signal (interpose.cc).
	if (app_takes(info)) {
		pass_to_app(sig, info, frame);
		return;
	}
	// checkpoint() reports failures on stderr itself, but for this one:
	// another thread's checkpoint is under way (this thread's own cannot
	// be: it runs with every signal blocked, and a request that arrives
	// then is taken when it ends). While that one is stopping the
	// threads, this thread stops too, and then takes this request.
	long ret;
	while ((ret = checkpoint(config.image_path, frame)) == -EBUSY) {
		stop_result r = stop_for_checkpoint(frame);
		if (r == stop_result::restored)
			return;
		if (r == stop_result::none) {
			report_busy();
			break;
		}
	}
	// The next periodic checkpoint counts from the end of this one (in a
	// restored process too, whose new timer is armed already: no harm).
	arm_interval_timer();
}

void init_crc32c()
{
	uint64_t auxv[image::max_auxv_words];
	long n = read_file("/proc/self/auxv", (char *)auxv, sizeof auxv);
	if (n > 0)
		crc32c_init(auxv);
}

} // namespace

namespace {

int interval_timer = -1;

void interval_failed(const char *what, long err)
{
	char buf[256];
	text msg(buf, sizeof buf);
	msg.str("ckpt: cannot ").str(what).str(" the CKPT_INTERVAL timer: ")
		.errno_name(err).ch('\n');
	print_err(msg);
}

// One-shot, armed again when a checkpoint ends: a periodic timer would
// fire during a checkpoint longer than the interval, and its pending
// signal would start the next one at once, for ever, with the app never
// running in between.
void arm_interval_timer()
{
	if (interval_timer < 0)
		return;
	sys::itimerspec once = {};
	once.value.sec = config.interval_ns / 1000000000;
	once.value.nsec = config.interval_ns % 1000000000;
	long ret = sys::timer_settime(interval_timer, &once);
	if (ret < 0)
		interval_failed("arm", ret);
}

} // namespace

// A POSIX timer of its own, which sends the checkpoint signal: the app's
// alarm(), itimers and other timers are untouched. Timers do not survive
// a restore, so a restored process creates it again.
void start_interval_timer()
{
	interval_timer = -1;
	if (!config.interval_ns)
		return;
	sys::sigevent sev = {};
	sev.signo = config.signal;
	sev.value = CKPT_REQUEST; // a request, even if the app handles the signal
	sev.notify = SIGEV_SIGNAL;
	int id;
	long ret = sys::timer_create(CLOCK_MONOTONIC, &sev, &id);
	if (ret < 0) {
		interval_failed("create", ret);
		return;
	}
	interval_timer = id;
	arm_interval_timer();
}

long interval_timer_id()
{
	return interval_timer;
}

namespace {

__attribute__((constructor)) void init()
{
	config.signal = SIGUSR2;
	config.max_file_contents = 64ull << 20;
	config.full_every = 15;
	init_crc32c();
	default_image_path();
	read_environment();
	forget_preload(config.children);
	if (config.incremental && config.fork) {
		char buf[128];
		text msg(buf, sizeof buf);
		print_err(msg.str("ckpt: CKPT_INCREMENTAL is not supported "
				  "with CKPT_FORK: writing full images\n"));
	}

	sys::kernel_sigaction sa = {};
	sa.handler = (uint64_t)on_signal;
	// SA_RESTART: the app's interrupted system calls go on as if the
	// checkpoint never happened. SA_RESTORER: x86_64 has no other way
	// back from a handler.
	sa.flags = SA_SIGINFO | SA_RESTART | SA_RESTORER;
	sa.restorer = (uint64_t)ckpt_arch_sigreturn;
	// Every signal blocked while it runs: see checkpoint().
	sa.mask = ~0ull;
	long ret = sys::rt_sigaction(config.signal, &sa, nullptr);
	if (ret < 0) {
		char buf[256];
		text msg(buf, sizeof buf);
		msg.str("ckpt: cannot install the handler for signal ")
			.dec(config.signal).str(": ").errno_name(ret).ch('\n');
		print_err(msg);
		return;
	}
	take_signal();
	start_interval_timer();
}

} // namespace

} // namespace ckpt
