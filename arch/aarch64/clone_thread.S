/*
 * long ckpt_arch_clone_thread(uint64_t flags, void *stack, int *ptid,
 *                             int *ctid, uint64_t tls, void (*fn)(void *))
 *                  [x0 = flags, x1 = stack, x2 = ptid, x3 = ctid,
 *                   x4 = tls, x5 = fn]
 *
 * clone(2) for a thread of this process: the new thread starts on stack
 * and calls fn(*(void **)stack), which must not return; the caller gets
 * the new tid or -errno. The kernel's argument order on aarch64 is flags,
 * newsp, parent_tid, tls, child_tid (CONFIG_CLONE_BACKWARDS). The child
 * has every register of the parent but x0 (0), so fn comes through x5.
 */
#include <asm/unistd.h>

#include "arch/asm.h"

	.text
HIDDEN_ENTRY(ckpt_arch_clone_thread)
	mov	x6, x3
	mov	x3, x4
	mov	x4, x6
	mov	x8, #__NR_clone
	svc	#0
	cbnz	x0, 1f
	/* The new thread, on stack (16-byte aligned: the caller's promise). */
	mov	x29, #0			/* end of the frame chain */
	mov	x30, #0
	ldr	x0, [sp]
	blr	x5
	brk	#0			/* fn returned: must not happen */
1:	ret
END(ckpt_arch_clone_thread)
