// Terminals at checkpoint. A terminal is reopened at restore by its path
// (restorer/files.cc), which needs nothing more than its fd entry; but a
// pty's master side cannot be: opening /dev/ptmx makes a new pty. So a
// master the process holds is named here, and so is the slave side of
// that pty, which dies with the master (its /dev/pts/N may then name
// another pty by the time of the restore): flagged fd_pty_master_held.
#include <linux/errno.h>

#include "arch/sys.h"
#include "runtime/process.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

constexpr unsigned long tiocgptn = 0x80045430; // TIOCGPTN: the pty's number

void warn(const image::fd_entry &e, const char *strings, const char *why,
	  int other = -1)
{
	char buf[512];
	text t(buf, sizeof buf);
	t.str(why);
	if (other >= 0)
		t.str(" (fd ").dec(other).ch(')');
	warn_fd(e, strings, t.c_str(), 0, ", it will not come back\n");
}

} // namespace

void save_terminals(image::fd_entry *fds, uint32_t count, const char *strings)
{
	for (uint32_t i = 0; i < count; i++) {
		const image::fd_entry &m = fds[i];
		if (!image::is_pty_master(m) || m.dup_of != -1 || m.fd <= 2)
			continue;
		warn(m, strings, "the master side of a pty cannot be opened "
				 "again to the same pty");
		uint32_t n = 0;
		if (sys::ioctl(m.fd, tiocgptn, (long)&n) < 0)
			continue;
		for (uint32_t k = 0; k < count; k++) {
			image::fd_entry &s = fds[k];
			if (s.kind != image::fd_chr || s.rdev_major != 136 ||
			    s.rdev_minor != n ||
			    (s.flags & image::fd_pty_master_held))
				continue;
			s.flags |= image::fd_pty_master_held;
			if (s.fd > 2 && s.dup_of == -1)
				warn(s, strings, "its pty's master side is the "
						 "process's own",
				     m.fd);
		}
	}
}

} // namespace ckpt
