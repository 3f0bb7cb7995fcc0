/* Macros for the one-function-per-file assembly sources in arch/<arch>/. */
#pragma once

/* A global function, visible to the rest of the program. */
#define ENTRY(name)             \
	.globl name;            \
	.type name, %function;  \
	name:

/* A function other objects of the same program may call, hidden from the
 * app that links runtime.o. */
#define HIDDEN_ENTRY(name)      \
	.hidden name;           \
	ENTRY(name)

#define END(name) .size name, . - name

/* Our code never needs an executable stack; say so, or the linker assumes
 * it does. */
	.section .note.GNU-stack, "", %progbits
	.previous
