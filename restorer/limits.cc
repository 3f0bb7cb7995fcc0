// Whether the restore fits the resource limits in force: RLIMIT_AS and
// RLIMIT_DATA bound what the restorer maps (the kernel's may_expand_vm()
// refuses an mmap or mprotect beyond them with ENOMEM), and RLIMIT_STACK
// bounds the app's stack once restored (its next growth would fault).
// Checked before the point of no return; a soft limit below what is
// needed is raised to it where the hard limit allows (restore_limits_
// and_timers() puts the image's limits in place at the end anyway).
#include <linux/resource.h>

#include "arch/sys.h"
#include "restorer/restorer.h"

#define HIDDEN __attribute__((visibility("hidden")))
extern "C" HIDDEN char __data_start[];

namespace restorer {

namespace {

constexpr uint64_t infinity = ~0ull; // RLIM_INFINITY

struct needs {
	uint64_t as;   // every mapping at once
	uint64_t data; // private writable ones but the stack (VM_STACK)
};

needs memory_needed()
{
	const range self = self_range();
	needs n = {self.end - self.start, self.end - (uint64_t)__data_start};
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		const uint64_t len = r.end - r.start;
		n.as += len; // the kernel's block too: it moves, it stays
		if (r.kind == image::kind_kernel ||
		    (r.flags & image::region_shared) ||
		    r.kind == image::kind_stack)
			continue;
		if (r.prot & PROT_WRITE)
			n.data += len;
		else
			n.data += r.data_size; // writable while it is read
	}
	return n;
}

ckpt::text &kib(ckpt::text &t, uint64_t v)
{
	return v == infinity ? t.str("unlimited") : t.udec(v >> 10).str(" KiB");
}

// Makes the soft limit at least need; false (with the message) if the
// hard limit is below it.
bool fit(ckpt::text &err, int resource, const char *name, uint64_t need,
	 const char *what)
{
	sys::rlimit now;
	if (sys::prlimit(resource, nullptr, &now) < 0 || now.cur >= need)
		return true;
	if (now.max >= need) {
		// Some room above the count: the kernel's own mappings (an
		// emulator's page, the restorer's stack guard) are not in it.
		const uint64_t room = 1 << 20;
		sys::rlimit raised = {now.max - need > room ? need + room
							    : now.max,
				      now.max};
		if (sys::prlimit(resource, &raised, nullptr) == 0)
			return true;
	}
	message(err).str(name).str(": the restore needs ");
	kib(err, need).str(" of ").str(what).str(", the limit is ");
	kib(err, now.cur).str(" (hard ");
	kib(err, now.max).str(")\n");
	return false;
}

} // namespace

bool check_memory_limits(ckpt::text &err)
{
	const needs n = memory_needed();
	if (!fit(err, RLIMIT_AS, "RLIMIT_AS", n.as, "address space") ||
	    !fit(err, RLIMIT_DATA, "RLIMIT_DATA", n.data,
		 "private writable memory"))
		return false;
	// The app's stack limit after the restore: its own soft limit, or
	// the hard one in force if that is lower and cannot be raised (by
	// now prepare_process() has raised it where it could).
	const image::process_state &p = g.tables.process->process;
	sys::rlimit now;
	if (!(p.rlimits_known & (1u << RLIMIT_STACK)) ||
	    sys::prlimit(RLIMIT_STACK, nullptr, &now) < 0)
		return true;
	uint64_t limit = p.rlimits[RLIMIT_STACK].cur;
	if (limit > now.max)
		limit = now.max;
	for (uint32_t i = 0; i < g.tables.region_count; i++) {
		const image::region &r = g.tables.regions[i];
		if (r.kind != image::kind_stack || r.end - r.start <= limit)
			continue;
		message(err).str("RLIMIT_STACK: the app's stack is ");
		kib(err, r.end - r.start).str(", the limit it would have is ");
		kib(err, limit).str(" (hard ");
		kib(err, now.max).str(")\n");
		return false;
	}
	return true;
}

} // namespace restorer
