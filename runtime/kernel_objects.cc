// Kernel objects that cannot come back, named at checkpoint: descriptors
// of pidfds, namespaces, fanotify groups, io_uring instances, perf
// events, userfaultfds and bpf objects get the kind fd_kernel_object (the
// restorer names them again and holds their numbers), and an AIO context
// (io_setup), which has no descriptor but a mapping, is named from
// /proc/self/maps: its io_submit() and io_getevents() would fail after a
// restore. The checkpoint itself goes on.
#include <linux/errno.h>

#include "arch/sys.h"
#include "runtime/lines.h"
#include "runtime/process.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

// Lines of /proc/self/maps; not on the stack (a signal checkpoint runs on
// the app's); checkpoint() is never reentered.
char lines[1 << 14];

// The name of a maps line: what follows the inode number.
const char *map_name(const char *line, size_t n, size_t *len)
{
	const char *p = line, *end = line + n;
	for (int field = 0; field < 5; field++) {
		while (p < end && *p != ' ')
			p++;
		while (p < end && *p == ' ')
			p++;
	}
	*len = (size_t)(end - p);
	return p;
}

void warn_mappings()
{
	each_line("/proc/self/maps", lines, sizeof lines,
		  [](const char *line, size_t n) {
			  size_t len;
			  const char *name = map_name(line, n, &len);
			  char copy[64];
			  if (len >= sizeof copy)
				  return true;
			  memcpy(copy, name, len);
			  copy[len] = 0;
			  const char *what = image::kernel_object_name(copy);
			  if (!what || starts_with(copy, "anon_inode:"))
				  return true; // those have descriptors
			  size_t start = 0;
			  while (start < n && line[start] != '-')
				  start++;
			  char buf[256];
			  text t(buf, sizeof buf);
			  t.str("ckpt: ").str(what).str(" at 0x")
				  .str(line, start).str(" (").str(copy)
				  .str(") cannot be restored, it comes back as "
				       "plain memory\n");
			  print_err(t);
			  return true;
		  });
}

} // namespace

void save_kernel_objects(image::fd_entry *fds, uint32_t count,
			 const char *strings)
{
	for (uint32_t i = 0; i < count; i++) {
		image::fd_entry &e = fds[i];
		if (e.kind != image::fd_anon && e.kind != image::fd_other)
			continue;
		const char *what = image::kernel_object_name(strings + e.name);
		if (!what)
			continue;
		e.kind = image::fd_kernel_object;
		if (e.dup_of != -1)
			continue;
		char buf[4096 + 256];
		text t(buf, sizeof buf);
		t.str("ckpt: fd ").dec(e.fd).str(" (").str(strings + e.name)
			.str("): ").str(what).str(" cannot be restored, it will "
						  "not come back\n");
		print_err(t);
	}
	warn_mappings();
}

} // namespace ckpt
