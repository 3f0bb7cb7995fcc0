// REQUIRES: aarch64
// A checkpoint signal lands while a loop in assembly holds known values in
// x0-x30 (but x16, its scratch register), v0-v31, NZCV, FPCR and FPSR;
// after the restore the loop finishes and every value must still be there.
// The kernel (or qemu) saves all of it in the signal frame, which is part
// of the image.
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
	uint64_t x[31];      // 0: x0-x30 (x16 unused)
	uint64_t nzcv;       // 248
	uint64_t fpcr;       // 256
	uint64_t fpsr;       // 264
	uint8_t v[32][16];   // 272
};
_Static_assert(__builtin_offsetof(struct regs, v) == 272, "layout");

#define NZCV_MASK 0xf0000000u
#define FPCR_MASK 0x07c00000u // AHP DN FZ RMode: what this test sets
#define FPSR_MASK 0x0800009fu // QC and the cumulative exception bits

// void spin(const struct regs *in, struct regs *out, uint64_t iterations)
// Loads everything from in, counts iterations down in memory with x16 as
// the only scratch register (cbnz leaves NZCV alone), then stores
// everything to out and restores the caller's registers and FPCR/FPSR.
// Frame: [sp] x29 x30, +16..+95 x19-x28, +96..+159 d8-d15,
// +160 iterations left, +168 out, +176 FPCR, +184 FPSR.
__asm__(
	".text\n"
	".globl spin\n"
	".type spin, %function\n"
	"spin:\n"
	"	stp x29, x30, [sp, #-192]!\n"
	"	mov x29, sp\n"
	"	stp x19, x20, [sp, #16]\n"
	"	stp x21, x22, [sp, #32]\n"
	"	stp x23, x24, [sp, #48]\n"
	"	stp x25, x26, [sp, #64]\n"
	"	stp x27, x28, [sp, #80]\n"
	"	stp d8, d9, [sp, #96]\n"
	"	stp d10, d11, [sp, #112]\n"
	"	stp d12, d13, [sp, #128]\n"
	"	stp d14, d15, [sp, #144]\n"
	"	str x2, [sp, #160]\n"
	"	str x1, [sp, #168]\n"
	"	mrs x3, fpcr\n"
	"	str x3, [sp, #176]\n"
	"	mrs x3, fpsr\n"
	"	str x3, [sp, #184]\n"
	"	add x3, x0, #272\n"
	"	ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x3], #64\n"
	"	ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [x3], #64\n"
	"	ld1 {v8.16b, v9.16b, v10.16b, v11.16b}, [x3], #64\n"
	"	ld1 {v12.16b, v13.16b, v14.16b, v15.16b}, [x3], #64\n"
	"	ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x3], #64\n"
	"	ld1 {v20.16b, v21.16b, v22.16b, v23.16b}, [x3], #64\n"
	"	ld1 {v24.16b, v25.16b, v26.16b, v27.16b}, [x3], #64\n"
	"	ld1 {v28.16b, v29.16b, v30.16b, v31.16b}, [x3], #64\n"
	"	ldr x3, [x0, #256]\n"
	"	msr fpcr, x3\n"
	"	ldr x3, [x0, #264]\n"
	"	msr fpsr, x3\n"
	"	ldr x3, [x0, #248]\n"
	"	msr nzcv, x3\n"
	"	ldr x1, [x0, #8]\n"
	"	ldr x2, [x0, #16]\n"
	"	ldr x3, [x0, #24]\n"
	"	ldr x4, [x0, #32]\n"
	"	ldr x5, [x0, #40]\n"
	"	ldr x6, [x0, #48]\n"
	"	ldr x7, [x0, #56]\n"
	"	ldr x8, [x0, #64]\n"
	"	ldr x9, [x0, #72]\n"
	"	ldr x10, [x0, #80]\n"
	"	ldr x11, [x0, #88]\n"
	"	ldr x12, [x0, #96]\n"
	"	ldr x13, [x0, #104]\n"
	"	ldr x14, [x0, #112]\n"
	"	ldr x15, [x0, #120]\n"
	"	ldr x17, [x0, #136]\n"
	"	ldr x18, [x0, #144]\n"
	"	ldr x19, [x0, #152]\n"
	"	ldr x20, [x0, #160]\n"
	"	ldr x21, [x0, #168]\n"
	"	ldr x22, [x0, #176]\n"
	"	ldr x23, [x0, #184]\n"
	"	ldr x24, [x0, #192]\n"
	"	ldr x25, [x0, #200]\n"
	"	ldr x26, [x0, #208]\n"
	"	ldr x27, [x0, #216]\n"
	"	ldr x28, [x0, #224]\n"
	"	ldr x29, [x0, #232]\n"
	"	ldr x30, [x0, #240]\n"
	"	ldr x0, [x0]\n"			// last: it held in
	"1:	ldr x16, [sp, #160]\n"		// the loop the signal lands in
	"	sub x16, x16, #1\n"
	"	str x16, [sp, #160]\n"
	"	cbnz x16, 1b\n"
	"	ldr x16, [sp, #168]\n"		// out
	"	str x0, [x16, #0]\n"
	"	str x1, [x16, #8]\n"
	"	str x2, [x16, #16]\n"
	"	str x3, [x16, #24]\n"
	"	str x4, [x16, #32]\n"
	"	str x5, [x16, #40]\n"
	"	str x6, [x16, #48]\n"
	"	str x7, [x16, #56]\n"
	"	str x8, [x16, #64]\n"
	"	str x9, [x16, #72]\n"
	"	str x10, [x16, #80]\n"
	"	str x11, [x16, #88]\n"
	"	str x12, [x16, #96]\n"
	"	str x13, [x16, #104]\n"
	"	str x14, [x16, #112]\n"
	"	str x15, [x16, #120]\n"
	"	str x17, [x16, #136]\n"
	"	str x18, [x16, #144]\n"
	"	str x19, [x16, #152]\n"
	"	str x20, [x16, #160]\n"
	"	str x21, [x16, #168]\n"
	"	str x22, [x16, #176]\n"
	"	str x23, [x16, #184]\n"
	"	str x24, [x16, #192]\n"
	"	str x25, [x16, #200]\n"
	"	str x26, [x16, #208]\n"
	"	str x27, [x16, #216]\n"
	"	str x28, [x16, #224]\n"
	"	str x29, [x16, #232]\n"
	"	str x30, [x16, #240]\n"
	"	mrs x0, nzcv\n"
	"	str x0, [x16, #248]\n"
	"	mrs x0, fpcr\n"
	"	str x0, [x16, #256]\n"
	"	mrs x0, fpsr\n"
	"	str x0, [x16, #264]\n"
	"	add x0, x16, #272\n"
	"	st1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x0], #64\n"
	"	st1 {v4.16b, v5.16b, v6.16b, v7.16b}, [x0], #64\n"
	"	st1 {v8.16b, v9.16b, v10.16b, v11.16b}, [x0], #64\n"
	"	st1 {v12.16b, v13.16b, v14.16b, v15.16b}, [x0], #64\n"
	"	st1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x0], #64\n"
	"	st1 {v20.16b, v21.16b, v22.16b, v23.16b}, [x0], #64\n"
	"	st1 {v24.16b, v25.16b, v26.16b, v27.16b}, [x0], #64\n"
	"	st1 {v28.16b, v29.16b, v30.16b, v31.16b}, [x0], #64\n"
	"	ldr x3, [sp, #176]\n"
	"	msr fpcr, x3\n"
	"	ldr x3, [sp, #184]\n"
	"	msr fpsr, x3\n"
	"	ldp x19, x20, [sp, #16]\n"
	"	ldp x21, x22, [sp, #32]\n"
	"	ldp x23, x24, [sp, #48]\n"
	"	ldp x25, x26, [sp, #64]\n"
	"	ldp x27, x28, [sp, #80]\n"
	"	ldp d8, d9, [sp, #96]\n"
	"	ldp d10, d11, [sp, #112]\n"
	"	ldp d12, d13, [sp, #128]\n"
	"	ldp d14, d15, [sp, #144]\n"
	"	ldp x29, x30, [sp], #192\n"
	"	ret\n"
	".size spin, . - spin\n");

