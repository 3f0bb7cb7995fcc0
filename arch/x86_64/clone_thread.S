/*
 * long ckpt_arch_clone_thread(uint64_t flags, void *stack, int *ptid,
 *                             int *ctid, uint64_t tls, void (*fn)(void *))
 *                  [rdi = flags, rsi = stack, rdx = ptid, rcx = ctid,
 *                   r8 = tls, r9 = fn]
 *
 * clone(2) for a thread of this process: the new thread starts on stack
 * and calls fn(*(void **)stack), which must not return; the caller gets
 * the new tid or -errno. The kernel's argument order on x86_64 is flags,
 * newsp, parent_tid, child_tid, tls. The child has every register of the
 * parent but rax (0), rcx and r11 (syscall clobbers them), so fn comes
 * through r9.
 */
#include <asm/unistd.h>

#include "arch/asm.h"

	.text
HIDDEN_ENTRY(ckpt_arch_clone_thread)
	mov	%rcx, %r10
	mov	$__NR_clone, %eax
	syscall
	test	%rax, %rax
	jnz	1f
	/* The new thread, on stack (16-byte aligned: the caller's promise). */
	xor	%ebp, %ebp		/* end of the frame chain */
	mov	(%rsp), %rdi
	call	*%r9
	ud2				/* fn returned: must not happen */
1:	ret
END(ckpt_arch_clone_thread)
