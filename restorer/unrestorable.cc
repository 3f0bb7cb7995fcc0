// What does not come back, and what stands in for it. A descriptor that is
// not restored (lost) keeps its number taken: a placeholder, an O_PATH
// descriptor of /dev/null, on which read() and write() fail with EBADF
// as on a closed one, but which no later open() or socket() of the app
// gets, so that its writes meant for the lost object never land in an
// unrelated file (fd 0-2 keep the caller's or stay closed, as before).
// Also the reasons for terminals and kernel objects that are not restored,
// and the AIO contexts (io_setup) named in the image's regions.
#include <linux/errno.h>
#include <linux/fcntl.h>

#include "arch/sys.h"
#include "restorer/restorer.h"

namespace restorer {

namespace {

int placeholder = -1;
char reason[128];

} // namespace

const char *why_lost(uint32_t i)
{
	const image::fd_entry &e = g.tables.fds[i];
	if (e.kind == image::fd_kernel_object) {
		const char *what =
			image::kernel_object_name(g.tables.strings + e.name);
		ckpt::text t(reason, sizeof reason);
		t.str(what ? what : "a kernel object").str(" cannot be "
							   "restored");
		return reason;
	}
	if (const char *why = terminal_lost_reason(e))
		return why;
	return lost_reason(i);
}

const char *terminal_lost_reason(const image::fd_entry &e)
{
	if (image::is_pty_master(e))
		return "the master side of a pty cannot be opened again to "
		       "the same pty (opening /dev/ptmx makes a new one)";
	if (image::is_terminal(e) && (e.flags & image::fd_pty_master_held))
		return "its pty's master side was the process's own, and "
		       "does not come back";
	return nullptr;
}

void unrestorable_info(ckpt::text &t, uint32_t i)
{
	const image::fd_entry &e = g.tables.fds[i];
	if (e.dup_of >= 0)
		return;
	const char *why = e.kind == image::fd_kernel_object
				  ? why_lost(i) : terminal_lost_reason(e);
	if (why)
		t.str(" [").str(why).ch(']');
}

bool prepare_unrestorable(ckpt::text &err)
{
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		const char *name = g.tables.strings + r.name;
		const char *what = image::kernel_object_name(name);
		if (!what)
			continue;
		char buf[4096 + 256];
		ckpt::text t(buf, sizeof buf);
		message(t).str("region ").udec(i).str(" at 0x").hex(r.start)
			.str(": ").str(name).str(": ").str(what)
			.str(" cannot be restored; it comes back as plain "
			     "memory\n");
		warn(t);
	}
	long fd = move_up(sys::open("/dev/null", O_PATH | O_CLOEXEC));
	if (fd < 0) {
		message(err).str("cannot open /dev/null (O_PATH) to hold the "
				 "numbers of what is not restored: ")
			.errno_name(fd).ch('\n');
		return false;
	}
	placeholder = (int)fd;
	return true;
}

bool is_placeholder(int fd)
{
	return placeholder >= 0 && fd == placeholder;
}

void hold_lost_numbers()
{
	for (uint32_t i = 0; i < g.tables.fd_count; i++) {
		const image::fd_entry &e = g.tables.fds[i];
		if (e.fd <= 2 || fd_now(i) >= 0)
			continue;
		const int cloexec = e.flags & image::fd_cloexec ? O_CLOEXEC : 0;
		long ret = sys::dup3(placeholder, e.fd, cloexec);
		if (ret < 0) {
			char buf[4096 + 256];
			ckpt::text t(buf, sizeof buf);
			message(t).str("fd ").dec(e.fd).str(" (")
				.str(g.tables.strings + e.name)
				.str("): cannot hold its number (dup3): ")
				.errno_name(ret).ch('\n');
			die(t);
		}
	}
	sys::close(placeholder);
	placeholder = -1;
}

} // namespace restorer
