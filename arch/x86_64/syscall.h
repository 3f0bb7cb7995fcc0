// x86_64 raw system calls.
//
// ABI: number in rax; arguments in rdi, rsi, rdx, r10, r8, r9; `syscall`
// returns in rax (-4095..-1 is -errno) and clobbers rcx (return rip) and
// r11 (rflags). No other register changes.
#pragma once

namespace arch {

static inline long syscall0(long n)
{
	long ret;
	asm volatile("syscall" : "=a"(ret) : "a"(n) : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall1(long n, long a)
{
	long ret;
	asm volatile("syscall" : "=a"(ret) : "a"(n), "D"(a)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall2(long n, long a, long b)
{
	long ret;
	asm volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall3(long n, long a, long b, long c)
{
	long ret;
	asm volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall4(long n, long a, long b, long c, long d)
{
	long ret;
	register long r10 asm("r10") = d;
	asm volatile("syscall" : "=a"(ret)
		     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall5(long n, long a, long b, long c, long d, long e)
{
	long ret;
	register long r10 asm("r10") = d;
	register long r8 asm("r8") = e;
	asm volatile("syscall" : "=a"(ret)
		     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall6(long n, long a, long b, long c, long d, long e,
			    long f)
{
	long ret;
	register long r10 asm("r10") = d;
	register long r8 asm("r8") = e;
	register long r9 asm("r9") = f;
	asm volatile("syscall" : "=a"(ret)
		     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
		       "r"(r9)
		     : "rcx", "r11", "memory");
	return ret;
}

} // namespace arch
