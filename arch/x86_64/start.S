/*
 * The restorer's entry point.
 *
 * The kernel starts us with rsp pointing at argc, then argv[], NULL,
 * envp[], NULL and the auxiliary vector; all other registers are
 * unspecified except rdx (an atexit function, unused without a dynamic
 * loader). restorer_start(long *sp) takes it from there and never returns.
 */
#include "arch/asm.h"

	.section .text.entry, "ax"
ENTRY(_start)
	xor	%ebp, %ebp		/* outermost frame */
	mov	%rsp, %rdi		/* argc, argv, envp, auxv */
	and	$-16, %rsp		/* ABI: 16-byte aligned at the call */
	call	restorer_start
	ud2
END(_start)
