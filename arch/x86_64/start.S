/*
 * The restorer's entry point.
 *
 * The kernel starts us with rsp pointing at argc, then argv[], NULL,
 * envp[], NULL and the auxiliary vector; all other registers are
 * unspecified except rdx (an atexit function, unused without a dynamic
 * loader). restorer_start(long *sp) takes it from there and never returns,
 * on the restorer's own stack (__stack_end, linker/restorer.lds): the
 * kernel's may be as small as RLIMIT_STACK lets it be (ulimit -s 12).
 */
#include "arch/asm.h"

	.section .text.entry, "ax"
ENTRY(_start)
	xor	%ebp, %ebp		/* outermost frame */
	mov	%rsp, %rdi		/* argc, argv, envp, auxv */
	lea	__stack_end(%rip), %rsp	/* 16-byte aligned by the script */
	call	restorer_start
	ud2
END(_start)
