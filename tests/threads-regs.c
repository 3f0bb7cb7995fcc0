// A checkpoint signal lands while 2, 8 or 64 threads each spin in a loop in
// assembly with values of their own in their general registers (and the
// flags), and in their vector registers: x86_64 zmm0-31 and k1-k7 when
// the CPU has AVX-512F, else ymm0-15 (AVX), else xmm0-15; aarch64 v0-v31
// with NZCV, FPCR and FPSR. After the restore every thread finishes its
// loop, checks its own values and says so from its own thread (a thread
// that was not restored prints nothing); the main thread, blocked in
// pthread_join() across the checkpoint, joins them all.
// RUN: %cc %s %runtime -o %t -lpthread
// RUN: %drive --timeout 30 --image %t.2.ckpt --at '^READY$' --delay 50 -- %t 2 \
// RUN:   | FileCheck --check-prefixes=CHECK,T2 %s
// RUN: %drive --timeout 30 --image %t.8.ckpt --at '^READY$' --delay 50 -- %t 8 \
// RUN:   | FileCheck --check-prefixes=CHECK,T8 %s
// RUN: %drive --timeout 30 --image %t.64.ckpt --at '^READY$' --delay 50 -- %t 64 \
// RUN:   | FileCheck --check-prefixes=CHECK,T64 %s
//
// CHECK: gen0: READY
// CHECK-NOT: gen0: thread
// CHECK: gen0: signal KILL
// CHECK-NOT: differs
// T2-COUNT-2: gen1: thread {{[0-9]+}}: registers ok after the restore
// T8-COUNT-8: gen1: thread {{[0-9]+}}: registers ok after the restore
// T64-COUNT-64: gen1: thread {{[0-9]+}}: registers ok after the restore
// T2-NEXT: gen1: 2 of 2 threads: registers ok across the restore ({{[xyz]mm|v}})
// T8-NEXT: gen1: 8 of 8 threads: registers ok across the restore ({{[xyz]mm|v}})
// T64-NEXT: gen1: 64 of 64 threads: registers ok across the restore ({{[xyz]mm|v}})
// CHECK-NEXT: gen1: exit 0
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "Inputs/testing.h"

#define REP8N(m, a, b, c, d, e, f, g, h) m(a) m(b) m(c) m(d) m(e) m(f) m(g) m(h)
#define REP16(m) REP8N(m, 0, 1, 2, 3, 4, 5, 6, 7) \
	REP8N(m, 8, 9, 10, 11, 12, 13, 14, 15)
#define REP32(m) REP16(m) REP8N(m, 16, 17, 18, 19, 20, 21, 22, 23) \
	REP8N(m, 24, 25, 26, 27, 28, 29, 30, 31)

#if defined(__x86_64__)

// The layout spin_*() read and write; the offsets are used in the asm.
struct regs {
	uint64_t gpr[16];    // 0: rax rbx rcx rdx rsi rdi rbp r8-r15 (15 used)
	uint64_t rflags;     // 128
	uint8_t pad[56];     // to 192
	uint8_t vec[32][64]; // 192: zmm, ymm or xmm (the low bytes)
	uint16_t k[8];       // 2240: k1-k7 (k0 unused)
};
_Static_assert(__builtin_offsetof(struct regs, vec) == 192, "layout");
_Static_assert(__builtin_offsetof(struct regs, k) == 2240, "layout");

static const char *const gpr_names[15] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
	"r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

#define DF (1u << 10)

#define ZL(i) "	vmovdqu64 zmm" #i ", [rdi + 192 + " #i " * 64]\n"
#define ZS(i) "	vmovdqu64 [rax + 192 + " #i " * 64], zmm" #i "\n"
#define KL(i) "	kmovw k" #i ", word ptr [rdi + 2240 + " #i " * 2]\n"
#define KS(i) "	kmovw word ptr [rax + 2240 + " #i " * 2], k" #i "\n"
#define YL(i) "	vmovdqu ymm" #i ", [rdi + 192 + " #i " * 64]\n"
#define YS(i) "	vmovdqu [rax + 192 + " #i " * 64], ymm" #i "\n"
#define XL(i) "	movdqu xmm" #i ", [rdi + 192 + " #i " * 64]\n"
#define XS(i) "	movdqu [rax + 192 + " #i " * 64], xmm" #i "\n"
#define K7(m) m(1) m(2) m(3) m(4) m(5) m(6) m(7)

