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

// CRC32C: see arch/crc32c.h.

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
long ckpt_arch_call_on_stack(long (*fn)(void *), void *arg, void *stack_top);
long ckpt_arch_clone_thread(uint64_t flags, void *stack, int *ptid, int *ctid,
			    uint64_t tls, void (*fn)(void *));
}
