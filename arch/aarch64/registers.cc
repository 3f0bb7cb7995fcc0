// aarch64: register values the restorer must not load and the kernel
// refuses in rt_sigreturn (an invalid PSTATE is SIGSEGV). FPCR and FPSR
// bits the architecture reserves (RES0) do not trap, but an image that
// sets them was not written by this CPU's runtime: refused the same.
#include <linux/signal.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <stddef.h>

#include "arch/arch.h"

namespace arch {

static_assert(offsetof(struct ucontext, uc_sigmask) == frame_sigmask_offset);

namespace {

// FPCR: FIZ AH NEP (2:0), IOE..IXE EBF (13:8), IDE (15), Len FZ16 Stride
// RMode FZ DN AHP (26:16). FPSR: IOC..IXC (4:0), IDC (7), QC N Z C V
// (31:27).
constexpr uint64_t fpcr_bits = 0x07ffbf07;
constexpr uint64_t fpsr_bits = 0xf800009f;

// PSTATE as rt_sigreturn accepts it (valid_user_regs): AArch64 EL0t, no
// exception masked (D, A, I, F).
constexpr uint64_t pstate_mode = 0x1f;
constexpr uint64_t pstate_daif = 0x3c0;

} // namespace

const char *context_fault(const context &ctx)
{
	if (ctx.fpcr & ~fpcr_bits)
		return "FPCR has bits set that the architecture reserves";
	if (ctx.fpsr & ~fpsr_bits)
		return "FPSR has bits set that the architecture reserves";
	return nullptr;
}

const char *frame_fault(uint64_t frame, app_reader read)
{
	if (!frame)
		return nullptr;
	const uint64_t mc = frame + offsetof(struct ucontext, uc_mcontext);
	uint64_t pstate;
	if (!read(mc + offsetof(struct sigcontext, pstate), &pstate,
		  sizeof pstate))
		return "the signal frame is not in the image";
	if (pstate & (pstate_mode | pstate_daif))
		return "the signal frame's PSTATE is not a valid user state";
	// The records in __reserved: the kernel puts fpsimd_context first.
	struct fpsimd_context fp;
	if (!read(mc + offsetof(struct sigcontext, __reserved), &fp,
		  offsetof(struct fpsimd_context, vregs)))
		return "the signal frame's FP state is not in the image";
	if (fp.head.magic != FPSIMD_MAGIC)
		return nullptr;
	if (fp.fpcr & ~fpcr_bits)
		return "the signal frame's FPCR has bits set that the "
		       "architecture reserves";
	if (fp.fpsr & ~fpsr_bits)
		return "the signal frame's FPSR has bits set that the "
		       "architecture reserves";
	return nullptr;
}

} // namespace arch
