// REQUIRES: x86_64, avx512f
// A checkpoint signal lands while a loop in assembly holds known values in
// every general-purpose register but rsp, in zmm0-31 and k1-k7, with the
// direction flag set; after the restore the loop finishes and every value
// must still be there. The kernel saves all of it in the signal frame's
// XSAVE area, which is several KiB here: the image must carry it whole.
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
	uint64_t gpr[16];    // 0: rax rbx rcx rdx rsi rdi rbp r8-r15 (15 used)
	uint64_t rflags;     // 128
	uint8_t pad[56];     // to 192
	uint8_t zmm[32][64]; // 192
	uint16_t k[8];       // 2240: k1-k7 (k0 unused)
};
_Static_assert(__builtin_offsetof(struct regs, zmm) == 192, "layout");
_Static_assert(__builtin_offsetof(struct regs, k) == 2240, "layout");

static const char *const gpr_names[15] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
	"r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

#define DF (1u << 10)

// void spin(const struct regs *in, struct regs *out, uint64_t iterations)
// Loads everything from in, sets DF, counts iterations down in memory (so
// no register changes), then stores everything to out. zmm and k registers
// are all caller-saved: only rbx, rbp, r12-r15 need restoring.
__asm__(
	".intel_syntax noprefix\n"
	".text\n"
	".globl spin\n"
	".type spin, @function\n"
	"spin:\n"
	"	push rbx\n push rbp\n push r12\n push r13\n push r14\n push r15\n"
	"	sub rsp, 24\n"
	"	mov [rsp], rdx\n"		// iterations left
	"	mov [rsp + 8], rsi\n"		// out
	"	vmovdqu64 zmm0, [rdi + 192 + 0 * 64]\n"
	"	vmovdqu64 zmm1, [rdi + 192 + 1 * 64]\n"
	"	vmovdqu64 zmm2, [rdi + 192 + 2 * 64]\n"
	"	vmovdqu64 zmm3, [rdi + 192 + 3 * 64]\n"
	"	vmovdqu64 zmm4, [rdi + 192 + 4 * 64]\n"
	"	vmovdqu64 zmm5, [rdi + 192 + 5 * 64]\n"
	"	vmovdqu64 zmm6, [rdi + 192 + 6 * 64]\n"
	"	vmovdqu64 zmm7, [rdi + 192 + 7 * 64]\n"
	"	vmovdqu64 zmm8, [rdi + 192 + 8 * 64]\n"
	"	vmovdqu64 zmm9, [rdi + 192 + 9 * 64]\n"
	"	vmovdqu64 zmm10, [rdi + 192 + 10 * 64]\n"
	"	vmovdqu64 zmm11, [rdi + 192 + 11 * 64]\n"
	"	vmovdqu64 zmm12, [rdi + 192 + 12 * 64]\n"
	"	vmovdqu64 zmm13, [rdi + 192 + 13 * 64]\n"
	"	vmovdqu64 zmm14, [rdi + 192 + 14 * 64]\n"
	"	vmovdqu64 zmm15, [rdi + 192 + 15 * 64]\n"
	"	vmovdqu64 zmm16, [rdi + 192 + 16 * 64]\n"
	"	vmovdqu64 zmm17, [rdi + 192 + 17 * 64]\n"
	"	vmovdqu64 zmm18, [rdi + 192 + 18 * 64]\n"
	"	vmovdqu64 zmm19, [rdi + 192 + 19 * 64]\n"
	"	vmovdqu64 zmm20, [rdi + 192 + 20 * 64]\n"
	"	vmovdqu64 zmm21, [rdi + 192 + 21 * 64]\n"
	"	vmovdqu64 zmm22, [rdi + 192 + 22 * 64]\n"
	"	vmovdqu64 zmm23, [rdi + 192 + 23 * 64]\n"
	"	vmovdqu64 zmm24, [rdi + 192 + 24 * 64]\n"
	"	vmovdqu64 zmm25, [rdi + 192 + 25 * 64]\n"
	"	vmovdqu64 zmm26, [rdi + 192 + 26 * 64]\n"
	"	vmovdqu64 zmm27, [rdi + 192 + 27 * 64]\n"
	"	vmovdqu64 zmm28, [rdi + 192 + 28 * 64]\n"
	"	vmovdqu64 zmm29, [rdi + 192 + 29 * 64]\n"
	"	vmovdqu64 zmm30, [rdi + 192 + 30 * 64]\n"
	"	vmovdqu64 zmm31, [rdi + 192 + 31 * 64]\n"
	"	kmovw k1, word ptr [rdi + 2240 + 1 * 2]\n"
	"	kmovw k2, word ptr [rdi + 2240 + 2 * 2]\n"
	"	kmovw k3, word ptr [rdi + 2240 + 3 * 2]\n"
	"	kmovw k4, word ptr [rdi + 2240 + 4 * 2]\n"
	"	kmovw k5, word ptr [rdi + 2240 + 5 * 2]\n"
	"	kmovw k6, word ptr [rdi + 2240 + 6 * 2]\n"
	"	kmovw k7, word ptr [rdi + 2240 + 7 * 2]\n"
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
	"	vmovdqu64 [rax + 192 + 0 * 64], zmm0\n"
	"	vmovdqu64 [rax + 192 + 1 * 64], zmm1\n"
	"	vmovdqu64 [rax + 192 + 2 * 64], zmm2\n"
	"	vmovdqu64 [rax + 192 + 3 * 64], zmm3\n"
	"	vmovdqu64 [rax + 192 + 4 * 64], zmm4\n"
	"	vmovdqu64 [rax + 192 + 5 * 64], zmm5\n"
	"	vmovdqu64 [rax + 192 + 6 * 64], zmm6\n"
	"	vmovdqu64 [rax + 192 + 7 * 64], zmm7\n"
	"	vmovdqu64 [rax + 192 + 8 * 64], zmm8\n"
	"	vmovdqu64 [rax + 192 + 9 * 64], zmm9\n"
	"	vmovdqu64 [rax + 192 + 10 * 64], zmm10\n"
	"	vmovdqu64 [rax + 192 + 11 * 64], zmm11\n"
	"	vmovdqu64 [rax + 192 + 12 * 64], zmm12\n"
	"	vmovdqu64 [rax + 192 + 13 * 64], zmm13\n"
	"	vmovdqu64 [rax + 192 + 14 * 64], zmm14\n"
	"	vmovdqu64 [rax + 192 + 15 * 64], zmm15\n"
	"	vmovdqu64 [rax + 192 + 16 * 64], zmm16\n"
	"	vmovdqu64 [rax + 192 + 17 * 64], zmm17\n"
	"	vmovdqu64 [rax + 192 + 18 * 64], zmm18\n"
	"	vmovdqu64 [rax + 192 + 19 * 64], zmm19\n"
	"	vmovdqu64 [rax + 192 + 20 * 64], zmm20\n"
	"	vmovdqu64 [rax + 192 + 21 * 64], zmm21\n"
	"	vmovdqu64 [rax + 192 + 22 * 64], zmm22\n"
	"	vmovdqu64 [rax + 192 + 23 * 64], zmm23\n"
	"	vmovdqu64 [rax + 192 + 24 * 64], zmm24\n"
	"	vmovdqu64 [rax + 192 + 25 * 64], zmm25\n"
	"	vmovdqu64 [rax + 192 + 26 * 64], zmm26\n"
	"	vmovdqu64 [rax + 192 + 27 * 64], zmm27\n"
	"	vmovdqu64 [rax + 192 + 28 * 64], zmm28\n"
	"	vmovdqu64 [rax + 192 + 29 * 64], zmm29\n"
	"	vmovdqu64 [rax + 192 + 30 * 64], zmm30\n"
	"	vmovdqu64 [rax + 192 + 31 * 64], zmm31\n"
	"	kmovw word ptr [rax + 2240 + 1 * 2], k1\n"
	"	kmovw word ptr [rax + 2240 + 2 * 2], k2\n"
	"	kmovw word ptr [rax + 2240 + 3 * 2], k3\n"
	"	kmovw word ptr [rax + 2240 + 4 * 2], k4\n"
	"	kmovw word ptr [rax + 2240 + 5 * 2], k5\n"
	"	kmovw word ptr [rax + 2240 + 6 * 2], k6\n"
	"	kmovw word ptr [rax + 2240 + 7 * 2], k7\n"
	"	vzeroupper\n"
	"	add rsp, 24\n"
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
	for (int r = 0; r < 32; r++) {
		for (int b = 0; b < 64; b++) {
			if (got.zmm[r][b] != want.zmm[r][b]) {
				printf("zmm%d differs: byte %d is %#x, want "
				       "%#x\n", r, b, got.zmm[r][b],
				       want.zmm[r][b]);
				bad = 1;
				break;
			}
		}
	}
	for (int k = 1; k < 8; k++) {
		if (got.k[k] != want.k[k]) {
			printf("k%d differs: %#x, want %#x\n", k, got.k[k],
			       want.k[k]);
			bad = 1;
		}
	}
	return bad;
}

int main(void)
{
	testing_start();
	for (int i = 0; i < 15; i++)
		want.gpr[i] = testing_value(i);
	for (int r = 0; r < 32; r++)
		for (int b = 0; b < 64; b++)
			want.zmm[r][b] = (uint8_t)testing_value(100 + r * 64 + b);
	for (int k = 1; k < 8; k++)
		want.k[k] = (uint16_t)testing_value(5000 + k);

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
