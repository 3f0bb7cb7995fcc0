/*
 * [[noreturn]] void ckpt_arch_resume(const struct arch::context *ctx)
 *                                                        [x0 = ctx]
 *
 * Loads the state ckpt_arch_capture() saved and returns 1 (w0) from that
 * capture call, through the saved x30. The restorer calls this last, with
 * the app's memory, TPIDR_EL0 and signal state already in place; its own
 * stack is abandoned.
 */
#include "arch/asm.h"
#include "arch/aarch64/context.h"

	.text
HIDDEN_ENTRY(ckpt_arch_resume)
	ldp	x19, x20, [x0, #CTX_X19]
	ldp	x21, x22, [x0, #CTX_X19 + 16]
	ldp	x23, x24, [x0, #CTX_X19 + 32]
	ldp	x25, x26, [x0, #CTX_X19 + 48]
	ldp	x27, x28, [x0, #CTX_X19 + 64]
	ldp	x29, x30, [x0, #CTX_X29]
	ldp	d8, d9, [x0, #CTX_D8]
	ldp	d10, d11, [x0, #CTX_D8 + 16]
	ldp	d12, d13, [x0, #CTX_D8 + 32]
	ldp	d14, d15, [x0, #CTX_D8 + 48]
	ldr	x1, [x0, #CTX_FPCR]
	msr	fpcr, x1
	ldr	x1, [x0, #CTX_FPSR]
	msr	fpsr, x1
	ldr	x1, [x0, #CTX_SP]
	mov	sp, x1
	mov	w0, #1
	ret			/* to the saved x30 */
END(ckpt_arch_resume)
