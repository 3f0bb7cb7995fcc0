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

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/mman.h>

#include "arch/sys.h"
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
// description of it (no dup); not a file of /proc or /sys, which hold no
// data of their own to put back.
bool writable_file(const image::fd_entry &e, const char *strings)
{
	const char *name = strings + e.name;
	return e.kind == image::fd_file && e.dup_of == -1 &&
	       !starts_with(name, "/proc/") && !starts_with(name, "/sys/") &&
	       !(e.flags & (image::fd_lost | image::fd_deleted)) &&
	       !(e.open_flags & O_PATH) &&
	       (e.open_flags & O_ACCMODE) != O_RDONLY;
}

// Whether entry i is the first writable open of its file (by inode).
bool first_of_file(const image::fd_entry *fds, uint32_t i,
		   const char *strings)
{
	for (uint32_t k = 0; k < i; k++) {
		if (writable_file(fds[k], strings) && fds[k].dev == fds[i].dev &&
		    fds[k].ino == fds[i].ino)
			return false;
	}
	return true;
}

uint32_t policy_of(const image::fd_entry *fds, uint32_t i,
		   const char *strings)
{
	if (!config.files[0] || !writable_file(fds[i], strings) ||
	    !first_of_file(fds, i, strings))
		return image::policy_keep;
	return file_policy_for(strings + fds[i].name);
}

char dir_buf[4096];

// The directory of path (which starts with '/'), into dir_buf.
const char *dir_of(const char *path)
{
	size_t n = str_len(path), slash = n;
	while (slash && path[slash - 1] != '/')
		slash--;
	if (slash <= 1 || slash > sizeof dir_buf)
		return "/";
	memcpy(dir_buf, path, slash - 1);
	dir_buf[slash - 1] = 0;
	return dir_buf;
}

// Copies [off, off + len) of in to the same place in out: by
// copy_file_range() (in the kernel, a reflink where the file system has
// them), else through buf. 0 or -errno.
long copy_range(int in, int out, uint64_t off, uint64_t len, char *buf,
		size_t buf_size)
{
	int64_t from = (int64_t)off, to = (int64_t)off;
	while (len) {
		long n = sys::copy_file_range(in, &from, out, &to, len);
		if (n == -EINTR)
			continue;
		if (n == -ENOSYS || n == -EXDEV || n == -EINVAL ||
		    n == -EOPNOTSUPP)
			break;
		if (n <= 0)
			return n < 0 ? n : -ENODATA; // shorter now
		len -= n;
	}
	while (len) {
		size_t want = len < buf_size ? len : buf_size;
		long n = sys::pread(in, buf, want, (uint64_t)from);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? n : -ENODATA;
		for (long w = 0; w < n;) {
			long put = sys::pwrite(out, buf + w, (size_t)(n - w),
					       (uint64_t)(to + w));
			if (put == -EINTR)
				continue;
			if (put <= 0)
				return put < 0 ? put : -EIO;
			w += put;
		}
		from += n;
		to += n;
		len -= n;
	}
	return 0;
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

void freeze_snapshot(const image::fd_entry &e, const char *strings,
		     const image::file_content &c, const image::extent *x,
		     int32_t *src)
{
	constexpr size_t buf_size = 1 << 20;
	const char *path = strings + e.name;
	const char *what = "cannot make a file in its directory (O_TMPFILE)";
	long copy = sys::open(dir_of(path), O_TMPFILE | O_RDWR | O_CLOEXEC,
			      0600);
	long ret = copy;
	if (copy >= 0 && copy < 3) {
		// A forked writer closes 0 to 2.
		long up = sys::fcntl((int)copy, F_DUPFD_CLOEXEC, 3);
		sys::close((int)copy);
		ret = copy = up;
	}
	long buf = copy < 0 ? -ENOMEM
			    : sys::mmap(0, buf_size, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (copy >= 0 && sys::failed(buf)) {
		what = "cannot map a buffer";
		ret = buf;
	}
	if (copy >= 0 && !sys::failed(buf)) {
		what = "cannot copy it";
		ret = sys::ftruncate((int)copy, c.size);
		for (uint32_t k = 0; ret >= 0 && k < c.extent_count; k++)
			ret = copy_range(*src, (int)copy, x[k].offset,
					 x[k].length, (char *)buf, buf_size);
		sys::munmap((uint64_t)buf, buf_size);
	}
	if (ret >= 0) {
		sys::close(*src);
		*src = (int32_t)copy;
		return;
	}
	if (copy >= 0)
		sys::close((int)copy);
	char msg_buf[4096 + 256];
	text msg(msg_buf, sizeof msg_buf);
	msg.str("ckpt: fd ").dec(e.fd).str(" (").str(path)
		.str("): its snapshot is read while the app runs on (CKPT_FORK), "
		     "not copied at the checkpoint: ")
		.str(what).str(": ").errno_name(ret).ch('\n');
	print_err(msg);
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
