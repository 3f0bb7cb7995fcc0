// Files written after the checkpoint (CKPT_FILES): which policy each
// regular file the process has open for writing gets, and the entries
// that tell the restorer.
//
// CKPT_FILES is a comma-separated list of rules, POLICY or POLICY:PATTERN,
// POLICY one of keep, truncate, snapshot; the first rule that matches a
// file's path decides (a bare POLICY matches every file), none: keep. A
// PATTERN is matched against the whole path as /proc/self/fd names it:
// '*' is any run of characters, '/' included ("*.log"), '?' one.
#include "runtime/written.h"

#include <linux/fcntl.h>

#include "runtime/runtime.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

struct rule {
	uint32_t policy;
	const char *pattern; // nullptr: every file
	size_t pattern_len;
};

bool word(const char *s, size_t n, const char *w)
{
	return n == str_len(w) && memcmp(s, w, n) == 0;
}

// The policy named s[0, n), or -1.
long policy_named(const char *s, size_t n)
{
	if (word(s, n, "keep"))
		return image::policy_keep;
	if (word(s, n, "truncate"))
		return image::policy_truncate;
	if (word(s, n, "snapshot"))
		return image::policy_snapshot;
	return -1;
}

// One rule, s[0, n); false if it is none.
bool parse_rule(const char *s, size_t n, rule *r)
{
	size_t colon = 0;
	while (colon < n && s[colon] != ':')
		colon++;
	long p = policy_named(s, colon);
	if (p < 0 || (colon < n && colon + 1 == n))
		return false;
	r->policy = (uint32_t)p;
	r->pattern = colon < n ? s + colon + 1 : nullptr;
	r->pattern_len = colon < n ? n - colon - 1 : 0;
	return true;
}

// Calls f(rule) for each rule of spec[0, len) until it returns true;
// false if a rule is malformed (then f has seen the ones before it).
template <typename F> bool for_each_rule(const char *spec, size_t len, F f)
{
	size_t at = 0;
	while (at < len) {
		size_t end = at;
		while (end < len && spec[end] != ',')
			end++;
		rule r;
		if (!parse_rule(spec + at, end - at, &r))
			return false;
		if (f(r))
			return true;
		at = end + 1;
	}
	return true;
}

// Whether s matches the glob pattern p[0, n): '*' any run (the last '*'
// seen takes one more character whenever what follows it fails), '?'
// any one character.
bool glob(const char *p, size_t n, const char *s)
{
	size_t pi = 0, star = ~(size_t)0;
	const char *retry = nullptr;
	while (*s) {
		if (pi < n && (p[pi] == '?' || p[pi] == *s)) {
			pi++;
			s++;
		} else if (pi < n && p[pi] == '*') {
			star = pi++;
			retry = s;
		} else if (retry) {
			pi = star + 1;
			s = ++retry;
		} else {
			return false;
		}
	}
	while (pi < n && p[pi] == '*')
		pi++;
	return pi == n;
}

// A file a policy applies to: a regular file that still has its path,
// its state read, open (not O_PATH) for writing, and the first open file
// description of it (no dup).
bool writable_file(const image::fd_entry &e)
{
	return e.kind == image::fd_file && e.dup_of == -1 &&
	       !(e.flags & (image::fd_lost | image::fd_deleted)) &&
	       !(e.open_flags & O_PATH) &&
	       (e.open_flags & O_ACCMODE) != O_RDONLY;
}

// Whether entry i is the first writable open of its file (by inode).
bool first_of_file(const image::fd_entry *fds, uint32_t i)
{
	for (uint32_t k = 0; k < i; k++) {
		if (writable_file(fds[k]) && fds[k].dev == fds[i].dev &&
		    fds[k].ino == fds[i].ino)
			return false;
	}
	return true;
}

uint32_t policy_of(const image::fd_entry *fds, uint32_t i,
		   const char *strings)
{
	if (!config.files[0] || !writable_file(fds[i]) ||
	    !first_of_file(fds, i))
		return image::policy_keep;
	return file_policy_for(strings + fds[i].name);
}

} // namespace

bool valid_file_rules(const char *spec, size_t len)
{
	return for_each_rule(spec, len, [](const rule &) { return false; });
}

uint32_t file_policy_for(const char *path)
{
	uint32_t policy = image::policy_keep;
	for_each_rule(config.files, str_len(config.files), [&](const rule &r) {
		if (r.pattern && !glob(r.pattern, r.pattern_len, path))
			return false;
		policy = r.policy;
		return true;
	});
	return policy;
}

bool snapshot_stored(const image::fd_entry *fds, uint32_t i,
		     const char *strings)
{
	return policy_of(fds, i, strings) == image::policy_snapshot;
}

uint32_t save_file_policies(const image::fd_entry *fds, uint32_t fd_count,
			    const char *strings, const content_table &contents,
			    image::file_policy *out)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < fd_count; i++) {
		const uint32_t policy = policy_of(fds, i, strings);
		if (policy == image::policy_keep)
			continue;
		image::file_policy &p = out[n++];
		p = {};
		p.fd_index = i;
		p.policy = policy;
		p.content = image::no_content;
		p.size = fds[i].size;
		for (uint32_t k = 0; k < contents.count; k++) {
			if (contents.items[k].fd_index == i)
				p.content = k;
		}
	}
	return n;
}

} // namespace ckpt
