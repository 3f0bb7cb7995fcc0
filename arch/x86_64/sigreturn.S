/*
 * ckpt_arch_sigreturn: the sa_restorer of the runtime's signal handler.
 *
 * The handler returns here; rt_sigreturn restores the interrupted context
 * from the signal frame on the stack. x86_64 requires an sa_restorer for
 * every handler (the kernel refuses to deliver a signal without one).
 */
#include "arch/asm.h"

	.text
	/* Unwinders and debuggers look up pc - 1 to name the caller; the
	 * nop keeps that byte inside this function rather than the one
	 * before it. */
	nop
HIDDEN_ENTRY(ckpt_arch_sigreturn)
	mov	$15, %eax		/* SYS_rt_sigreturn */
	syscall
	ud2				/* rt_sigreturn does not return */
END(ckpt_arch_sigreturn)
