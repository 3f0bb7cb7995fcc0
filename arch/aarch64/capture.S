/*
 * int ckpt_arch_capture(struct arch::context *ctx)    [x0 = ctx]
 *
 * Saves what a call must preserve under AAPCS64 (x19-x29, sp, d8-d15,
 * FPCR; FPSR too, for the sticky exception flags) and the return address
 * (x30), then returns 0 (w0). ckpt_arch_resume() later makes this same
 * call return 1, in this process or in a restored one: the setjmp half of
 * a longjmp that crosses processes. Clobbers x1.
 */
#include "arch/asm.h"
#include "arch/aarch64/context.h"

	.text
HIDDEN_ENTRY(ckpt_arch_capture)
	stp	x19, x20, [x0, #CTX_X19]
	stp	x21, x22, [x0, #CTX_X19 + 16]
	stp	x23, x24, [x0, #CTX_X19 + 32]
	stp	x25, x26, [x0, #CTX_X19 + 48]
	stp	x27, x28, [x0, #CTX_X19 + 64]
	stp	x29, x30, [x0, #CTX_X29]
	mov	x1, sp
	str	x1, [x0, #CTX_SP]
	stp	d8, d9, [x0, #CTX_D8]
	stp	d10, d11, [x0, #CTX_D8 + 16]
	stp	d12, d13, [x0, #CTX_D8 + 32]
	stp	d14, d15, [x0, #CTX_D8 + 48]
	mrs	x1, fpcr
	str	x1, [x0, #CTX_FPCR]
	mrs	x1, fpsr
	str	x1, [x0, #CTX_FPSR]
	mov	w0, #0
	ret
END(ckpt_arch_capture)
