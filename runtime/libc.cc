// What the runtime must tell the app's libc after a restore.
#include "runtime/runtime.h"

// glibc's idea of the break, exported for sbrk(); weak, so runtime.o
// needs no libc (an app without glibc leaves it null).
extern "C" __attribute__((weak, visibility("default"))) void *__curbrk;

namespace ckpt {

// After a restore without PR_SET_MM the break is the restorer's. glibc's
// brk() sets __curbrk to what the system call returns and calls it a
// success when that is not below the address it asked for:
//  - break below glibc's: its next brk() fails, as it should, and malloc
//    goes on with mmap (and a non-contiguous heap). Nothing to do; moving
//    __curbrk down would make malloc abort ("break adjusted to free
//    malloc space").
//  - break above glibc's: brk() would "succeed" and sbrk() hand out
//    unmapped memory. Move __curbrk up to the break: malloc takes the
//    next sbrk() for someone else's and copes.
void sync_libc_break()
{
	if (!&__curbrk)
		return;
	uint64_t real = sys::brk(0);
	if (real > (uint64_t)__curbrk)
		__curbrk = (void *)real;
}

} // namespace ckpt
