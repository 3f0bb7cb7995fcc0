// Signal names as CKPT_SIGNAL and `ckpt --signal` take them, read alike by
// the runtime (freestanding) and the ckpt command (libc): header only, no
// library calls. The includer brings the SIG* numbers (<signal.h> or
// <linux/signal.h>; the two agree).
#ifndef CKPT_SIGNAL_NAMES_H
#define CKPT_SIGNAL_NAMES_H

namespace ckpt {

namespace signal_names_detail {

inline bool same(const char *a, const char *b, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		if (a[i] != b[i] || !a[i])
			return false;
	}
	return true;
}

// All of s[0, len) as a decimal below 1000; -1 otherwise.
inline int small_number(const char *s, unsigned long len)
{
	int n = 0;
	if (!len || len > 3)
		return -1;
	for (unsigned long i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return n;
}

} // namespace signal_names_detail

// "12", "USR2", "SIGUSR2", "RTMIN+3" (glibc's SIGRTMIN is 34): the signal
// number; 0 if s[0, len) is none of these.
inline int signal_number(const char *s, unsigned long len)
{
	using namespace signal_names_detail;
	static constexpr struct {
		const char *name;
		int number;
	} names[] = {
		{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},
		{"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"ALRM", SIGALRM},
		{"TERM", SIGTERM}, {"CONT", SIGCONT}, {"TSTP", SIGTSTP},
		{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},
		{"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
		{"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"PWR", SIGPWR},
	};
	int n = small_number(s, len);
	if (n >= 0)
		return n >= 1 && n <= 64 ? n : 0;
	if (len > 3 && same(s, "SIG", 3))
		s += 3, len -= 3;
	if (len > 6 && same(s, "RTMIN+", 6)) {
		n = small_number(s + 6, len - 6);
		return n >= 0 && n <= 30 ? 34 + n : 0;
	}
	for (const auto &sn : names) {
		unsigned long k = 0;
		while (sn.name[k])
			k++;
		if (k == len && same(sn.name, s, len))
			return sn.number;
	}
	return 0;
}

} // namespace ckpt

#endif
