// aarch64 raw system calls.
//
// ABI: number in x8; arguments in x0-x5; `svc #0` returns in x0 (-4095..-1
// is -errno). No other register changes.
#pragma once

namespace arch {

static inline long syscall6(long n, long a, long b, long c, long d, long e,
			    long f)
{
	register long x8 asm("x8") = n;
	register long x0 asm("x0") = a;
	register long x1 asm("x1") = b;
	register long x2 asm("x2") = c;
	register long x3 asm("x3") = d;
	register long x4 asm("x4") = e;
	register long x5 asm("x5") = f;
	asm volatile("svc #0"
		     : "+r"(x0)
		     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
		     : "memory", "cc");
	return x0;
}

// Unused argument registers are passed as zero: harmless, and it keeps one
// asm statement for every arity.
static inline long syscall0(long n) { return syscall6(n, 0, 0, 0, 0, 0, 0); }
static inline long syscall1(long n, long a)
{
	return syscall6(n, a, 0, 0, 0, 0, 0);
}
static inline long syscall2(long n, long a, long b)
{
	return syscall6(n, a, b, 0, 0, 0, 0);
}
static inline long syscall3(long n, long a, long b, long c)
{
	return syscall6(n, a, b, c, 0, 0, 0);
}
static inline long syscall4(long n, long a, long b, long c, long d)
{
	return syscall6(n, a, b, c, d, 0, 0);
}
static inline long syscall5(long n, long a, long b, long c, long d, long e)
{
	return syscall6(n, a, b, c, d, e, 0);
}

} // namespace arch
