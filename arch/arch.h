// Picks the architecture layer; everything above arch/ includes only this.
#pragma once

// Every symbol of runtime.o and the restorer is internal, declarations
// included, so that no access goes through the GOT (the restorer has
// none) and the app sees only the API that runtime/ckpt.h declares.
#pragma GCC visibility push(hidden)

#if defined(__x86_64__)
#include "arch/x86_64/arch.h"
#elif defined(__aarch64__)
#include "arch/aarch64/arch.h"
#else
#error "unsupported architecture"
#endif

#include <stddef.h>
#include <stdint.h>

namespace arch {

// Reads the calling thread's thread_state (runtime, at checkpoint).
long save_thread_state(thread_state *ts);
// Makes ts the calling thread's state (restorer, just before resuming).
long restore_thread_state(const thread_state *ts);

// Makes instructions written to [start, end) visible to execution.
void sync_icache(uint64_t start, uint64_t end);

// Whether the CPU has CRC32C instructions (auxv: the process's auxiliary
// vector, for arches that report it there).
bool crc32c_supported(const uint64_t *auxv);
// CRC32C over len bytes with those instructions; no pre/post inversion.
uint32_t crc32c_update(uint32_t crc, const unsigned char *p, size_t len);

// Reads len bytes of the app's memory at addr (from the image, or from
// memory once restored); false if they are not there.
using app_reader = bool (*)(uint64_t addr, void *buf, size_t len);

// Why this CPU would fault loading the saved context (ckpt_arch_resume),
// or returning through the signal frame at frame (rt_sigreturn; 0: none);
// nullptr if it would not. Restorer, before the point of no return.
const char *context_fault(const context &ctx);
const char *frame_fault(uint64_t frame, app_reader read);

} // namespace arch

// Assembly trampolines, one per file in arch/<arch>/.
extern "C" {
int ckpt_arch_capture(arch::context *ctx) __attribute__((returns_twice));
[[noreturn]] void ckpt_arch_resume(const arch::context *ctx);
[[noreturn]] void ckpt_arch_jump(void (*fn)(), void *stack_top);
}
