// What the runtime does about how it got into the program: a note that
// says it is there, and, when it was preloaded, not passing itself on.
#include <stdint.h>

#include "runtime/runtime.h"
#include "runtime/str.h"

// glibc's environment, which execve() wrappers and getenv() read. Weak:
// a libc without it leaves it null.
extern "C" __attribute__((weak, visibility("default"))) char **environ;

namespace ckpt {

namespace {

// An ELF note (SHT_NOTE, allocated), so that `ckpt checkpoint` can tell a
// program with runtime.o linked in from one without it.
struct elf_note {
	uint32_t name_size, desc_size, type;
	char name[8];
	char desc[8];
};
__attribute__((section(".note.ckpt.runtime"), used, aligned(4)))
const elf_note runtime_note = {5, 8, 1, "ckpt", "runtime"};

bool is_this_library(const char *s, size_t len)
{
	constexpr char name[] = "libckpt.so";
	constexpr size_t n = sizeof name - 1;
	return len >= n && memcmp(s + len - n, name, n) == 0 &&
	       (len == n || s[len - n - 1] == '/');
}

} // namespace

// ckpt run preloads libckpt.so: take it out of LD_PRELOAD (in place: the
// strings are the process's own), so that the programs the app runs do
// not carry the runtime too, unless CKPT_CHILDREN=1 asked for that.
void forget_preload(bool children)
{
	if (children || !&environ || !environ)
		return;
	constexpr char key[] = "LD_PRELOAD=";
	for (char **e = environ; *e; e++) {
		if (!starts_with(*e, key))
			continue;
		char *value = *e + sizeof key - 1, *out = value;
		for (char *p = value; *p;) {
			char *end = p;
			while (*end && *end != ':' && *end != ' ')
				end++;
			size_t len = end - p;
			if (len && !is_this_library(p, len)) {
				if (out != value)
					*out++ = ':';
				memmove(out, p, len);
				out += len;
			}
			p = *end ? end + 1 : end;
		}
		*out = 0;
		if (!*value) { // nothing left: the variable goes
			char **rest = e;
			do
				rest[0] = rest[1];
			while (*rest++);
		}
		return;
	}
}

} // namespace ckpt
