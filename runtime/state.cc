// Kernel-side process state that memory does not hold: signal
// dispositions, mask and altstack, the thread's registers outside the
// signal frame, the mm fields and the auxiliary vector.
#include "runtime/runtime.h"

#include <linux/auxvec.h>
#include <linux/signal.h>

#include "runtime/io.h"
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

void save_auxv(image::header *h)
{
	long n = read_file("/proc/self/auxv", (char *)h->auxv,
			   sizeof h->auxv);
	h->auxv_words = n > 0 ? (uint32_t)(n / sizeof(uint64_t)) : 0;
	// Readers stop at AT_NULL (0): leave nothing half read.
	if (n <= 0)
		memset(h->auxv, 0, sizeof h->auxv);
}

} // namespace

long save_kernel_state(image::header *h)
{
	long ret = arch::save_thread_state(&h->thread.state);
	if (ret < 0)
		return ret;
	for (int sig = 1; sig <= image::signal_count; sig++) {
		ret = sys::rt_sigaction(sig, nullptr,
					&h->sigactions[sig - 1]);
		// An emulator may reserve some real-time signals.
		if (ret < 0)
			h->sigactions[sig - 1] = {};
	}
	h->sigmask = checkpoint_mask;
	h->signal_frame = checkpoint_signal_frame;
	ret = sys::sigaltstack(nullptr, &h->altstack);
	if (ret < 0)
		return ret;
	save_mm(&h->mm);
	save_auxv(h);
	return 0;
}

} // namespace ckpt