void spin(const struct regs *in, struct regs *out, uint64_t iterations);

static struct regs want, got;

static int check(const char *name, uint64_t got_value, uint64_t want_value)
{
	if (got_value == want_value)
		return 0;
	printf("%s differs: %#llx, want %#llx\n", name,
	       (unsigned long long)got_value, (unsigned long long)want_value);
	return 1;
}

static int compare(void)
{
	int bad = 0;
	char name[8];
	for (int i = 0; i < 31; i++) {
		if (i == 16)
			continue;
		snprintf(name, sizeof name, "x%d", i);
		bad |= check(name, got.x[i], want.x[i]);
	}
	bad |= check("nzcv", got.nzcv & NZCV_MASK, want.nzcv);
	bad |= check("fpcr", got.fpcr & FPCR_MASK, want.fpcr);
	bad |= check("fpsr", got.fpsr & FPSR_MASK, want.fpsr);
	for (int r = 0; r < 32; r++) {
		for (int b = 0; b < 16; b++) {
			if (got.v[r][b] != want.v[r][b]) {
				printf("v%d differs: byte %d is %#x, want "
				       "%#x\n", r, b, got.v[r][b],
				       want.v[r][b]);
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
	for (int i = 0; i < 31; i++)
		want.x[i] = testing_value(i);
	for (int r = 0; r < 32; r++)
		for (int b = 0; b < 16; b++)
			want.v[r][b] = (uint8_t)testing_value(100 + r * 16 + b);
	want.nzcv = 0xa0000000;  // N and C
	want.fpcr = 0x01400000;  // FZ, round towards plus infinity
	want.fpsr = 0x08000011;  // QC, IXC, IOC

	double start = testing_now();
	printf("READY\n");
	for (;;) {
		pid_t before = getpid();
		memset(&got, 0, sizeof got);
		spin(&want, &got, 1 << 24); // ~15 ms under qemu
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
