// restorer: entry point, command line and error exits.
#include <linux/auxvec.h>
#include <linux/signal.h>

#include "arch/auxv.h"
#include "arch/sys.h"
#include "restorer/restorer.h"
#include "runtime/crc32c.h"
#include "runtime/io.h"
#include "runtime/str.h"

namespace restorer {

state g;
int message_fd = 2;
sys::rlimit caller_nofile;

namespace {

constexpr char usage[] =
	"usage: restorer [--info | --lazy | --merge OUT] [OPTIONS] IMAGE\n"
	"\n"
	"Resumes the process saved in IMAGE (written by an app linked with\n"
	"ckpt's runtime.o) where it was checkpointed.\n"
	"\n"
	"  --info       print the image's header and memory regions, and exit\n"
	"  --merge OUT  write the image with its chain of parents (an\n"
	"               incremental image's) as one full image to OUT, and exit\n"
	"  --lazy       map memory from the image instead of reading it: the\n"
	"               restore takes the same time at any size, pages load\n"
	"               when first used, and their checksums are not checked\n"
	"  --no-set-mm  do not set the mm fields (brk, arg and env areas) with\n"
	"               prctl(PR_SET_MM_MAP); malloc falls back to mmap\n"
	"  --allow-missing-files\n"
	"               restore even if files the process had open or mapped\n"
	"               (or its working directory) are gone or shorter: their\n"
	"               descriptors stay closed, their mappings come back as\n"
	"               zeroed memory, each with a warning\n"
	"  --allow-changed-files\n"
	"               reopen files that are not the ones the process had\n"
	"               (another device or inode: rotated logs, another\n"
	"               machine), each with a warning; a symbolic link where\n"
	"               the file was is never followed\n"
	"  --stdio=inherit|image\n"
	"               what fds 0, 1 and 2 become: inherit: the restorer's\n"
	"               own, whatever the image says (send the output where\n"
	"               you want); image: what the image says, reopened as\n"
	"               any other descriptor (a file, /dev/null) or lost;\n"
	"               default: a terminal, pipe or socket is the\n"
	"               restorer's, a file is reopened\n"
	"  --help       print this help\n";

[[noreturn]] void usage_error(const char *what, const char *arg)
{
	char buf[512];
	ckpt::text t(buf, sizeof buf);
	t.str("restorer: ").str(what);
	if (arg)
		t.str(": ").str(arg);
	t.str("\nTry 'restorer --help'.\n");
	ckpt::print_err(t);
	sys::exit_group(1);
}


} // namespace

ckpt::text &message(ckpt::text &t)
{
	return t.str("restorer: ").str(g.image_path).str(": ");
}

void fail(const ckpt::text &what)
{
	ckpt::write_all(message_fd, what.c_str(), what.size());
	sys::exit_group(1);
}

void warn(const ckpt::text &what)
{
	ckpt::write_all(message_fd, what.c_str(), what.size());
}

void close_messages()
{
	if (message_fd > 2)
		sys::close(message_fd);
	message_fd = -1;
}

void die(const ckpt::text &what)
{
	ckpt::write_all(message_fd, what.c_str(), what.size());
	// The address space is half replaced: nothing of it may run on, and
	// exit_group() runs nothing of it (no handlers, no atexit).
	sys::exit_group(1);
}

} // namespace restorer

using namespace restorer;

extern "C" [[noreturn]] void restorer_start(long *sp)
{
	int argc = (int)sp[0];
	char **argv = reinterpret_cast<char **>(sp + 1);
	char **envp = argv + argc + 1;
	while (*envp)
		envp++;
	const auto *auxv = reinterpret_cast<const uint64_t *>(envp + 1);
	g.page_size = (uint32_t)sys::auxv_value(auxv, AT_PAGESZ, 4096);
	ckpt::crc32c_init(auxv);
	g.min_sigstack = sys::auxv_value(auxv, AT_MINSIGSTKSZ, MINSIGSTKSZ);

	const char *path = nullptr, *merge_out = nullptr;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (ckpt::str_eq(arg, "--help") || ckpt::str_eq(arg, "-h")) {
			ckpt::write_all(1, usage, sizeof usage - 1);
			sys::exit_group(0);
		} else if (ckpt::str_eq(arg, "--info")) {
			g.opts.info = true;
		} else if (ckpt::str_eq(arg, "--merge") && i + 1 < argc) {
			merge_out = argv[++i];
		} else if (ckpt::str_eq(arg, "--lazy")) {
			g.opts.lazy = true;
		} else if (ckpt::str_eq(arg, "--no-set-mm")) {
			g.opts.no_set_mm = true;
		} else if (ckpt::str_eq(arg, "--allow-missing-files")) {
			g.opts.allow_missing_files = true;
		} else if (ckpt::str_eq(arg, "--allow-changed-files")) {
			g.opts.allow_changed_files = true;
		} else if (ckpt::starts_with(arg, "--stdio=")) {
			const char *v = arg + 8;
			if (ckpt::str_eq(v, "inherit"))
				g.opts.stdio = stdio_inherit;
			else if (ckpt::str_eq(v, "image"))
				g.opts.stdio = stdio_image;
			else
				usage_error("--stdio takes inherit or image", v);
		} else if (ckpt::str_eq(arg, "--") && i + 1 < argc && !path) {
			path = argv[++i];
		} else if (arg[0] == '-' && arg[1]) {
			usage_error("unknown option", arg);
		} else if (!path) {
			path = arg;
		} else {
			usage_error("more than one image", arg);
		}
	}
	if (!path)
		usage_error("no image given", nullptr);
	if (!ckpt::str_copy(g.image_path, sizeof g.image_path, path))
		usage_error("image path is too long", nullptr);

	char buf[1024];
	ckpt::text err(buf, sizeof buf);
	if (!load_image(err))
		fail(err);
	if (g.opts.info) {
		print_info();
		sys::exit_group(0);
	}
	if (merge_out) {
		if (!merge_chain(merge_out, err))
			fail(err);
		sys::exit_group(0);
	}
	start_restore();
}
