// Kernel-side state that memory does not hold: of the process, signal
// dispositions, the mm fields and the auxiliary vector; of each thread,
// its registers outside the signal frame, mask, altstack, the kernel's
// pointers into its memory (tid, robust list, rseq) and its name.
#include "runtime/runtime.h"

#include <linux/auxvec.h>
#include <linux/signal.h>

#include "runtime/io.h"
#include "runtime/process.h"
#include "runtime/str.h"

namespace ckpt {

namespace {

// /proc/self/stat fields (1-based, man 5 proc) that hold the mm layout.
struct stat_field {
	int index;
	uint64_t image::mm_fields::*field;
};

constexpr stat_field mm_stat_fields[] = {
	{26, &image::mm_fields::start_code},
	{27, &image::mm_fields::end_code},
	{28, &image::mm_fields::start_stack},
	{45, &image::mm_fields::start_data},
	{46, &image::mm_fields::end_data},
	{47, &image::mm_fields::start_brk},
	{48, &image::mm_fields::arg_start},
	{49, &image::mm_fields::arg_end},
	{50, &image::mm_fields::env_start},
	{51, &image::mm_fields::env_end},
};

// Reads the mm fields; leaves them zero where the kernel (or an emulator)
// hides them.
void save_mm(image::mm_fields *mm)
{
	char buf[1024];
	long n = read_file("/proc/self/stat", buf, sizeof buf);
	*mm = {};
	if (n <= 0)
		return;
	// Field 2 is "(comm)" and comm may hold spaces or ')': resume after
	// the last ')'.
	const char *p = buf + n;
	while (p > buf && p[-1] != ')')
		p--;
	if (p == buf)
		return;
	int index = 2;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		if (p == start)
			break;
		index++;
		for (const auto &f : mm_stat_fields) {
			uint64_t v;
			if (f.index == index &&
			    parse_u64(start, p - start, &v))
				mm->*f.field = v;
		}
		if (*p == '\n')
			break;
	}
	if (!mm->start_code || !mm->start_brk)
		*mm = {};
	else
		mm->brk = sys::brk(0);
}

void save_auxv(image::process_record *p)
{
	long n = read_file("/proc/self/auxv", (char *)p->auxv,
			   sizeof p->auxv);
	p->auxv_words = n > 0 ? (uint32_t)(n / sizeof(uint64_t)) : 0;
	// Readers stop at AT_NULL (0): leave nothing half read.
	if (n <= 0)
		memset(p->auxv, 0, sizeof p->auxv);
}

} // namespace

long save_kernel_state(image::process_record *p)
{
	for (int sig = 1; sig <= image::signal_count; sig++) {
		long ret = sys::rt_sigaction(sig, nullptr,
					     &p->sigactions[sig - 1]);
		// An emulator may reserve some real-time signals.
		if (ret < 0)
			p->sigactions[sig - 1] = {};
	}
	save_mm(&p->mm);
	save_auxv(p);
	return 0;
}

long save_thread(image::thread_record *t, uint32_t flags,
		 const arch::context *ctx, uint64_t mask, uint64_t signal_frame,
		 text &msg)
{
	*t = {};
	t->tid = (uint32_t)sys::gettid();
	t->flags = flags;
	if ((long)t->tid == sys::getpid())
		t->flags |= image::thread_group_leader;
	t->context_addr = (uint64_t)ctx;
	t->signal_frame = signal_frame;
	t->sigmask = mask;
	long ret = arch::save_thread_state(&t->arch.state);
	if (ret < 0) {
		msg.str("cannot read the thread pointer: ").errno_name(ret);
		return ret;
	}
	ret = sys::sigaltstack(nullptr, &t->altstack);
	if (ret < 0) {
		msg.str("sigaltstack: ").errno_name(ret);
		return ret;
	}
	if (sys::prctl(PR_GET_NAME, (uint64_t)t->name) == 0) {
		t->name[sizeof t->name - 1] = 0;
		t->flags |= image::thread_name;
	} else {
		memset(t->name, 0, sizeof t->name);
	}
	// qemu-user refuses these two (EINVAL, ENOSYS): then glibc's tid
	// cache and robust list are found in its thread descriptor, or stay
	// 0, which the restorer leaves alone.
	if (sys::prctl(PR_GET_TID_ADDRESS, (uint64_t)&t->tid_address) < 0)
		t->tid_address = glibc_tid_address();
	if (sys::get_robust_list(&t->robust_list, &t->robust_list_len) < 0) {
		t->robust_list = glibc_robust_list(t->tid_address);
		t->robust_list_len = t->robust_list ? 3 * sizeof(uint64_t) : 0;
		if (t->robust_list)
			t->flags |= image::thread_robust_unregistered;
	}
	return save_rseq(*t, msg);
}

} // namespace ckpt
