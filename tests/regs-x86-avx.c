// REQUIRES: x86_64, avx
// A checkpoint signal lands while a loop in assembly holds known values in
// every general-purpose register but rsp, in ymm0-15, in MXCSR and the x87
// control word, with the direction flag set; after the restore the loop
// finishes and every value must still be there. (regs-x86.c does the same
// for the AVX-512 registers.)
// RUN: %cc %s %runtime -o %t
// RUN: %drive --image %t.ckpt --at '^READY$' --delay 50 -- %t | FileCheck %s
//
// CHECK: gen0: READY
// CHECK-NOT: gen0: registers
// CHECK: gen0: signal KILL
// CHECK: gen1: registers ok across the restore
// CHECK-NEXT: gen1: exit 0
#include <stdint.h>
#include <string.h>

#include "Inputs/testing.h"

// The layout spin() reads and writes; the offsets are used in the asm.
struct regs {
	uint64_t gpr[16];  // 0: rax rbx rcx rdx rsi rdi rbp r8-r15 (15 used)
	uint64_t rflags;   // 128
	uint32_t mxcsr;    // 136
	uint16_t fcw;      // 140
	uint8_t pad[50];   // to 192
	uint8_t ymm[16][32]; // 192
};
_Static_assert(__builtin_offsetof(struct regs, ymm) == 192, "layout");

static const char *const gpr_names[15] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
	"r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

#define DF (1u << 10)

// void spin(const struct regs *in, struct regs *out, uint64_t iterations)
// Loads everything from in, sets DF, counts iterations down in memory (so
// no register changes), then stores everything to out and restores the
// caller's state.
__asm__(
	".intel_syntax noprefix\n"
	".text\n"
	".globl spin\n"
	".type spin, @function\n"
	"spin:\n"
	"	push rbx\n push rbp\n push r12\n push r13\n push r14\n push r15\n"
	"	sub rsp, 40\n"
	"	mov [rsp], rdx\n"		// iterations left
	"	mov [rsp + 8], rsi\n"		// out
	"	stmxcsr dword ptr [rsp + 16]\n"	// the caller's, restored below
	"	fnstcw word ptr [rsp + 24]\n"
	"	ldmxcsr dword ptr [rdi + 136]\n"
	"	fldcw word ptr [rdi + 140]\n"
	"	vmovdqu ymm0, [rdi + 192 + 0 * 32]\n"
	"	vmovdqu ymm1, [rdi + 192 + 1 * 32]\n"
	"	vmovdqu ymm2, [rdi + 192 + 2 * 32]\n"
	"	vmovdqu ymm3, [rdi + 192 + 3 * 32]\n"
	"	vmovdqu ymm4, [rdi + 192 + 4 * 32]\n"
	"	vmovdqu ymm5, [rdi + 192 + 5 * 32]\n"
	"	vmovdqu ymm6, [rdi + 192 + 6 * 32]\n"
	"	vmovdqu ymm7, [rdi + 192 + 7 * 32]\n"
	"	vmovdqu ymm8, [rdi + 192 + 8 * 32]\n"
	"	vmovdqu ymm9, [rdi + 192 + 9 * 32]\n"
	"	vmovdqu ymm10, [rdi + 192 + 10 * 32]\n"
	"	vmovdqu ymm11, [rdi + 192 + 11 * 32]\n"
	"	vmovdqu ymm12, [rdi + 192 + 12 * 32]\n"
	"	vmovdqu ymm13, [rdi + 192 + 13 * 32]\n"
	"	vmovdqu ymm14, [rdi + 192 + 14 * 32]\n"
	"	vmovdqu ymm15, [rdi + 192 + 15 * 32]\n"
	"	mov rax, [rdi + 0 * 8]\n"
	"	mov rbx, [rdi + 1 * 8]\n"
	"	mov rcx, [rdi + 2 * 8]\n"
	"	mov rdx, [rdi + 3 * 8]\n"
	"	mov rsi, [rdi + 4 * 8]\n"
	"	mov rbp, [rdi + 6 * 8]\n"
	"	mov r8, [rdi + 7 * 8]\n"
	"	mov r9, [rdi + 8 * 8]\n"
	"	mov r10, [rdi + 9 * 8]\n"
	"	mov r11, [rdi + 10 * 8]\n"
	"	mov r12, [rdi + 11 * 8]\n"
	"	mov r13, [rdi + 12 * 8]\n"
	"	mov r14, [rdi + 13 * 8]\n"
	"	mov r15, [rdi + 14 * 8]\n"
	"	mov rdi, [rdi + 5 * 8]\n"	// last: it held in
	"	std\n"
	"1:	sub qword ptr [rsp], 1\n"	// the loop the signal lands in
	"	jnz 1b\n"
	"	pushfq\n"
	"	cld\n"				// the ABI wants DF clear again
	"	push rax\n"			// now [rsp + 24] is out
	"	mov rax, [rsp + 24]\n"
	"	mov [rax + 1 * 8], rbx\n"
	"	mov [rax + 2 * 8], rcx\n"
	"	mov [rax + 3 * 8], rdx\n"
	"	mov [rax + 4 * 8], rsi\n"
	"	mov [rax + 5 * 8], rdi\n"
	"	mov [rax + 6 * 8], rbp\n"
	"	mov [rax + 7 * 8], r8\n"
	"	mov [rax + 8 * 8], r9\n"
	"	mov [rax + 9 * 8], r10\n"
	"	mov [rax + 10 * 8], r11\n"
	"	mov [rax + 11 * 8], r12\n"
	"	mov [rax + 12 * 8], r13\n"
	"	mov [rax + 13 * 8], r14\n"
	"	mov [rax + 14 * 8], r15\n"
	"	pop qword ptr [rax + 0 * 8]\n"	// rax
	"	pop qword ptr [rax + 128]\n"	// rflags
	"	stmxcsr dword ptr [rax + 136]\n"
	"	fnstcw word ptr [rax + 140]\n"
	"	vmovdqu [rax + 192 + 0 * 32], ymm0\n"
	"	vmovdqu [rax + 192 + 1 * 32], ymm1\n"
	"	vmovdqu [rax + 192 + 2 * 32], ymm2\n"
	"	vmovdqu [rax + 192 + 3 * 32], ymm3\n"
	"	vmovdqu [rax + 192 + 4 * 32], ymm4\n"
	"	vmovdqu [rax + 192 + 5 * 32], ymm5\n"
	"	vmovdqu [rax + 192 + 6 * 32], ymm6\n"
	"	vmovdqu [rax + 192 + 7 * 32], ymm7\n"
	"	vmovdqu [rax + 192 + 8 * 32], ymm8\n"
	"	vmovdqu [rax + 192 + 9 * 32], ymm9\n"
	"	vmovdqu [rax + 192 + 10 * 32], ymm10\n"
	"	vmovdqu [rax + 192 + 11 * 32], ymm11\n"
	"	vmovdqu [rax + 192 + 12 * 32], ymm12\n"
	"	vmovdqu [rax + 192 + 13 * 32], ymm13\n"
	"	vmovdqu [rax + 192 + 14 * 32], ymm14\n"
	"	vmovdqu [rax + 192 + 15 * 32], ymm15\n"
	"	vzeroupper\n"
	"	ldmxcsr dword ptr [rsp + 16]\n"
	"	fldcw word ptr [rsp + 24]\n"
	"	add rsp, 40\n"
	"	pop r15\n pop r14\n pop r13\n pop r12\n pop rbp\n pop rbx\n"
	"	ret\n"
	".size spin, . - spin\n"
	".att_syntax prefix\n");

