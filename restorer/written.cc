// Files written after the checkpoint (CKPT_FILES, runtime/written.cc):
// each regular file with a truncate or snapshot policy is put back as it
// was at the checkpoint, the last thing before the point of no return.
//
// Writing the user's file is a side effect that a refused restore cannot
// take back, so it comes after every other check has passed, in two
// passes over all such files. The first changes nothing: each file is
// still the one the app had (its reopened descriptor's device and inode),
// opens for writing, a snapshot's stored bytes match their checksum, and
// the room it needs is reserved (fallocate FALLOC_FL_KEEP_SIZE, which
// leaves the size alone; a file system without it is not asked). The
// second truncates each file, and writes each snapshot into the file
// itself, the same inode: other links to it, its owner and permissions
// stay, and the restored process's descriptors of it are the app's. What
// can still fail then is the file system's own I/O; the restore is
// refused, saying the file is partly rewritten.
//
// The writes go through a descriptor of their own (O_WRONLY, through
// /proc/self/fd/N of the reopened one): an app's O_APPEND descriptor
// would append whatever offset pwrite() gives it (pwrite(2), BUGS).
#include <linux/errno.h>
#include <linux/falloc.h>
#include <linux/fs.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

char zeroes[64 << 10];
// Per file_policy: applied in the second pass (else warned, or the file
// is not restored at all).
bool apply[image::max_fds];

long policy_index(uint32_t fd_index)
{
	return image::by_fd_index(g.tables.file_policies,
				  g.tables.file_policy_count, fd_index);
}

const image::fd_entry &fd_of(const image::file_policy &p)
{
	return g.tables.fds[p.fd_index];
}

ckpt::text &file_message(ckpt::text &t, const image::file_policy &p)
{
	const image::fd_entry &e = fd_of(p);
	return message(t).str("fd ").dec(e.fd).str(" (")
		.str(g.tables.strings + e.name).str(")");
}

bool refuse(ckpt::text &err, const image::file_policy &p, const char *what,
	    long ret)
{
	file_message(err, p).str(": ").str(what);
	if (ret < 0)
		err.str(": ").errno_name(ret);
	err.ch('\n');
	return false;
}

void warn_skipped(const image::file_policy &p, const char *why)
{
	char buf[4096 + 256];
	ckpt::text t(buf, sizeof buf);
	file_message(t, p).str(": ").str(why);
	warn(t.str(p.policy == image::policy_snapshot
			   ? ": its snapshot is not written back\n"
			   : ": not truncated\n"));
}

// A descriptor for writing to the file fd holds, at a temporary number.
long open_writer(int fd)
{
	char proc[32];
	ckpt::text t(proc, sizeof proc);
	t.str("/proc/self/fd/").dec(fd);
	return move_up(sys::open(proc, O_WRONLY | O_CLOEXEC));
}

const image::extent *extents_of(uint32_t content)
{
	const image::extent *x = g.tables.extents;
	for (uint32_t k = 0; k < content; k++)
		x += g.tables.contents[k].extent_count;
	return x;
}

struct failure {
	const char *what;
	long err;
};

// Reads snapshot c's bytes from the image and checks them against their
// checksum; with out >= 0, writes each extent to its place in out too.
failure copy_snapshot(const image::file_content &c, const image::extent *x,
		      int out)
{
	const copy_result r = copy_content(c, x, out);
	switch (r.stage) {
	case copy_stage::done:
		break;
	case copy_stage::read:
		return {"cannot read its snapshot from the image", r.err};
	case copy_stage::cut_short:
		return {"its snapshot is cut short in the image", 0};
	case copy_stage::write:
		return {"cannot write its snapshot back (the file is partly "
			"rewritten)", r.err};
	case copy_stage::checksum:
		return {"its snapshot's checksum does not match (corrupt "
			"image)", 0};
	}
	return {nullptr, 0};
}

// Zeroes [from, to) of out, below its old size (past it the ftruncate()
// before made zeroes): a hole punched, or zeroes written where the file
// system cannot punch one.
long zero_range(int out, uint64_t from, uint64_t to, uint64_t old_size)
{
	if (to > old_size)
		to = old_size;
	if (from >= to)
		return 0;
	long ret = sys::fallocate(out, FALLOC_FL_PUNCH_HOLE |
					       FALLOC_FL_KEEP_SIZE,
				  from, to - from);
	if (ret != -EOPNOTSUPP && ret != -ENOSYS)
		return ret;
	while (from < to) {
		size_t n = to - from < sizeof zeroes ? to - from
						     : sizeof zeroes;
		long put = sys::pwrite(out, zeroes, n, from);
		if (put == -EINTR)
			continue;
		if (put <= 0)
			return put < 0 ? put : -EIO;
		from += put;
	}
	return 0;
}

