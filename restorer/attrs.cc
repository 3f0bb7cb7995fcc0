// Section 23 (issue #13, part A): the process-wide attributes, set before
// the point of no return (they belong to this process, which becomes the
// app's), and the files that only the app's mappings held, made again as
// memfds there and mapped after it by map_shared_file().
#include <linux/errno.h>
#include <linux/memfd.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

// Per region: the memfd its group maps (made for the group's first
// region), or -1.
int32_t shared_fds[image::max_regions];

constexpr int membarrier_register[3][2] = {
	// registration bit, MEMBARRIER_CMD_REGISTER_...
	{image::membarrier_private_expedited, 16},
	{image::membarrier_private_expedited_sync_core, 64},
	{image::membarrier_private_expedited_rseq, 256},
};

// oom_score_adj: raising it is free, lowering it below what this process
// started with takes CAP_SYS_RESOURCE (EACCES): then the restore goes on
// with the higher value, and says so.
void set_oom_score_adj(int64_t v)
{
	char num[16];
	ckpt::text n(num, sizeof num);
	n.dec(v);
	long fd = sys::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	long ret = fd;
	if (fd >= 0) {
		ret = ckpt::write_all((int)fd, num, n.size());
		sys::close((int)fd);
	}
	if (ret >= 0)
		return;
	char buf[256];
	ckpt::text t(buf, sizeof buf);
	message(t).str("oom_score_adj ").dec(v).str(" is not restored: ")
		.errno_name(ret);
	if (ret == -EACCES)
		t.str(" (lowering it takes CAP_SYS_RESOURCE)");
	char now[16];
	if (long k = ckpt::read_file("/proc/self/oom_score_adj", now,
				     sizeof now); k > 0)
		t.str("; it stays ").str(now, (size_t)(now[k - 1] == '\n'
							? k - 1 : k));
	warn(t.ch('\n'));
}

bool set_attr(ckpt::text &err, const image::process_attr &a)
{
	long ret = 0;
	const char *what = nullptr;
	switch (a.type) {
	case image::attr_oom_score_adj:
		set_oom_score_adj(a.value);
		return true;
	case image::attr_thp_disable:
		what = "prctl(PR_SET_THP_DISABLE)";
		ret = sys::prctl(PR_SET_THP_DISABLE, 1);
		break;
	case image::attr_child_subreaper:
		what = "prctl(PR_SET_CHILD_SUBREAPER)";
		ret = sys::prctl(PR_SET_CHILD_SUBREAPER, 1);
		break;
	case image::attr_membarrier:
		what = "membarrier registration";
		for (const auto &m : membarrier_register) {
			if ((a.value & m[0]) &&
			    (ret = sys::membarrier(m[1])) < 0)
				break;
		}
		break;
	}
	if (ret >= 0)
		return true;
	message(err).str("cannot restore ").str(what).str(": ").errno_name(ret)
		.ch('\n');
	return false;
}

// The memfd's name: a memfd's own ("/memfd:NAME (deleted)"), else the
// deleted file's path.
void memfd_name(const char *name, char *out, size_t cap)
{
	size_t n = ckpt::str_len(name);
	constexpr char deleted[] = " (deleted)";
	if (n >= sizeof deleted - 1 &&
	    ckpt::str_eq(name + n - (sizeof deleted - 1), deleted))
		n -= sizeof deleted - 1;
	if (ckpt::starts_with(name, "/memfd:")) {
		name += 7;
		n -= 7;
	}
	if (n > cap - 1)
		n = cap - 1;
	memcpy(out, name, n);
	out[n] = 0;
}

// Makes the memfd of the group that begins at region first: as long as
// the furthest of its mappings reaches.
bool make_shared_file(ckpt::text &err, uint32_t first)
{
	uint64_t size = 0;
	for (uint32_t k = 0; k < g.tables.attr_count; k++) {
		const image::process_attr &a = g.tables.attrs[k];
		if (a.type != image::attr_shared_file || a.value != first)
			continue;
		const image::region &r = g.tables.regions[a.region];
		if (r.file_offset + (r.end - r.start) > size)
			size = r.file_offset + (r.end - r.start);
	}
	const image::region &r = g.tables.regions[first];
	char name[250]; // MFD_NAME_MAX_LEN 249, terminated
	memfd_name(g.tables.strings + r.name, name, sizeof name);
	long fd = move_up(sys::memfd_create(name, MFD_CLOEXEC));
	long ret = fd < 0 ? fd : sys::ftruncate((int)fd, size);
	if (ret < 0) {
		if (fd >= 0)
			sys::close((int)fd);
		message(err).str("region ").udec(first).str(" at 0x")
			.hex(r.start).str(": ").str(g.tables.strings + r.name)
			.str(": cannot make a memfd of ").udec(size)
			.str(" bytes for it: ").errno_name(ret).ch('\n');
		return false;
	}
	shared_fds[first] = (int32_t)fd;
	return true;
}

} // namespace

bool prepare_attrs(ckpt::text &err)
{
	for (uint32_t i = 0; i < g.tables.region_count; i++)
		shared_fds[i] = -1;
	for (uint32_t k = 0; k < g.tables.attr_count; k++) {
		const image::process_attr &a = g.tables.attrs[k];
		if (a.type != image::attr_shared_file) {
			if (!set_attr(err, a))
				return false;
			continue;
		}
		if (a.value == a.region && !make_shared_file(err, a.region))
			return false;
		shared_fds[a.region] = shared_fds[a.value];
	}
	return check_locked_memory(err);
}

bool maps_shared_file(uint32_t i)
{
	return shared_fds[i] >= 0;
}

void map_shared_file(uint32_t i, const image::region &r)
{
	map_region_fd(i, r, shared_fds[i], "the memfd made for ");
}

} // namespace restorer
