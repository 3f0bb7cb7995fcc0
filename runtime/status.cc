// The outcome of each checkpoint, beside its image (IMAGE.status), for
// whoever asked for it with a signal and cannot see the app's stderr:
// `ckpt checkpoint PID` sends the signal and waits for a new record from
// that pid. Lines of "key value":
//   pid N          the app's pid
//   result R       0, or the -errno of the failure
//   reason TEXT    why it failed (absent on success)
// Written to a temporary of this process's own and renamed over the
// record, so that a reader sees a whole record; never through a symbolic
// link (O_EXCL, and rename replaces a link rather than following it).
#include <linux/errno.h>
#include <linux/fcntl.h>

#include "runtime/fmt.h"
#include "runtime/io.h"
#include "runtime/runtime.h"

namespace ckpt {

void publish_status(const char *path, int pid, long result,
		    const char *reason)
{
	char name[4200], temp[4200], body[1024];
	text n(name, sizeof name), t(temp, sizeof temp), b(body, sizeof body);
	n.str(path).str(".status");
	t.str(path).str(".status.").dec(sys::getpid()).str(".tmp");
	b.str("pid ").dec(pid).str("\nresult ").dec(result).ch('\n');
	if (result < 0)
		b.str("reason ").str(reason).ch('\n');
	if (n.size() + 1 >= sizeof name || t.size() + 1 >= sizeof temp)
		return;
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
	long fd = sys::open(temp, flags, 0600);
	if (fd == -EEXIST && sys::unlinkat(AT_FDCWD, temp, 0) == 0)
		fd = sys::open(temp, flags, 0600);
	if (fd < 0)
		return; // the image's own failure says why, on stderr
	long ret = write_all((int)fd, body, b.size());
	sys::close((int)fd);
	if (ret < 0 || sys::renameat(AT_FDCWD, temp, AT_FDCWD, name) < 0)
		sys::unlinkat(AT_FDCWD, temp, 0);
}

} // namespace ckpt
