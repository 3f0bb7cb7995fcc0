// The image fuzzer's stand-ins for what the restorer's printing and
// planning need of the system: its output goes to a buffer, the image
// file is the fuzzer's input, its process state is the fuzzer's, and
// nothing it calls may exit or touch a file.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restorer/restorer.h"
#include "runtime/io.h"
#include "tests/fuzz/fuzz.h"

namespace fuzz {

char out[1 << 20];
size_t out_len;
const uint8_t *file;
size_t file_size;

view view_of(const image::header &h)
{
	// What arch/aarch64/arch.h and context.h say (CTX_SIZE); the host's
	// own facts come from image::this_machine.
	constexpr image::target aarch64 = {183, 1ull << 48, 184};
	view v = {image::this_machine, 4096, arch::name};
	if (h.machine == aarch64.elf_machine &&
	    h.machine != image::this_machine.elf_machine) {
		v.target = aarch64;
		v.name = "aarch64";
	}
	if (h.page_size == 4096 || h.page_size == 16384 ||
	    h.page_size == 65536)
		v.page_size = h.page_size;
	return v;
}

} // namespace fuzz

namespace ckpt {

long write_all(int fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2)
		abort(); // --info writes nothing else
	size_t n = len < sizeof fuzz::out - fuzz::out_len
			   ? len
			   : sizeof fuzz::out - fuzz::out_len;
	memcpy(fuzz::out + fuzz::out_len, buf, n);
	fuzz::out_len += n;
	return (long)len;
}

// The image file, read where the restorer reads it (records.cc).
long pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	if (fd != fuzz::image_fd)
		abort(); // the restorer reads no other file before restoring
	if (off >= fuzz::file_size)
		return 0;
	size_t n = len < fuzz::file_size - off ? len : fuzz::file_size - off;
	memcpy(buf, fuzz::file + off, n);
	return (long)n;
}

} // namespace ckpt

namespace restorer {

state g;
int message_fd = 2;
sys::rlimit caller_nofile;

// The restorer's messages: --info reaches none of them.
ckpt::text &message(ckpt::text &t)
{
	return t.str("restorer: ").str(g.image_path).str(": ");
}

void warn(const ckpt::text &what)
{
	ckpt::print_err(what);
}

void fail(const ckpt::text &what)
{
	fprintf(stderr, "fuzz: unexpected fail(): %s", what.c_str());
	abort();
}

void die(const ckpt::text &what)
{
	fprintf(stderr, "fuzz: unexpected die(): %s", what.c_str());
	abort();
}

} // namespace restorer
