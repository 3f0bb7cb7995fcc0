/*
 * long ckpt_arch_call_on_stack(long (*fn)(void *), void *arg, void *top)
 *                                          [x0 = fn, x1 = arg, x2 = top]
 *
 * Calls fn(arg) with sp at top (aligned down to 16 bytes) and returns its
 * result (x0) on the caller's stack again. The caller's stack keeps only
 * this frame (x29, x30): the checkpoint runs its work on a stack of the
 * runtime's. Clobbers what a call may (x3 here).
 */
#include "arch/asm.h"

	.text
HIDDEN_ENTRY(ckpt_arch_call_on_stack)
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp			/* the way back, callee-saved in fn */
	and	x2, x2, #~15		/* AAPCS64: sp 16-byte aligned */
	mov	sp, x2
	mov	x3, x0
	mov	x0, x1
	blr	x3
	mov	sp, x29
	ldp	x29, x30, [sp], #16
	ret
END(ckpt_arch_call_on_stack)
