/*
 * [[noreturn]] void ckpt_arch_jump(void (*fn)(void), void *stack_top)
 *                                          [rdi = fn, rsi = stack_top]
 *
 * Switches to a new stack and calls fn there, leaving no frame behind: the
 * restorer uses it to leave the kernel's stack and to continue in a moved
 * copy of itself. fn must not return.
 */
#include "arch/asm.h"

	.text
HIDDEN_ENTRY(ckpt_arch_jump)
	mov	%rsi, %rsp
	and	$-16, %rsp		/* ABI: 16-byte aligned at the call */
	xor	%ebp, %ebp		/* end of the frame chain */
	call	*%rdi
	ud2				/* fn returned: must not happen */
END(ckpt_arch_jump)