void spin(const struct regs *in, struct regs *out, uint64_t iterations);

static struct regs want, got;

static int compare(void)
{
	int bad = 0;
	for (int i = 0; i < 15; i++) {
		if (got.gpr[i] != want.gpr[i]) {
			printf("%s differs: %#llx, want %#llx\n", gpr_names[i],
			       (unsigned long long)got.gpr[i],
			       (unsigned long long)want.gpr[i]);
			bad = 1;
		}
	}
	if (!(got.rflags & DF)) {
		printf("rflags.DF is clear (rflags %#llx)\n",
		       (unsigned long long)got.rflags);
		bad = 1;
	}
	if (got.mxcsr != want.mxcsr) {
		printf("mxcsr differs: %#x, want %#x\n", got.mxcsr, want.mxcsr);
		bad = 1;
	}
	if (got.fcw != want.fcw) {
		printf("x87 control word differs: %#x, want %#x\n", got.fcw,
		       want.fcw);
		bad = 1;
	}
	for (int r = 0; r < 16; r++) {
		for (int b = 0; b < 32; b++) {
			if (got.ymm[r][b] != want.ymm[r][b]) {
				printf("ymm%d differs: byte %d is %#x, want "
				       "%#x\n", r, b, got.ymm[r][b],
				       want.ymm[r][b]);
				bad = 1;
				break;
			}
		}
	}
	return bad;
}

int main(void)
{
	testing_start();
	for (int i = 0; i < 15; i++)
		want.gpr[i] = testing_value(i);
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 32; b++)
			want.ymm[r][b] = (uint8_t)testing_value(100 + r * 32 + b);
	want.mxcsr = 0x1f80 | 0x6000 | 0x8000; // masked, round to zero, FZ
	want.fcw = 0x037f & ~0x0300 & ~0x0c00; // 24-bit precision, nearest
	want.fcw |= 0x0400;                    // round down

	double start = testing_now();
	printf("READY\n");
	for (;;) {
		pid_t before = getpid();
		memset(&got, 0, sizeof got);
		spin(&want, &got, 1 << 26); // ~20 ms
		if (compare())
			return 1;
		if (getpid() != before) {
			printf("registers ok across the restore\n");
			return 0;
		}
		// Only if the signal landed between two calls of spin().
		TESTING_ASSERT(!testing_restored(),
			       "restored outside the loop: nothing tested");
		TESTING_ASSERT(testing_now() - start < 30,
			       "no restore within 30 s");
	}
}