// void NAME(const struct regs *in, struct regs *out, uint64_t iterations)
// Loads everything from in, sets DF, counts iterations down in memory (so
// no register changes), then stores everything to out. Vector and mask
// registers are caller-saved: only rbx, rbp, r12-r15 need restoring.
#define SPIN_X86(name, load, store, tail)                                      \
	__asm__(".intel_syntax noprefix\n"                                     \
		".text\n"                                                      \
		".globl " #name "\n"                                           \
		".type " #name ", @function\n"                                 \
		#name ":\n"                                                    \
		"	push rbx\n push rbp\n push r12\n push r13\n"           \
		"	push r14\n push r15\n"                                 \
		"	sub rsp, 24\n"                                         \
		"	mov [rsp], rdx\n"                                      \
		"	mov [rsp + 8], rsi\n"                                  \
		load                                                           \
		"	mov rax, [rdi + 0 * 8]\n"                              \
		"	mov rbx, [rdi + 1 * 8]\n"                              \
		"	mov rcx, [rdi + 2 * 8]\n"                              \
		"	mov rdx, [rdi + 3 * 8]\n"                              \
		"	mov rsi, [rdi + 4 * 8]\n"                              \
		"	mov rbp, [rdi + 6 * 8]\n"                              \
		"	mov r8, [rdi + 7 * 8]\n"                               \
		"	mov r9, [rdi + 8 * 8]\n"                               \
		"	mov r10, [rdi + 9 * 8]\n"                              \
		"	mov r11, [rdi + 10 * 8]\n"                             \
		"	mov r12, [rdi + 11 * 8]\n"                             \
		"	mov r13, [rdi + 12 * 8]\n"                             \
		"	mov r14, [rdi + 13 * 8]\n"                             \
		"	mov r15, [rdi + 14 * 8]\n"                             \
		"	mov rdi, [rdi + 5 * 8]\n"                              \
		"	std\n"                                                 \
		"1:	sub qword ptr [rsp], 1\n"                              \
		"	jnz 1b\n"                                              \
		"	pushfq\n"                                              \
		"	cld\n"                                                 \
		"	push rax\n"                                            \
		"	mov rax, [rsp + 24]\n"                                 \
		"	mov [rax + 1 * 8], rbx\n"                              \
		"	mov [rax + 2 * 8], rcx\n"                              \
		"	mov [rax + 3 * 8], rdx\n"                              \
		"	mov [rax + 4 * 8], rsi\n"                              \
		"	mov [rax + 5 * 8], rdi\n"                              \
		"	mov [rax + 6 * 8], rbp\n"                              \
		"	mov [rax + 7 * 8], r8\n"                               \
		"	mov [rax + 8 * 8], r9\n"                               \
		"	mov [rax + 9 * 8], r10\n"                              \
		"	mov [rax + 10 * 8], r11\n"                             \
		"	mov [rax + 11 * 8], r12\n"                             \
		"	mov [rax + 12 * 8], r13\n"                             \
		"	mov [rax + 13 * 8], r14\n"                             \
		"	mov [rax + 14 * 8], r15\n"                             \
		"	pop qword ptr [rax + 0 * 8]\n"                         \
		"	pop qword ptr [rax + 128]\n"                           \
		store                                                          \
		tail                                                           \
		"	add rsp, 24\n"                                         \
		"	pop r15\n pop r14\n pop r13\n pop r12\n"               \
		"	pop rbp\n pop rbx\n"                                   \
		"	ret\n"                                                 \
		".size " #name ", . - " #name "\n"                             \
		".att_syntax prefix\n")

