/*
 * long ckpt_arch_call_on_stack(long (*fn)(void *), void *arg, void *top)
 *                                       [rdi = fn, rsi = arg, rdx = top]
 *
 * Calls fn(arg) with the stack pointer at top (aligned down to 16 bytes)
 * and returns its result (rax) on the caller's stack again. The caller's
 * stack keeps only this frame (saved rbp and the return address): the
 * checkpoint runs its work on a stack of the runtime's. Clobbers what a
 * call may.
 */
#include "arch/asm.h"

	.text
HIDDEN_ENTRY(ckpt_arch_call_on_stack)
	push	%rbp
	mov	%rsp, %rbp		/* the way back, callee-saved in fn */
	mov	%rdx, %rsp
	and	$-16, %rsp		/* ABI: 16-byte aligned at the call */
	mov	%rdi, %rax
	mov	%rsi, %rdi
	call	*%rax
	mov	%rbp, %rsp
	pop	%rbp
	ret
END(ckpt_arch_call_on_stack)
