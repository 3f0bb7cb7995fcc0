// Opens the image and checks everything that can be checked before the
// restorer touches its own address space.
#include <linux/errno.h>
#include <linux/resource.h>

#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

namespace {

bool refuse(ckpt::text &err, const char *what, long ret = 0)
{
	message(err).str(what);
	if (ret < 0)
		err.str(": ").errno_name(ret);
	err.ch('\n');
	return false;
}

bool refuse(ckpt::text &err, const image::problem &p)
{
	message(err);
	if (p.region >= 0)
		err.str("region ").dec(p.region).str(" at 0x").hex(p.addr)
			.str(": ");
	if (p.thread >= 0) {
		err.str("thread ").dec(p.thread);
		if ((uint64_t)p.thread < g.tables.thread_count)
			err.str(" (tid ").udec(g.tables.threads[p.thread].tid)
				.ch(')');
		err.str(": ");
	}
	err.str(image::describe(p.what)).ch('\n');
	return false;
}

// Reads exactly len bytes at off; a short read here means a short file.
bool read_exact(ckpt::text &err, void *buf, size_t len, uint64_t off,
		const char *what)
{
	long n = ckpt::pread_full(g.fd, buf, len, off);
	if (n < 0)
		return refuse(err, what, n);
	if ((size_t)n != len)
		return refuse(err, "image is truncated");
	return true;
}

// Maps room for the metadata at the size the header gives (checked
// against the hard bound already), right after the restorer's bss: memory
// in proportion to the image, one range with the restorer.
bool map_tables(ckpt::text &err)
{
	const image::header &h = g.header;
	const uint64_t len = (h.meta_size + g.page_size - 1) &
			     ~(uint64_t)(g.page_size - 1);
	const uint64_t at = self_image_end();
	long addr = sys::mmap(at, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			      -1, 0);
	// MAP_FIXED_NOREPLACE is a hint to qemu-user and old kernels.
	if ((uint64_t)addr != at) {
		if (!sys::failed(addr))
			sys::munmap(addr, len);
		message(err).str("cannot map ").udec(len)
			.str(" bytes for the image's tables beside the "
			     "restorer: ")
			.errno_name(sys::failed(addr) ? addr : -EEXIST);
		if (addr == -ENOMEM)
			err.str(" (RLIMIT_AS or RLIMIT_DATA too small?)");
		err.ch('\n');
		return false;
	}
	g.meta = reinterpret_cast<const char *>(at);
	g.tables_len = len;
	return true;
}

// The stacks the image's other threads start on (create_threads.cc),
// right after the tables: the restorer's range grows by them, and they
// go when the runtime unmaps it.
bool map_thread_stacks(ckpt::text &err)
{
	const uint64_t len = thread_stacks_size(g.tables.thread_count);
	if (!len)
		return true;
	const uint64_t at = self_image_end() + g.tables_len;
	long addr = sys::mmap(at, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				      MAP_FIXED_NOREPLACE,
			      -1, 0);
	if ((uint64_t)addr != at) {
		if (!sys::failed(addr))
			sys::munmap(addr, len);
		message(err).str("cannot map ").udec(len)
			.str(" bytes of stacks for ").udec(g.tables.thread_count)
			.str(" threads beside the restorer: ")
			.errno_name(sys::failed(addr) ? addr : -EEXIST);
		if (addr == -ENOMEM)
			err.str(" (RLIMIT_AS too small?)");
		err.ch('\n');
		return false;
	}
	g.thread_stacks = at;
	g.tables_len += len;
	return true;
}

} // namespace

const char *untrusted_image(int fd, uint64_t *size, long *ret)
{
	struct statx st;
	*ret = sys::statx(fd, "", AT_EMPTY_PATH,
			  STATX_TYPE | STATX_MODE | STATX_UID | STATX_SIZE, &st);
	if (*ret < 0)
		return "cannot stat";
	*size = st.stx_size;
	if ((st.stx_mode & S_IFMT) != S_IFREG)
		return "not a regular file";
	if (st.stx_uid != (uint32_t)sys::geteuid())
		return "not owned by you (an image is executable code: check "
		       "where it came from, then chown it)";
	if (st.stx_mode & (S_IWGRP | S_IWOTH))
		return "writable by group or others (chmod go-w it if you "
		       "trust it)";
	return nullptr;
}

bool load_image(ckpt::text &err)
{
	// The soft limit may leave no room even for the image (ulimit -Sn 3):
	// up to the hard one while the restorer opens what it needs;
	// prepare_files() brings it down to what the restore needs.
	if (sys::prlimit(RLIMIT_NOFILE, nullptr, &caller_nofile) == 0 &&
	    caller_nofile.cur < caller_nofile.max) {
		sys::rlimit raised = {caller_nofile.max, caller_nofile.max};
		sys::prlimit(RLIMIT_NOFILE, &raised, nullptr);
	}
	// O_NONBLOCK: open() of a FIFO would wait for a writer (with every
	// signal blocked, later); the type is checked on the descriptor.
	long fd = sys::open(g.image_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return refuse(err, "cannot open", fd);
	g.fd = (int)fd;

	uint64_t size;
	long ret;
	if (const char *why = untrusted_image(g.fd, &size, &ret))
		return refuse(err, why, ret);

	image::header &h = g.header;
	if (size < sizeof h.magic)
		return refuse(err, "not a ckpt image (too short)");
	if (!read_exact(err, &h, sizeof h.magic, 0, "cannot read"))
		return false;
	if (memcmp(h.magic, image::magic, sizeof h.magic) != 0)
		return refuse(err, "not a ckpt image (bad magic)");
	if (size < sizeof h)
		return refuse(err, "image is truncated");
	if (!read_exact(err, &h, sizeof h, 0, "cannot read the header"))
		return false;
	image::problem p = image::check_header(h, size, g.page_size);
	if (p.what != image::fault::none)
		return refuse(err, p);
	if (!map_tables(err))
		return false;
	// The header again, with the directory and sections: the checksum
	// covers them together.
	char *meta = const_cast<char *>(g.meta);
	if (!read_exact(err, meta, h.meta_size, 0, "cannot read the metadata"))
		return false;
	if (memcmp(meta, &h, sizeof h) != 0)
		return refuse(err, "the image changed while it was read");
	p = image::find_sections(h, meta, &g.tables);
	if (p.what == image::fault::none)
		p = image::check_tables(h, g.tables);
	if (p.what == image::fault::none)
		p = image::check_runtime_state(h, g.tables);
	if (p.what != image::fault::none)
		return refuse(err, p);
	return load_chain(err) && map_thread_stacks(err);
}

} // namespace restorer
