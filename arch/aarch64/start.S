/*
 * The restorer's entry point.
 *
 * The kernel starts us with sp pointing at argc, then argv[], NULL,
 * envp[], NULL and the auxiliary vector, sp 16-byte aligned; x0 holds an
 * atexit function (unused without a dynamic loader). restorer_start(long
 * *sp) takes it from there and never returns, on the restorer's own stack
 * (__stack_end, linker/restorer.lds): the kernel's may be as small as
 * RLIMIT_STACK lets it be (ulimit -s 12).
 */
#include "arch/asm.h"

	.section .text.entry, "ax"
ENTRY(_start)
	mov	x29, #0			/* outermost frame */
	mov	x30, #0
	mov	x0, sp			/* argc, argv, envp, auxv */
	adrp	x1, __stack_end		/* PC-relative: no absolute address */
	add	x1, x1, :lo12:__stack_end
	mov	sp, x1			/* 16-byte aligned by the script */
	bl	restorer_start
	brk	#0
END(_start)