// The first pass for policy p: true if it may go on (apply[] says
// whether p is applied); false with the message in err.
bool check_one(ckpt::text &err, uint32_t k)
{
	const image::file_policy &p = g.tables.file_policies[k];
	const image::fd_entry &e = fd_of(p);
	apply[k] = false;
	const int fd = fd_now(p.fd_index);
	if (fd < 0)
		return true; // not restored (--allow-missing-files): warned
	struct statx st = {};
	long ret = sys::statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_SIZE,
			      &st);
	if (ret < 0)
		return refuse(err, p, "cannot read its size (statx)", ret);
	const uint32_t dev = st.stx_dev_major << 20 |
			     (st.stx_dev_minor & 0xfffff);
	if (dev != e.dev || st.stx_ino != e.ino) {
		warn_skipped(p, "it is another file now "
				"(--allow-changed-files)");
		return true;
	}
	if (p.policy == image::policy_truncate && st.stx_size <= p.size) {
		if (st.stx_size < p.size) {
			char why[128];
			ckpt::text t(why, sizeof why);
			t.str("it is shorter than at the checkpoint (")
				.udec(st.stx_size).str(" bytes, was ")
				.udec(p.size).str(")");
			warn_skipped(p, t.c_str());
		}
		return true;
	}
	long w = open_writer(fd);
	if (w < 0)
		return refuse(err, p, "cannot open it for writing", w);
	failure f = {nullptr, 0};
	if (p.policy == image::policy_snapshot) {
		f = copy_snapshot(g.tables.contents[p.content],
				  extents_of(p.content), -1);
		ret = f.what || !p.size ? 0
					: sys::fallocate((int)w,
							 FALLOC_FL_KEEP_SIZE, 0,
							 p.size);
		if (!f.what && ret < 0 && ret != -EOPNOTSUPP &&
		    ret != -ENOSYS)
			f = {"no room for its snapshot (fallocate)", ret};
	}
	sys::close((int)w);
	if (f.what)
		return refuse(err, p, f.what, f.err);
	apply[k] = true;
	return true;
}

// The second pass for policy p, checked by check_one().
bool apply_one(ckpt::text &err, uint32_t k)
{
	const image::file_policy &p = g.tables.file_policies[k];
	const int fd = fd_now(p.fd_index);
	struct statx st = {};
	long ret = sys::statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &st);
	long w = ret < 0 ? ret : open_writer(fd);
	if (w < 0)
		return refuse(err, p, "cannot open it for writing", w);
	ret = sys::ftruncate((int)w, p.size);
	failure f = {nullptr, 0};
	if (ret < 0)
		f = {p.policy == image::policy_snapshot
			     ? "cannot give it its size back (ftruncate; the "
			       "file is partly rewritten)"
			     : "cannot truncate it (ftruncate)",
		     ret};
	if (!f.what && p.policy == image::policy_snapshot) {
		const image::file_content &c = g.tables.contents[p.content];
		const image::extent *x = extents_of(p.content);
		f = copy_snapshot(c, x, (int)w);
		// Where the snapshot had holes, the file must read zeroes.
		uint64_t end = 0;
		for (uint32_t i = 0; !f.what && i <= c.extent_count; i++) {
			uint64_t next = i < c.extent_count ? x[i].offset
							   : p.size;
			ret = zero_range((int)w, end, next, st.stx_size);
			if (ret < 0)
				f = {"cannot clear its holes (the file is "
				     "partly rewritten)", ret};
			if (i < c.extent_count)
				end = x[i].offset + x[i].length;
		}
	}
	sys::close((int)w);
	return f.what ? refuse(err, p, f.what, f.err) : true;
}

} // namespace

bool rewritten_file(uint32_t dev, uint64_t ino)
{
	for (uint32_t k = 0; k < g.tables.file_policy_count; k++) {
		const image::file_policy &p = g.tables.file_policies[k];
		if (p.policy == image::policy_snapshot && fd_of(p).dev == dev &&
		    fd_of(p).ino == ino)
			return true;
	}
	return false;
}

bool rewritten(uint32_t fd_index)
{
	// Its own policy, or that of another open of the same file.
	const image::fd_entry &e = g.tables.fds[fd_index];
	return e.kind == image::fd_file && rewritten_file(e.dev, e.ino);
}

bool apply_file_policies(ckpt::text &err)
{
	const uint32_t n = g.tables.file_policy_count;
	for (uint32_t k = 0; k < n; k++) {
		if (!check_one(err, k))
			return false;
	}
	for (uint32_t k = 0; k < n; k++) {
		if (apply[k] && !apply_one(err, k))
			return false;
	}
	return true;
}

void file_policy_info(ckpt::text &t, uint32_t fd_index)
{
	const long k = policy_index(fd_index);
	if (k < 0)
		return;
	const image::file_policy &p = g.tables.file_policies[k];
	if (p.policy == image::policy_snapshot)
		t.str(" snapshot");
	else
		t.str(" truncate to ").udec(p.size);
}

} // namespace restorer
