/*
 * [[noreturn]] void ckpt_arch_jump(void (*fn)(void), void *stack_top)
 *                                            [x0 = fn, x1 = stack_top]
 *
 * Switches to a new stack and calls fn there, leaving no frame behind: the
 * restorer uses it to leave the kernel's stack and to continue in a moved
 * copy of itself. fn must not return.
 */
#include "arch/asm.h"

	.text
HIDDEN_ENTRY(ckpt_arch_jump)
	and	x1, x1, #~15		/* AAPCS64: sp 16-byte aligned */
	mov	sp, x1
	mov	x29, #0			/* end of the frame chain */
	mov	x30, #0
	blr	x0
	brk	#0			/* fn returned: must not happen */
END(ckpt_arch_jump)