SPIN_X86(spin_zmm, REP32(ZL) K7(KL), REP32(ZS) K7(KS), "	vzeroupper\n");
SPIN_X86(spin_ymm, REP16(YL), REP16(YS), "	vzeroupper\n");
SPIN_X86(spin_xmm, REP16(XL), REP16(XS), "");

void spin_zmm(const struct regs *in, struct regs *out, uint64_t iterations);
void spin_ymm(const struct regs *in, struct regs *out, uint64_t iterations);
void spin_xmm(const struct regs *in, struct regs *out, uint64_t iterations);

static void (*spin)(const struct regs *, struct regs *, uint64_t);
static int vec_count, vec_bytes, masks;
static const char *vec_name;

static void choose_vectors(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f")) {
		spin = spin_zmm, vec_name = "zmm";
		vec_count = 32, vec_bytes = 64, masks = 1;
	} else if (__builtin_cpu_supports("avx")) {
		spin = spin_ymm, vec_name = "ymm";
		vec_count = 16, vec_bytes = 32;
	} else {
		spin = spin_xmm, vec_name = "xmm";
		vec_count = 16, vec_bytes = 16;
	}
}

static void fill(struct regs *r, int thread)
{
	unsigned long long base = (unsigned long long)thread << 16;
	for (int i = 0; i < 15; i++)
		r->gpr[i] = testing_value(base + i);
	for (int v = 0; v < vec_count; v++)
		for (int b = 0; b < vec_bytes; b++)
			r->vec[v][b] = (uint8_t)testing_value(base + 100 +
							      v * 64 + b);
	for (int k = 1; masks && k < 8; k++)
		r->k[k] = (uint16_t)testing_value(base + 5000 + k);
}

static int compare(int thread, const struct regs *got, const struct regs *want)
{
	int bad = 0;
	for (int i = 0; i < 15; i++) {
		if (got->gpr[i] != want->gpr[i]) {
			printf("thread %d: %s differs: %#llx, want %#llx\n",
			       thread, gpr_names[i],
			       (unsigned long long)got->gpr[i],
			       (unsigned long long)want->gpr[i]);
			bad = 1;
		}
	}
	if (!(got->rflags & DF)) {
		printf("thread %d: rflags differs: DF is clear (%#llx)\n",
		       thread, (unsigned long long)got->rflags);
		bad = 1;
	}
	for (int v = 0; v < vec_count; v++) {
		if (memcmp(got->vec[v], want->vec[v], vec_bytes)) {
			printf("thread %d: %s%d differs\n", thread, vec_name, v);
			bad = 1;
		}
	}
	for (int k = 1; masks && k < 8; k++) {
		if (got->k[k] != want->k[k]) {
			printf("thread %d: k%d differs: %#x, want %#x\n",
			       thread, k, got->k[k], want->k[k]);
			bad = 1;
		}
	}
	return bad;
}

#elif defined(__aarch64__)

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

#define XLD(i) "	ldr x" #i ", [x0, #" #i " * 8]\n"
#define XST(i) "	str x" #i ", [x16, #" #i " * 8]\n"
#define X1_15(m) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) m(10) m(11) \
	m(12) m(13) m(14) m(15)
#define X17_30(m) m(17) m(18) m(19) m(20) m(21) m(22) m(23) m(24) m(25) \
	m(26) m(27) m(28) m(29) m(30)

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
	X1_15(XLD)
	X17_30(XLD)
	"	ldr x0, [x0]\n"			// last: it held in
	"1:	ldr x16, [sp, #160]\n"		// the loop the signal lands in
	"	sub x16, x16, #1\n"
	"	str x16, [sp, #160]\n"
	"	cbnz x16, 1b\n"
	"	ldr x16, [sp, #168]\n"		// out
	"	str x0, [x16, #0]\n"
	X1_15(XST)
	X17_30(XST)
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

