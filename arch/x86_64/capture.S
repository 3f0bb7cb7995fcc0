/*
 * int ckpt_arch_capture(struct arch::context *ctx)    [rdi = ctx]
 *
 * Saves what a call must preserve under the SysV x86_64 ABI (rbx, rbp,
 * r12-r15, the stack pointer, the MXCSR and the x87 control word) and the
 * return address, then returns 0 (eax). ckpt_arch_resume() later makes
 * this same call return 1, in this process or in a restored one: the
 * setjmp half of a longjmp that crosses processes. Clobbers only rax.
 */
#include "arch/asm.h"
#include "arch/x86_64/context.h"

	.text
HIDDEN_ENTRY(ckpt_arch_capture)
	mov	%rbx, CTX_RBX(%rdi)
	mov	%rbp, CTX_RBP(%rdi)
	mov	%r12, CTX_R12(%rdi)
	mov	%r13, CTX_R13(%rdi)
	mov	%r14, CTX_R14(%rdi)
	mov	%r15, CTX_R15(%rdi)
	lea	8(%rsp), %rax		/* the caller's rsp once we return */
	mov	%rax, CTX_SP(%rdi)
	mov	(%rsp), %rax		/* return address */
	mov	%rax, CTX_PC(%rdi)
	stmxcsr	CTX_MXCSR(%rdi)
	fnstcw	CTX_FPUCW(%rdi)
	xor	%eax, %eax
	ret
END(ckpt_arch_capture)
