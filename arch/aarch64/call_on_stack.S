/*
 * long ckpt_arch_call_on_stack(long (*fn)(void *), void *arg,
 *                              void *stack_top)
 *                              [x0 = fn, x1 = arg, x2 = stack_top]
 *
 * Calls fn(arg) on another stack and returns its result (x0) on the
 * caller's: the runtime runs a checkpoint on a stack of its own, whatever
 * small stack the signal interrupted. x29 holds the caller's stack
 * pointer across the call (fn preserves it, as AAPCS64 says), and the
 * frame record keeps the chain walkable; x16 (IP0) is a scratch register
 * any call may clobber.
 */
#include "arch/asm.h"

	.text
HIDDEN_ENTRY(ckpt_arch_call_on_stack)
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp			/* the caller's stack, for the way back */
	and	x2, x2, #~15		/* AAPCS64: sp 16-byte aligned */
	mov	sp, x2
	mov	x16, x0
	mov	x0, x1			/* fn's argument */
	blr	x16
	mov	sp, x29
	ldp	x29, x30, [sp], #16
	ret
END(ckpt_arch_call_on_stack)