static const char *vec_name = "v"; // v0-v31

static void choose_vectors(void)
{
}

static void fill(struct regs *r, int thread)
{
	unsigned long long base = (unsigned long long)thread << 16;
	for (int i = 0; i < 31; i++)
		r->x[i] = testing_value(base + i);
	for (int v = 0; v < 32; v++)
		for (int b = 0; b < 16; b++)
			r->v[v][b] = (uint8_t)testing_value(base + 100 +
							    v * 16 + b);
	// Flags and FP control differ between neighbouring threads.
	r->nzcv = thread & 1 ? 0xa0000000 : 0x50000000; // N C, or Z V
	r->fpcr = thread & 1 ? 0x01400000 : 0x00c00000; // FZ +inf, or -> 0
	r->fpsr = thread & 1 ? 0x08000011 : 0x00000082; // QC IXC IOC, or ...
}

static int check(int thread, const char *name, uint64_t got, uint64_t want)
{
	if (got == want)
		return 0;
	printf("thread %d: %s differs: %#llx, want %#llx\n", thread, name,
	       (unsigned long long)got, (unsigned long long)want);
	return 1;
}

static int compare(int thread, const struct regs *got, const struct regs *want)
{
	int bad = 0;
	char name[8];
	for (int i = 0; i < 31; i++) {
		if (i == 16)
			continue;
		snprintf(name, sizeof name, "x%d", i);
		bad |= check(thread, name, got->x[i], want->x[i]);
	}
	bad |= check(thread, "nzcv", got->nzcv & NZCV_MASK, want->nzcv);
	bad |= check(thread, "fpcr", got->fpcr & FPCR_MASK, want->fpcr);
	bad |= check(thread, "fpsr", got->fpsr & FPSR_MASK, want->fpsr);
	for (int v = 0; v < 32; v++) {
		if (memcmp(got->v[v], want->v[v], 16)) {
			printf("thread %d: v%d differs\n", thread, v);
			bad = 1;
		}
	}
	return bad;
}

#else
#error "no register test for this architecture"
#endif

#define MAX_THREADS 64

struct slot {
	struct regs want, got;
	int index;
	int ok;
	pthread_t thread;
};

static struct slot slots[MAX_THREADS];
static int started;

static void *worker(void *arg)
{
	struct slot *s = arg;
	fill(&s->want, s->index);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	double start = testing_now();
	for (;;) {
		memset(&s->got, 0, sizeof s->got);
		spin(&s->want, &s->got, 1 << 22);
		if (compare(s->index, &s->got, &s->want))
			return NULL;
		// A restore that lands outside spin() is checked by the
		// next round, which then runs in the restored process.
		if (testing_restored()) {
			printf("thread %d: registers ok after the restore\n",
			       s->index);
			s->ok = 1;
			return NULL;
		}
		if (testing_now() - start > 60) {
			printf("thread %d: no restore within 60 s\n", s->index);
			return NULL;
		}
	}
}

int main(int argc, char **argv)
{
	testing_start();
	int n = argc == 2 ? atoi(argv[1]) : 0;
	if (n < 1 || n > MAX_THREADS)
		return 2;
	choose_vectors();
	for (int i = 0; i < n; i++) {
		slots[i].index = i;
		TESTING_ASSERT(pthread_create(&slots[i].thread, NULL, worker,
					      &slots[i]) == 0,
			       "thread %d not created", i);
	}
	for (int i = 0; i < 10000 && __atomic_load_n(&started, __ATOMIC_SEQ_CST) < n; i++)
		testing_nap(1);
	TESTING_ASSERT(started == n, "only %d of %d threads started", started, n);
	printf("READY\n");
	int ok = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(slots[i].thread, NULL);
		ok += slots[i].ok;
	}
	printf("%d of %d threads: registers ok across the restore (%s)\n", ok,
	       n, vec_name);
	return ok == n ? 0 : 1;
}
