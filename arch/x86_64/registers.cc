// x86_64: register values the CPU faults on when the restorer loads them
// (ldmxcsr in ckpt_arch_resume) or the kernel refuses in rt_sigreturn
// (it XRSTORs the frame's fpstate and kills the thread with SIGSEGV if
// that faults). Checked before the point of no return.
#include <linux/signal.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <stddef.h>

#include "arch/arch.h"

namespace arch {

static_assert(offsetof(struct ucontext, uc_sigmask) == frame_sigmask_offset);

namespace {

// The MXCSR bits this CPU lets software set: FXSAVE's MXCSR_MASK field,
// or the architectural default when the CPU leaves it zero (SDM vol. 1,
// 11.6.6). ldmxcsr with any other bit set raises #GP.
uint32_t mxcsr_mask()
{
	alignas(16) unsigned char area[512] = {};
	asm volatile("fxsave64 %0" : "=m"(area));
	uint32_t mask;
	__builtin_memcpy(&mask, area + 28, sizeof mask);
	return mask ? mask : 0xffbf;
}

// XCR0: the state components the kernel enabled (XGETBV needs OSXSAVE,
// CPUID.1:ECX bit 27).
uint64_t xcr0()
{
	uint32_t a, b, c, d;
	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27)))
		return 3; // x87 and SSE only
	asm volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	return (uint64_t)d << 32 | a;
}

constexpr size_t fxsave_mxcsr = offsetof(struct _fpstate_64, mxcsr);
constexpr size_t fxsave_sw = offsetof(struct _fpstate_64, sw_reserved);
constexpr size_t fxsave_size = 512;
// The XSAVE header after the legacy area: XSTATE_BV, XCOMP_BV, then 48
// bytes that must be zero.
constexpr size_t xsave_header_size = 64;

} // namespace

const char *context_fault(const context &ctx)
{
	if (ctx.mxcsr & ~mxcsr_mask())
		return "MXCSR has bits set that this CPU reserves";
	return nullptr;
}

const char *frame_fault(uint64_t frame, app_reader read)
{
	if (!frame)
		return nullptr;
	uint64_t fpstate;
	if (!read(frame + offsetof(struct ucontext, uc_mcontext) +
			  offsetof(struct sigcontext, fpstate),
		  &fpstate, sizeof fpstate))
		return "the signal frame is not in the image";
	if (!fpstate)
		return nullptr; // no FPU state: the kernel resets it
	uint32_t mxcsr;
	struct _fpx_sw_bytes sw;
	if (!read(fpstate + fxsave_mxcsr, &mxcsr, sizeof mxcsr) ||
	    !read(fpstate + fxsave_sw, &sw, sizeof sw))
		return "the signal frame's FPU state is not in the image";
	if (mxcsr & ~mxcsr_mask())
		return "the signal frame's MXCSR has bits set that this CPU "
		       "reserves";
	// Without the magic the kernel restores the legacy area only.
	if (sw.magic1 != FP_XSTATE_MAGIC1)
		return nullptr;
	uint64_t header[xsave_header_size / 8];
	if (!read(fpstate + fxsave_size, header, sizeof header))
		return "the signal frame's XSAVE header is not in the image";
	const uint64_t enabled = xcr0();
	if ((header[0] | sw.xfeatures) & ~enabled)
		return "the signal frame's XSAVE state has components this "
		       "CPU does not enable (another CPU model?)";
	for (size_t i = 1; i < xsave_header_size / 8; i++) {
		if (header[i])
			return "the signal frame's XSAVE header is not in the "
			       "standard form (XCOMP_BV or reserved bytes set)";
	}
	return nullptr;
}

} // namespace arch
