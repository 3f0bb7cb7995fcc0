/*
 * long ckpt_arch_call_on_stack(long (*fn)(void *), void *arg,
 *                              void *stack_top)
 *                              [rdi = fn, rsi = arg, rdx = stack_top]
 *
 * Calls fn(arg) on another stack and returns its result (rax) on the
 * caller's: the runtime runs a checkpoint on a stack of its own, whatever
 * small stack the signal interrupted. rbp holds the caller's stack
 * pointer across the call (fn preserves it, as the ABI says); the
 * caller-saved registers are fn's to clobber.
 */
#include "arch/asm.h"

	.text
HIDDEN_ENTRY(ckpt_arch_call_on_stack)
	push	%rbp
	mov	%rsp, %rbp		/* the caller's stack, for the way back */
	mov	%rdx, %rsp
	and	$-16, %rsp		/* ABI: 16-byte aligned at the call */
	mov	%rdi, %rax
	mov	%rsi, %rdi		/* fn's argument */
	call	*%rax
	mov	%rbp, %rsp
	pop	%rbp
	ret
END(ckpt_arch_call_on_stack)
