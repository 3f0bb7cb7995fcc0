/*
 * [[noreturn]] void ckpt_arch_resume(const struct arch::context *ctx)
 *                                                        [rdi = ctx]
 *
 * Loads the state ckpt_arch_capture() saved and returns 1 (eax) from that
 * capture call. The restorer calls this last, with the app's memory, TLS
 * base and signal state already in place; its own stack is abandoned.
 */
#include "arch/asm.h"
#include "arch/x86_64/context.h"

	.text
HIDDEN_ENTRY(ckpt_arch_resume)
	mov	CTX_RBX(%rdi), %rbx
	mov	CTX_RBP(%rdi), %rbp
	mov	CTX_R12(%rdi), %r12
	mov	CTX_R13(%rdi), %r13
	mov	CTX_R14(%rdi), %r14
	mov	CTX_R15(%rdi), %r15
	ldmxcsr	CTX_MXCSR(%rdi)
	fldcw	CTX_FPUCW(%rdi)
	mov	CTX_SP(%rdi), %rsp
	mov	$1, %eax
	jmp	*CTX_PC(%rdi)
END(ckpt_arch_resume)
