/*
 * ckpt_arch_sigreturn: the sa_restorer of the runtime's signal handler.
 *
 * The handler returns here (x30); rt_sigreturn restores the interrupted
 * context from the signal frame on the stack. Without an sa_restorer the
 * kernel would return through the vdso, which qemu-user does not have.
 */
#include "arch/asm.h"

	.text
	/* Unwinders and debuggers look up pc - 4 to name the caller; the
	 * nop keeps that word inside this function rather than the one
	 * before it. */
	nop
HIDDEN_ENTRY(ckpt_arch_sigreturn)
	mov	x8, #139		/* SYS_rt_sigreturn */
	svc	#0
	brk	#0			/* rt_sigreturn does not return */
END(ckpt_arch_sigreturn)
