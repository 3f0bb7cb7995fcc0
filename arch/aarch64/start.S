/*
 * The restorer's entry point.
 *
 * The kernel starts us with sp pointing at argc, then argv[], NULL,
 * envp[], NULL and the auxiliary vector, sp 16-byte aligned; x0 holds an
 * atexit function (unused without a dynamic loader). restorer_start(long
 * *sp) takes it from there and never returns.
 */
#include "arch/asm.h"

	.section .text.entry, "ax"
ENTRY(_start)
	mov	x29, #0			/* outermost frame */
	mov	x30, #0
	mov	x0, sp			/* argc, argv, envp, auxv */
	bl	restorer_start
	brk	#0
END(_start)
