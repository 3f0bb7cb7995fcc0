// Validation of images: everything the restorer checks before it trusts
// an image with its address space.
#include "runtime/image.h"

#include <linux/mman.h>

#include "runtime/crc32c.h"
#include "runtime/str.h"

namespace image {

namespace {

bool page_aligned(uint64_t v, uint32_t page_size)
{
	return (v & (page_size - 1)) == 0;
}

// a + b <= limit, without overflow.
bool fits(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

} // namespace

const char *describe(fault f)
{
	// Arrays, not pointers: the restorer may hold no absolute address.
	static constexpr char text[][64] = {
		"no problem",
		"not a ckpt image (bad magic)",
		"image format is newer than this restorer",
		"unknown image format version",
		"image format 1 is older than this restorer reads",
		"image is for another architecture",
		"image page size differs from this system's",
		"header, section or entry size is wrong",
		"image is truncated",
		"image has trailing bytes",
		"region count is out of range",
		"run count is out of range",
		"string table size is out of range",
		"auxiliary vector is too long",
		"metadata size or data offset is out of range",
		"header checksum mismatch (corrupt image)",
		"string table is not terminated",
		"misaligned or empty region",
		"region is beyond the user address space",
		"region overlaps the one before it or is out of order",
		"unknown region kind, protection or flags",
		"region name is outside the string table",
		"region data size is wrong",
		"region run is misaligned, outside the region or out of order",
		"region data is misplaced or beyond the end of the image",
		"region data does not end where the image ends",
		"region data checksum mismatch (corrupt image)",
		"the runtime's state is not in writable saved memory",
		"fd count is out of range",
		"fd table entry is invalid or out of order",
		"process state (cwd, umask, limits, timers) is invalid",
		"section count is out of range",
		"section directory entry is invalid, misplaced or overlapping",
		"a section the restorer needs is missing",
		"a section appears twice in the directory",
		"image has an essential section this restorer does not know",
		"thread count is out of range",
		"thread record is invalid (tid, flags, name or rseq)",
		"not exactly one group leader, first in the thread section",
		"not exactly one thread took the checkpoint",
		"two threads have the same tid",
		"thread state is missing or not in writable saved memory",
		"file contents entry is invalid (fd, size, seals or data)",
		"file contents extent is out of order or past the file's end",
		"pipe record is invalid (ends, size or data)",
		"eventfd or epoll record is invalid (fd, target or flags)",
		"POSIX timer entry is invalid (id, clock, signal or time)",
		"pending signal entry is invalid (signal, scope or order)",
		"timerfd or signalfd entry is invalid (fd, clock or time)",
		"mapped file entry is invalid (region or order)",
		"process attribute entry is invalid (type, value or region)",
		"file policy entry is invalid (fd, policy, size or contents)",
		"file lock entry is invalid (fd, kind or range)",
		"inotify watch entry is invalid (fd, wd, order or path)",
		"socket entry is invalid (fd, family, state, peer or address)",
		"socket message is invalid (socket, order or data)",
		"incremental image: its inherited runs or parent are invalid",
	};
	static_assert(sizeof text / sizeof text[0] == (size_t)fault::count,
		      "one message per fault");
	return f < fault::count ? text[(int)f] : "unknown problem";
}

const char *kind_name(uint32_t kind)
{
	// An array of arrays: a switch may become a table of pointers, which
	// would be absolute addresses.
	static constexpr char names[kind_count][8] = {
		"anon", "file", "heap", "stack", "kernel"};
	return kind < kind_count ? names[kind] : "?";
}

const char *fd_kind_name(uint32_t kind)
{
	static constexpr char names[fd_kind_count][9] = {
		"file", "dir", "chr", "blk", "fifo", "socket", "anon",
		"memfd", "other", "eventfd", "epoll", "timerfd", "signalfd",
		"?", "?", "inotify", "kobject"};
	return kind < fd_kind_count ? names[kind] : "?";
}

const char *kernel_object_name(const char *name)
{
	using ckpt::starts_with;
	using ckpt::str_eq;
	// No table of pointers (absolute addresses): a chain of tests.
	if (str_eq(name, "/[aio] (deleted)"))
		return "an AIO context (io_setup)";
	if (str_eq(name, "anon_inode:[pidfd]"))
		return "a pidfd";
	if (str_eq(name, "anon_inode:[fanotify]"))
		return "a fanotify group";
	if (str_eq(name, "anon_inode:[io_uring]"))
		return "an io_uring instance";
	if (str_eq(name, "anon_inode:[perf_event]"))
		return "a perf_event";
	if (str_eq(name, "anon_inode:[userfaultfd]"))
		return "a userfaultfd";
	if (starts_with(name, "anon_inode:bpf"))
		return "a bpf object";
	// Namespaces: /proc/PID/ns links read "net:[4026531833]".
	const char *p = name;
	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	if (p != name && p[0] == ':' && p[1] == '[' && p[2] >= '0' &&
	    p[2] <= '9' && !starts_with(name, "pipe:") &&
	    !starts_with(name, "socket:"))
		return "a namespace";
	return nullptr;
}

bool is_pty_master(const fd_entry &e)
{
	return e.kind == fd_chr && e.rdev_major == 5 && e.rdev_minor == 2;
}

bool is_terminal(const fd_entry &e)
{
	if (e.kind != fd_chr)
		return false;
	const uint32_t major = e.rdev_major;
	// 136-143: pty slaves (/dev/pts/N); 4: virtual consoles and serial
	// ports; 5:0 /dev/tty, 5:1 /dev/console; 5:2 /dev/ptmx.
	return (major >= 136 && major <= 143) || major == 4 ||
	       (major == 5 && e.rdev_minor <= 2);
}

problem check_header(const header &h, uint64_t file_size, uint32_t page_size,
		     const target &t)
{
	if (memcmp(h.magic, magic, sizeof magic) != 0)
		return {fault::bad_magic};
	if (h.version > format_version)
		return {fault::newer_version};
	if (h.version == 1)
		return {fault::old_version};
	if (h.version != format_version)
		return {fault::unknown_version};
	if (h.machine != t.elf_machine)
		return {fault::other_arch};
	if (h.page_size != page_size)
		return {fault::other_page_size};
	if (h.header_size != sizeof(header) || h.section_size != sizeof(section))
		return {fault::bad_record_size};
	if (h.file_size != file_size)
		return {h.file_size > file_size ? fault::truncated
						: fault::trailing_bytes};
	if (h.section_count == 0 || h.section_count > max_sections)
		return {fault::bad_section_count};
	const uint64_t directory_end =
		sizeof(header) + (uint64_t)h.section_count * sizeof(section);
	if (h.meta_size < directory_end || h.meta_size > max_meta_size ||
	    h.meta_size > h.data_offset || h.reserved ||
	    !page_aligned(h.data_offset, page_size) ||
	    h.data_offset > file_size)
		return {fault::bad_offsets};
	return {};
}

uint32_t meta_crc(const void *meta, uint64_t meta_size)
{
	header copy = {};
	const uint64_t head = meta_size < sizeof copy ? meta_size : sizeof copy;
	memcpy(&copy, meta, head);
	copy.meta_crc = 0;
	uint32_t crc = ckpt::crc32c(0, &copy, head);
	return ckpt::crc32c(crc, static_cast<const char *>(meta) + head,
			    meta_size - head);
}

namespace {

// What the reader knows of each section type (index: type - 1).
struct known_section {
	uint32_t entry_size;
};
// The types after section_strings (7-21, 23, 24) are optional: an image without
// one has no such state.
constexpr known_section known[] = {
	{sizeof(process_record)}, {sizeof(thread_record)}, {sizeof(region)},
	{sizeof(run)},		  {sizeof(fd_entry)},	   {1},
	{sizeof(file_content)},	  {sizeof(extent)},
	{sizeof(pipe_record)}, {1}, {sizeof(event_record)},
	{sizeof(posix_timer)},	  {sizeof(pending_signal)},
	{sizeof(timerfd_entry)},  {sizeof(signalfd_entry)},
	{sizeof(mapped_file)},
	{sizeof(socket_entry)},	  {sizeof(socket_message)}, {1},
	{sizeof(file_lock)},	  {sizeof(inotify_watch)},
	{0},		       // 22: not used
	{sizeof(process_attr)},	  {sizeof(file_policy)},
};
constexpr uint32_t required_sections = (1u << (section_strings + 1)) - 2;
constexpr uint32_t known_count = sizeof known / sizeof known[0];

bool overlap(const section &a, const section &b)
{
	return a.size && b.size && a.offset < b.offset + b.size &&
	       b.offset < a.offset + a.size;
}

// Points out's member for section type (1-based) at the section's data.
void place(tables *out, uint32_t type, const char *at, uint32_t count)
{
	switch (type) {
	case section_process:
		out->process = reinterpret_cast<const process_record *>(at);
		break;
	case section_threads:
		out->threads = reinterpret_cast<const thread_record *>(at);
		out->thread_count = count;
		break;
	case section_regions:
		out->regions = reinterpret_cast<const region *>(at);
		out->region_count = count;
		break;
	case section_runs:
		out->runs = reinterpret_cast<const run *>(at);
		out->run_count = count;
		break;
	case section_fds:
		out->fds = reinterpret_cast<const fd_entry *>(at);
		out->fd_count = count;
		break;
	case section_contents:
		out->contents = reinterpret_cast<const file_content *>(at);
		out->content_count = count;
		break;
	case section_extents:
		out->extents = reinterpret_cast<const extent *>(at);
		out->extent_count = count;
		break;
	case section_pipes:
		out->pipes = reinterpret_cast<const pipe_record *>(at);
		out->pipe_count = count;
		break;
	case section_pipe_data:
		out->pipe_data = at;
		out->pipe_data_size = count;
		break;
	case section_events:
		out->events = reinterpret_cast<const event_record *>(at);
		out->event_count = count;
		break;
	case section_posix_timers:
		out->timers = reinterpret_cast<const posix_timer *>(at);
		out->timer_count = count;
		break;
	case section_pending_signals:
		out->signals = reinterpret_cast<const pending_signal *>(at);
		out->signal_count = count;
		break;
	case section_timerfds:
		out->timerfds = reinterpret_cast<const timerfd_entry *>(at);
		out->timerfd_count = count;
		break;
	case section_signalfds:
		out->signalfds = reinterpret_cast<const signalfd_entry *>(at);
		out->signalfd_count = count;
		break;
	case section_mapped_files:
		out->mapped_files = reinterpret_cast<const mapped_file *>(at);
		out->mapped_file_count = count;
		break;
	case section_process_attrs:
		out->attrs = reinterpret_cast<const process_attr *>(at);
		out->attr_count = count;
		break;
	case section_file_policies:
		out->file_policies = reinterpret_cast<const file_policy *>(at);
		out->file_policy_count = count;
		break;
	case section_locks:
		out->locks = reinterpret_cast<const file_lock *>(at);
		out->lock_count = count;
		break;
	case section_inotify_watches:
		out->watches = reinterpret_cast<const inotify_watch *>(at);
		out->watch_count = count;
		break;
	case section_sockets:
		out->sockets = reinterpret_cast<const socket_entry *>(at);
		out->socket_count = count;
		break;
	case section_socket_messages:
		out->socket_messages =
			reinterpret_cast<const socket_message *>(at);
		out->socket_message_count = count;
		break;
	case section_socket_data:
		out->socket_data = at;
		out->socket_data_size = count;
		break;
	default:
		out->strings = at;
		out->strings_size = count;
		break;
	}
}

} // namespace

problem find_sections(const header &h, const void *meta, tables *out)
{
	*out = {};
	if (meta_crc(meta, h.meta_size) != h.meta_crc)
		return {fault::bad_meta_crc};
	const char *base = static_cast<const char *>(meta);
	const auto *dir = reinterpret_cast<const section *>(base +
							    sizeof(header));
	const uint64_t directory_end =
		sizeof(header) + (uint64_t)h.section_count * sizeof(section);
	uint32_t seen = 0;
	for (uint32_t i = 0; i < h.section_count; i++) {
		const section &s = dir[i];
		if (s.reserved || !s.entry_size || (s.offset & 7) ||
		    s.offset < directory_end ||
		    !fits(s.offset, s.size, h.meta_size) ||
		    (uint64_t)s.entry_size * s.count != s.size)
			return {fault::bad_section};
		for (uint32_t k = 0; k < i; k++) {
			if (overlap(s, dir[k]))
				return {fault::bad_section};
		}
		const uint32_t type = s.type & ~(uint32_t)section_essential;
		// An incremental image's two (26, 27): both or neither.
		if (type == section_inherited_runs || type == section_parent) {
			const bool runs = type == section_inherited_runs;
			if (s.entry_size != (runs ? sizeof(inherited_run)
						  : sizeof(parent_record)))
				return {fault::bad_record_size};
			if (seen & (1u << type))
				return {fault::section_duplicate};
			seen |= 1u << type;
			if (runs) {
				out->inherited =
					reinterpret_cast<const inherited_run *>(
						base + s.offset);
				out->inherited_count = s.count;
			} else if (s.count != 1) {
				return {fault::bad_section};
			} else {
				out->parent =
					reinterpret_cast<const parent_record *>(
						base + s.offset);
			}
			continue;
		}
		if (type == 0 || type > known_count ||
		    !known[type - 1].entry_size) {
			// Skipped, unless what it holds would be lost.
			if (s.type & section_essential)
				return {fault::unknown_essential_section};
			continue;
		}
		if (s.entry_size != known[type - 1].entry_size)
			return {fault::bad_record_size};
		if (seen & (1u << type))
			return {fault::section_duplicate};
		seen |= 1u << type;
		// One process record: a count that is not one is no such
		// record at all.
		if (type == section_process && s.count != 1)
			return {fault::bad_section};
		place(out, type, base + s.offset, s.count);
	}
	if ((seen & required_sections) != required_sections)
		return {fault::section_missing};
	// Inherited runs need a parent (which may have none).
	if ((seen & (1u << section_inherited_runs)) &&
	    !(seen & (1u << section_parent)))
		return {fault::bad_chain};
	return {};
}

namespace {

// The runs of region r, starting at runs[*next]: inside it, aligned,
// ordered, apart, and adding up to its data_size.
bool check_runs(const header &h, const tables &tb, const region &r,
		uint32_t *next)
{
	if (r.run_count > tb.run_count - *next)
		return false;
	const uint64_t len = r.end - r.start;
	uint64_t end = 0, stored = 0;
	for (uint32_t i = 0; i < r.run_count; i++) {
		const run &u = tb.runs[(*next)++];
		if (!u.length || !page_aligned(u.offset, h.page_size) ||
		    !page_aligned(u.length, h.page_size) ||
		    (i && u.offset <= end) || !fits(u.offset, u.length, len))
			return false;
		end = u.offset + u.length;
		stored += u.length;
	}
	return stored == r.data_size;
}

// A region mapped from its file again: a shared mapping of a named file,
// with nothing stored.
bool check_file_backed(const header &h, const region &r)
{
	return (r.flags & region_shared) && r.kind == kind_file && r.name &&
	       !r.data_size && !r.run_count &&
	       page_aligned(r.file_offset, h.page_size);
}

// A private mapping of a file mapped from it again: of a named file, not
// shared, nothing else of the kind.
bool check_file_private(const header &h, const region &r)
{
	return !(r.flags & (region_shared | region_file_backed |
			    region_content)) &&
	       r.kind == kind_file && r.name &&
	       page_aligned(r.file_offset, h.page_size);
}

// The advice and locking bits of a region: what madvise() and mlock()
// take for its kind (wipe-on-fork and droppable memory are private and
// anonymous; lock-on-fault is a way of being locked).
bool check_advice(const region &r)
{
	const uint32_t f = r.flags;
	const bool anon_private = !(f & region_shared) &&
				  (r.kind == kind_anon || r.kind == kind_heap ||
				   r.kind == kind_stack);
	const uint32_t all = region_dontfork | region_wipeonfork |
			     region_dontdump | region_hugepage |
			     region_nohugepage | region_locked |
			     region_lockonfault | region_droppable;
	if (!(f & all))
		return true;
	return r.kind != kind_kernel &&
	       (anon_private || !(f & (region_wipeonfork | region_droppable))) &&
	       (r.kind != kind_stack || !(f & region_droppable)) &&
	       ((f & region_locked) || !(f & region_lockonfault)) &&
	       (f & (region_hugepage | region_nohugepage)) !=
		       (region_hugepage | region_nohugepage);
}

// Section 23: the process-wide attributes first, each type once, with
// values the kernel takes; then the regions of files only mappings hold,
// in region order, each a shared mapping of a deleted file or memfd whose
// group begins at itself or at an earlier such region.
problem check_process_attrs(const tables &tb)
{
	uint32_t seen = 0;
	long prev_region = -1;
	for (uint32_t i = 0; i < tb.attr_count; i++) {
		const process_attr &a = tb.attrs[i];
		problem bad{fault::bad_process_attr};
		if (a.type == attr_shared_file) {
			if (a.region >= tb.region_count ||
			    (long)a.region <= prev_region || a.value < 0 ||
			    a.value > (int64_t)a.region)
				return bad;
			const region &r = tb.regions[a.region];
			bad.region = a.region;
			bad.addr = r.start;
			if (!(r.flags & region_shared) || r.kind != kind_file ||
			    !r.name || (r.flags & (region_file_backed |
						    region_content |
						    region_file_private)))
				return bad;
			// Its group's first region is one of these too.
			bool first = a.value == (int64_t)a.region;
			for (uint32_t k = 0; k < i && !first; k++)
				first = tb.attrs[k].type == attr_shared_file &&
					tb.attrs[k].region == a.value &&
					tb.attrs[k].value == a.value;
			if (!first)
				return bad;
			prev_region = a.region;
			continue;
		}
		if (prev_region >= 0 || a.type < attr_oom_score_adj ||
		    a.type > attr_membarrier || (seen & (1u << a.type)) ||
		    a.region)
			return bad;
		seen |= 1u << a.type;
		const int64_t v = a.value;
		const uint32_t barriers = membarrier_private_expedited |
			membarrier_private_expedited_sync_core |
			membarrier_private_expedited_rseq;
		if ((a.type == attr_oom_score_adj && (v < -1000 || v > 1000)) ||
		    ((a.type == attr_thp_disable ||
		      a.type == attr_child_subreaper) && v != 1) ||
		    (a.type == attr_membarrier &&
		     (v <= 0 || (v & ~(int64_t)barriers))))
			return bad;
	}
	return {};
}

// An increment's parent record and inherited runs: each inside its
// region_incremental region, page aligned, sorted, apart from each other
// and from the region's own runs.
problem check_inherited(const header &h, const tables &tb)
{
	if (!tb.parent)
		return {};
	const parent_record &pr = *tb.parent;
	if (pr.reserved || !pr.depth || pr.depth >= max_chain || !pr.name ||
	    pr.name >= tb.strings_size || tb.inherited_count > max_runs)
		return {fault::bad_chain};
	uint32_t first_run = 0, ri = 0, k = 0;
	for (; ri < tb.region_count && k <= tb.inherited_count; ri++) {
		const region &r = tb.regions[ri];
		const run *own = tb.runs + first_run, *own_end = own + r.run_count;
		first_run += r.run_count;
		uint64_t end = 0;
		for (; k < tb.inherited_count && tb.inherited[k].region == ri;
		     k++) {
			const inherited_run &u = tb.inherited[k];
			if (!(r.flags & region_incremental) || u.reserved ||
			    !u.length || !page_aligned(u.offset, h.page_size) ||
			    !page_aligned(u.length, h.page_size) ||
			    (end && u.offset < end) ||
			    !fits(u.offset, u.length, r.end - r.start))
				return {fault::bad_chain, (long)ri, r.start};
			end = u.offset + u.length;
			while (own < own_end && own->offset + own->length <= u.offset)
				own++;
			if (own < own_end && own->offset < end)
				return {fault::bad_chain, (long)ri, r.start};
		}
	}
	if (k != tb.inherited_count)
		return {fault::bad_chain};
	return {};
}

// One mapped_file per region_file_private region, in region order.
problem check_mapped_files(const tables &tb)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < tb.region_count; i++) {
		if (!(tb.regions[i].flags & region_file_private))
			continue;
		if (k == tb.mapped_file_count ||
		    tb.mapped_files[k].region != i ||
		    tb.mapped_files[k].reserved)
			return {fault::bad_mapped_file, (long)i,
				tb.regions[i].start};
		k++;
	}
	if (k != tb.mapped_file_count)
		return {fault::bad_mapped_file};
	return {};
}

// File locks: each on an fd entry that is no dup and was read, in fd
// order; a known kind and mode; a range that is one (a flock's the whole
// file).
problem check_locks(const tables &tb)
{
	if (tb.lock_count > max_locks)
		return {fault::bad_lock};
	uint32_t prev = 0;
	for (uint32_t i = 0; i < tb.lock_count; i++) {
		const file_lock &l = tb.locks[i];
		if (l.fd_index >= tb.fd_count || l.fd_index < prev ||
		    tb.fds[l.fd_index].dup_of != -1 ||
		    (tb.fds[l.fd_index].flags & fd_lost) ||
		    l.kind > lock_ofd || l.write > 1 || l.reserved ||
		    l.start > l.end ||
		    (l.end != lock_to_eof && l.end > (uint64_t)INT64_MAX) ||
		    (l.kind == lock_flock &&
		     (l.start != 0 || l.end != lock_to_eof)))
			return {fault::bad_lock};
		prev = l.fd_index;
	}
	return {};
}

// inotify watches: each of an fd_inotify entry that is no dup, in fd
// order and, per fd, increasing wd; a path in the string table or none.
problem check_inotify_watches(const tables &tb)
{
	if (tb.watch_count > max_watches)
		return {fault::bad_inotify_watch};
	for (uint32_t i = 0; i < tb.watch_count; i++) {
		const inotify_watch &w = tb.watches[i];
		const inotify_watch *before = i ? &tb.watches[i - 1] : nullptr;
		if (w.fd_index >= tb.fd_count ||
		    tb.fds[w.fd_index].kind != fd_inotify ||
		    tb.fds[w.fd_index].dup_of != -1 || w.wd <= 0 ||
		    w.reserved || w.path >= tb.strings_size ||
		    (before && (w.fd_index < before->fd_index ||
				(w.fd_index == before->fd_index &&
				 w.wd <= before->wd))))
			return {fault::bad_inotify_watch};
	}
	return {};
}

// The fd table: increasing descriptor numbers, known kinds and flags,
// names inside the string table, dup_of pointing back to an entry that
// is no dup itself.
problem check_fds(const tables &tb)
{
	const fd_entry *fds = tb.fds;
	int64_t prev = -1;
	for (uint32_t i = 0; i < tb.fd_count; i++) {
		const fd_entry &e = fds[i];
		if (e.fd <= prev || e.fd >= fd_limit || e.kind >= fd_kind_count ||
		    (e.flags & ~(uint32_t)(fd_cloexec | fd_deleted | fd_lost |
					   fd_pty_master_held)) ||
		    e.name >= tb.strings_size ||
		    (e.dup_of != -1 &&
		     (e.dup_of < 0 || (uint32_t)e.dup_of >= i ||
		      fds[e.dup_of].dup_of != -1)))
			return {fault::bad_fd};
		prev = e.fd;
	}
	return {};
}

problem check_process(const tables &tb)
{
	const process_state &p = tb.process->process;
	bool ok = p.cwd < tb.strings_size && p.umask <= 0777 && !p.reserved &&
		  !(p.flags &
		    ~(uint32_t)(process_umask | process_personality)) &&
		  !(p.rlimits_known >> rlimit_count);
	for (const sys::itimerval &t : p.itimers) {
		ok = ok && t.value.sec >= 0 && t.interval.sec >= 0 &&
		     (uint64_t)t.value.nsec < 1000000 &&
		     (uint64_t)t.interval.nsec < 1000000;
	}
	return {ok ? fault::none : fault::bad_process_state};
}

bool check_thread(const thread_record &t)
{
	constexpr uint32_t known_flags =
		thread_group_leader | thread_taker | thread_name |
		thread_robust_unregistered;
	bool ok = t.tid && t.tid <= (uint32_t)INT32_MAX &&
		  !(t.flags & ~known_flags) && t.name[sizeof t.name - 1] == 0;
	// The kernel's minimum (ORIG_RSEQ_SIZE, 32 bytes) up to a page.
	if (t.rseq_area)
		ok = ok && t.rseq_len >= 32 && t.rseq_len <= 4096 &&
		     !(t.rseq_area & 31);
	else
		ok = ok && !t.rseq_len && !t.rseq_sig;
	return ok;
}

// One group leader, first (the restorer's own thread becomes it); one
// taker; tids apart.
problem check_threads(const tables &tb)
{
	uint32_t leaders = 0, takers = 0;
	for (uint32_t i = 0; i < tb.thread_count; i++) {
		const thread_record &t = tb.threads[i];
		problem p{fault::none};
		p.thread = i;
		if (!check_thread(t)) {
			p.what = fault::bad_thread;
			return p;
		}
		if (t.flags & thread_group_leader) {
			if (i || leaders++) {
				p.what = fault::thread_leader_count;
				return p;
			}
		}
		takers += !!(t.flags & thread_taker);
		for (uint32_t k = 0; k < i; k++) {
			if (tb.threads[k].tid == t.tid) {
				p.what = fault::duplicate_tid;
				return p;
			}
		}
	}
	if (leaders != 1)
		return {fault::thread_leader_count};
	if (takers != 1)
		return {fault::thread_taker_count};
	return {};
}

// The file_content that file policy says fd table entry fd_index's
// snapshot is, or no_content (the policies are by increasing fd_index;
// check_file_policies() checks that, and that the content is its own).
uint32_t snapshot_content(const tables &tb, uint32_t fd_index)
{
	long k = by_fd_index(tb.file_policies, tb.file_policy_count, fd_index);
	if (k < 0 || tb.file_policies[k].policy != policy_snapshot)
		return no_content;
	return tb.file_policies[k].content;
}

// The stored files (deleted ones, memfds): one per fd table entry of such
// a kind that is no dup, in fd table order; extents inside the file, in
// order, adding up to the data, which follows *data_end (the region
// data's end, then each file's) page aligned.
problem check_contents(const header &h, const tables &tb, uint64_t *data_end)
{
	if (tb.content_count > max_contents || tb.extent_count > max_extents)
		return {fault::bad_file_content};
	constexpr uint32_t known_seals = 0x3f; // F_SEAL_SEAL ... F_SEAL_EXEC
	uint32_t next = 0;
	int64_t prev_fd = -1;
	for (uint32_t i = 0; i < tb.content_count; i++) {
		const file_content &c = tb.contents[i];
		if (c.fd_index >= tb.fd_count || (int64_t)c.fd_index <= prev_fd ||
		    c.reserved)
			return {fault::bad_file_content};
		prev_fd = c.fd_index;
		const fd_entry &e = tb.fds[c.fd_index];
		const bool memfd = e.kind == fd_memfd;
		// A file that still has its path: a snapshot (its policy).
		const bool named = e.kind == fd_file &&
				   !(e.flags & fd_deleted) &&
				   snapshot_content(tb, c.fd_index) == i;
		if (e.dup_of != -1 || (e.flags & fd_lost) ||
		    (!memfd && !named &&
		     (e.kind != fd_file || !(e.flags & fd_deleted))) ||
		    (named && c.same_as != -1) ||
		    (c.seals & ~known_seals) || (!memfd && c.seals) ||
		    c.size > (1ull << 62))
			return {fault::bad_file_content};
		if (c.same_as != -1) {
			if (c.same_as < 0 || (uint32_t)c.same_as >= i ||
			    tb.contents[c.same_as].same_as != -1 ||
			    tb.fds[tb.contents[c.same_as].fd_index].kind !=
				    e.kind ||
			    c.extent_count || c.data_size || c.data_offset)
				return {fault::bad_file_content};
			continue;
		}
		if (c.extent_count > tb.extent_count - next)
			return {fault::bad_extent};
		uint64_t end = 0, stored = 0;
		for (uint32_t k = 0; k < c.extent_count; k++) {
			const extent &x = tb.extents[next++];
			if (!x.length || x.offset < end ||
			    !fits(x.offset, x.length, c.size))
				return {fault::bad_extent};
			end = x.offset + x.length;
			stored += x.length;
		}
		if (stored != c.data_size)
			return {fault::bad_file_content};
		if (!c.data_size) {
			if (c.data_offset)
				return {fault::bad_file_content};
			continue;
		}
		const uint64_t at = (*data_end + h.page_size - 1) &
				    ~(uint64_t)(h.page_size - 1);
		if (at < *data_end || c.data_offset != at ||
		    !fits(c.data_offset, c.data_size, h.file_size))
			return {fault::misplaced_data};
		*data_end = c.data_offset + c.data_size;
	}
	if (next != tb.extent_count)
		return {fault::bad_extent};
	return {};
}

// Pipes, eventfds and epoll watches: each names an fd table entry of its
// kind that is no dup, a pipe's ends are of one pipe (inode) and have
// the right access modes, its bytes lie in the data section and fit in
// it; a watch's target is the entry of its number.
problem check_event_objects(const tables &tb)
{
	if (tb.pipe_count > max_fds / 2 || tb.pipe_data_size > max_pipe_data)
		return {fault::bad_pipe};
	if (tb.event_count > max_events)
		return {fault::bad_event};
	auto root = [&](uint32_t i, uint32_t kind) {
		return i < tb.fd_count && tb.fds[i].dup_of == -1 &&
		       tb.fds[i].kind == kind && !(tb.fds[i].flags & fd_lost);
	};
	for (uint32_t i = 0; i < tb.pipe_count; i++) {
		const pipe_record &p = tb.pipes[i];
		if (!root(p.read_end, fd_fifo) || !root(p.write_end, fd_fifo) ||
		    tb.fds[p.read_end].ino != tb.fds[p.write_end].ino ||
		    (tb.fds[p.read_end].open_flags & O_ACCMODE) != O_RDONLY ||
		    (tb.fds[p.write_end].open_flags & O_ACCMODE) != O_WRONLY ||
		    p.reserved || p.data_size > p.size || (p.data & 7) ||
		    !fits(p.data, p.data_size, tb.pipe_data_size) ||
		    (i && tb.pipes[i - 1].read_end >= p.read_end))
			return {fault::bad_pipe};
	}
	for (uint32_t i = 0; i < tb.event_count; i++) {
		const event_record &e = tb.events[i];
		bool ok;
		if (e.type == event_eventfd)
			ok = root(e.fd, fd_eventfd) &&
			     !(e.flags & ~(uint32_t)event_semaphore) &&
			     !e.events && e.value != ~0ull && !e.target &&
			     !e.target_index;
		else if (e.type == event_epoll_watch)
			ok = root(e.fd, fd_epoll) && !e.flags && e.target >= 0 &&
			     e.target < fd_limit &&
			     (e.target_index == no_target ||
			      (e.target_index < tb.fd_count &&
			       tb.fds[e.target_index].fd == e.target));
		else
			ok = false;
		// In fd order: an object's records are one run.
		if (!ok || (i && tb.events[i - 1].fd > e.fd))
			return {fault::bad_event};
	}
	return {};
}

} // namespace

namespace {

bool valid_time(const sys::timespec &t)
{
	return t.sec >= 0 && (uint64_t)t.nsec < 1000000000;
}

// Timers and signals: bounded counts; timers in increasing id order with
// a known notify kind, a signal in range and a thread that is in the
// image; pending signals in range, their siginfo saying the same signal.
problem check_timers_and_signals(const tables &tb)
{
	if (tb.timer_count > max_posix_timers || tb.timerfd_count > tb.fd_count ||
	    tb.signalfd_count > tb.fd_count)
		return {fault::bad_posix_timer};
	int64_t prev = -1;
	for (uint32_t i = 0; i < tb.timer_count; i++) {
		const posix_timer &p = tb.timers[i];
		bool ok = p.id > prev && p.clock >= 0 &&
			  p.notify <= notify_thread &&
			  (p.notify == notify_none ||
			   (p.signo >= 1 && p.signo <= signal_count)) &&
			  (p.notify != notify_thread ||
			   p.thread < tb.thread_count) &&
			  valid_time(p.time.value) &&
			  valid_time(p.time.interval);
		if (!ok)
			return {fault::bad_posix_timer};
		prev = p.id;
	}
	if (tb.signal_count > max_pending_signals)
		return {fault::bad_pending_signal};
	for (uint32_t i = 0; i < tb.signal_count; i++) {
		const pending_signal &p = tb.signals[i];
		if (p.signo < 1 || p.signo > signal_count ||
		    p.info.signo != (int32_t)p.signo ||
		    p.scope > pending_thread || p.reserved ||
		    (p.scope == pending_thread ? p.thread >= tb.thread_count
					       : p.thread != 0))
			return {fault::bad_pending_signal};
	}
	// Each names an fd entry of its kind that is no dup, in fd order.
	auto fd_ok = [&](uint32_t index, uint32_t kind, int64_t *prev) {
		bool ok = index < tb.fd_count && (int64_t)index > *prev &&
			  tb.fds[index].kind == kind &&
			  tb.fds[index].dup_of == -1;
		*prev = index;
		return ok;
	};
	prev = -1;
	for (uint32_t i = 0; i < tb.timerfd_count; i++) {
		const timerfd_entry &e = tb.timerfds[i];
		if (!fd_ok(e.fd_index, fd_timerfd, &prev) || e.clock < 0 ||
		    e.reserved || !valid_time(e.time.value) ||
		    !valid_time(e.time.interval))
			return {fault::bad_timer_fd};
	}
	prev = -1;
	for (uint32_t i = 0; i < tb.signalfd_count; i++) {
		const signalfd_entry &e = tb.signalfds[i];
		if (!fd_ok(e.fd_index, fd_signalfd, &prev) || e.reserved)
			return {fault::bad_timer_fd};
	}
	return {};
}

} // namespace

namespace {

// Files written after the checkpoint: each policy names, in increasing
// order, an fd table entry of a regular file with its path that was open
// for writing (no dup, not O_PATH; the runtime writes one per inode, and
// two of one would only apply it twice); truncate has no
// contents, snapshot the file_content of that very entry, of its size.
problem check_file_policies(const tables &tb)
{
	if (tb.file_policy_count > tb.fd_count)
		return {fault::bad_file_policy};
	int64_t prev = -1;
	for (uint32_t i = 0; i < tb.file_policy_count; i++) {
		const file_policy &p = tb.file_policies[i];
		if (p.fd_index >= tb.fd_count || (int64_t)p.fd_index <= prev ||
		    p.reserved || p.size > (1ull << 62))
			return {fault::bad_file_policy};
		prev = p.fd_index;
		const fd_entry &e = tb.fds[p.fd_index];
		if (e.kind != fd_file || e.dup_of != -1 ||
		    (e.flags & (fd_lost | fd_deleted)) ||
		    (e.open_flags & O_PATH) ||
		    (e.open_flags & O_ACCMODE) == O_RDONLY)
			return {fault::bad_file_policy};
		bool ok;
		if (p.policy == policy_truncate)
			ok = p.content == no_content;
		else if (p.policy == policy_snapshot)
			ok = p.content < tb.content_count &&
			     tb.contents[p.content].fd_index == p.fd_index &&
			     tb.contents[p.content].same_as == -1 &&
			     tb.contents[p.content].size == p.size;
		else
			ok = false;
		if (!ok)
			return {fault::bad_file_policy};
	}
	return {};
}

// The socket section's entry for fd table index i, or -1 (entries are in
// fd table order).
long socket_of(const tables &tb, uint32_t i)
{
	return by_fd_index(tb.sockets, tb.socket_count, i);
}

bool check_socket(const tables &tb, const socket_entry &s, uint32_t first)
{
	constexpr uint32_t af_unix = 1, af_inet = 2, af_inet6 = 10;
	constexpr uint32_t stream = 1, dgram = 2, seqpacket = 5;
	const uint32_t flag_mask = socket_reuseaddr | socket_reuseport |
				   socket_v6only | socket_shut_rd |
				   socket_shut_wr | socket_passcred |
				   socket_keepalive | socket_broadcast |
				   socket_nodelay;
	auto timeout_ok = [](const int64_t t[2]) {
		return t[0] >= 0 && t[1] >= 0 && t[1] < 1000000;
	};
	if (s.fd_index >= tb.fd_count || tb.fds[s.fd_index].dup_of != -1 ||
	    tb.fds[s.fd_index].kind != fd_socket ||
	    (tb.fds[s.fd_index].flags & fd_lost) ||
	    (s.family != af_unix && s.family != af_inet &&
	     s.family != af_inet6) ||
	    (s.type != stream && s.type != dgram && s.type != seqpacket) ||
	    s.state >= socket_state_count || (s.flags & ~flag_mask) ||
	    s.addr_len > max_socket_addr ||
	    s.peer_addr_len > max_socket_addr ||
	    s.message_first != first || !timeout_ok(s.rcvtimeo) ||
	    !timeout_ok(s.sndtimeo) ||
	    ((s.flags & socket_nodelay) &&
	     (s.family == af_unix || s.type != stream)) ||
	    s.message_count > tb.socket_message_count - first)
		return false;
	const bool unix_family = s.family == af_unix;
	// A bound one has an address of its family; only these hold
	// messages and have a peer.
	const bool named = s.addr_len >= 2 && s.addr[0] == (s.family & 0xff) &&
			   s.addr[1] == 0;
	const bool holds = s.state == socket_pair ||
			   s.state == socket_peer_closed;
	// Only a unix socket bound to a path (not abstract, not a pair's)
	// names its file.
	const bool path = unix_family && named && s.addr_len > 2 &&
			  s.addr[2] == '/' &&
			  (s.state == socket_bound || s.state == socket_listening ||
			   s.state == socket_connected);
	if (s.reserved || (!path && (s.name_dev || s.name_ino)))
		return false;
	if ((s.message_count && !holds) ||
	    ((s.state == socket_pair) != (s.peer != no_target)))
		return false;
	switch (s.state) {
	case socket_bound:
		return named;
	case socket_listening:
		return named && s.type != dgram;
	case socket_connected:
		// A unix one need not be bound; its peer has a name.
		return (named || (unix_family && s.addr_len <= 2)) &&
		       s.type == dgram &&
		       s.peer_addr_len >= (unix_family ? 3u : 2u) &&
		       s.peer_addr[0] == (s.family & 0xff);
	case socket_pair: {
		const long k = s.peer < tb.fd_count ? socket_of(tb, s.peer) : -1;
		return unix_family && k >= 0 && s.peer != s.fd_index &&
		       tb.sockets[k].state == socket_pair &&
		       tb.sockets[k].peer == s.fd_index &&
		       tb.sockets[k].type == s.type;
	}
	case socket_peer_closed:
		return unix_family && s.type != dgram;
	case socket_reset:
		return !unix_family && s.type == stream;
	default:
		return true;
	}
}

// Sockets: each names an fd table entry of kind fd_socket that is no dup,
// in fd table order, with a known family, type, state and flags; a pair's
// peer is a socket entry that names it back; its messages follow the
// previous socket's, name it, and lie in the data section, 8-aligned.
problem check_sockets(const tables &tb)
{
	if (tb.socket_count > tb.fd_count ||
	    tb.socket_message_count > max_socket_messages ||
	    tb.socket_data_size > max_socket_data)
		return {fault::bad_socket};
	uint32_t first = 0;
	for (uint32_t i = 0; i < tb.socket_count; i++) {
		const socket_entry &s = tb.sockets[i];
		if ((i && tb.sockets[i - 1].fd_index >= s.fd_index) ||
		    !check_socket(tb, s, first))
			return {fault::bad_socket};
		first += s.message_count;
	}
	if (first != tb.socket_message_count)
		return {fault::bad_socket_message};
	for (uint32_t i = 0; i < tb.socket_message_count; i++) {
		const socket_message &m = tb.socket_messages[i];
		if (m.socket >= tb.socket_count ||
		    (i && tb.socket_messages[i - 1].socket > m.socket) ||
		    i < tb.sockets[m.socket].message_first ||
		    i - tb.sockets[m.socket].message_first >=
			    tb.sockets[m.socket].message_count ||
		    (m.data & 7) ||
		    !fits(m.data, m.length, tb.socket_data_size))
			return {fault::bad_socket_message};
	}
	return {};
}

} // namespace

problem check_tables(const header &h, const tables &tb, const target &t)
{
	if (tb.region_count == 0 || tb.region_count > max_regions)
		return {fault::bad_region_count};
	if (tb.run_count > max_runs)
		return {fault::bad_run_count};
	if (tb.strings_size == 0 || tb.strings_size > max_strings)
		return {fault::bad_strings_size};
	if (tb.fd_count > max_fds)
		return {fault::bad_fd_count};
	if (tb.thread_count == 0 || tb.thread_count > max_threads)
		return {fault::bad_thread_count};
	if (tb.process->auxv_words > max_auxv_words)
		return {fault::bad_auxv};
	if (tb.strings[0] != 0 || tb.strings[tb.strings_size - 1] != 0)
		return {fault::strings_unterminated};
	const uint64_t prot_mask = PROT_READ | PROT_WRITE | PROT_EXEC;
	uint64_t prev_end = 0;
	uint64_t data_end = h.data_offset;
	uint32_t next_run = 0;
	for (uint32_t i = 0; i < tb.region_count; i++) {
		const region &r = tb.regions[i];
		problem p{fault::none, (long)i, r.start};
		if (!page_aligned(r.start, h.page_size) ||
		    !page_aligned(r.end, h.page_size) || r.start >= r.end)
			p.what = fault::misaligned_region;
		else if (r.end > t.user_address_limit)
			p.what = fault::region_beyond_limit;
		else if (r.start < prev_end)
			p.what = fault::region_overlap;
		else if (r.kind >= kind_count || (r.prot & ~prot_mask) ||
			 (r.flags & ~(uint32_t)(region_shared |
						region_file_backed |
						region_noreserve |
						region_guard |
						region_content |
						region_file_private |
						region_dontfork |
						region_wipeonfork |
						region_dontdump |
						region_hugepage |
						region_nohugepage |
						region_locked |
						region_lockonfault |
						region_droppable |
						region_incremental)) ||
			 !check_advice(r) ||
			 ((r.flags & region_incremental) &&
			  (!tb.parent || r.kind == kind_file ||
			   r.kind == kind_kernel ||
			   (r.flags & (region_shared | region_file_backed |
				       region_content | region_file_private)))) ||
			 ((r.flags & region_file_private) &&
			  !check_file_private(h, r)) ||
			 ((r.flags & region_content) &&
			  ((r.flags & region_file_backed) ||
			   !check_file_backed(h, r))) ||
			 ((r.flags & region_guard) &&
			  (r.data_size || r.run_count)) ||
			 ((r.flags & region_file_backed) &&
			  !check_file_backed(h, r)))
			p.what = fault::bad_region_fields;
		else if (r.name >= tb.strings_size)
			p.what = fault::bad_region_name;
		else if ((r.data_size || r.run_count) && r.kind == kind_kernel)
			p.what = fault::bad_data_size;
		else if (!check_runs(h, tb, r, &next_run))
			p.what = fault::bad_run;
		else if (r.data_size &&
			 (r.data_offset != data_end ||
			  !fits(r.data_offset, r.data_size, h.file_size)))
			p.what = fault::misplaced_data;
		if (p.what != fault::none)
			return p;
		prev_end = r.end;
		if (r.data_size)
			data_end = r.data_offset + r.data_size;
	}
	if (next_run != tb.run_count)
		return {fault::bad_run_count};
	// The policies first: a snapshot's contents entry needs its own.
	problem c = check_file_policies(tb);
	if (c.what == fault::none)
		c = check_contents(h, tb, &data_end);
	if (c.what != fault::none)
		return c;
	if (data_end != h.file_size)
		return {fault::data_end_mismatch};
	problem p = check_fds(tb);
	if (p.what == fault::none)
		p = check_process(tb);
	if (p.what == fault::none)
		p = check_threads(tb);
	if (p.what == fault::none)
		p = check_event_objects(tb);
	if (p.what == fault::none)
		p = check_timers_and_signals(tb);
	if (p.what == fault::none)
		p = check_mapped_files(tb);
	if (p.what == fault::none)
		p = check_process_attrs(tb);
	if (p.what == fault::none)
		p = check_locks(tb);
	if (p.what == fault::none)
		p = check_inotify_watches(tb);
	if (p.what == fault::none)
		p = check_sockets(tb);
	if (p.what == fault::none)
		p = check_inherited(h, tb);
	return p;
}

namespace {

// [addr, addr + len) lies in stored bytes of a writable region.
bool in_saved_writable(const tables &tb, uint64_t addr, uint64_t len)
{
	uint32_t first = 0;
	for (uint32_t i = 0; i < tb.region_count; i++) {
		const region &r = tb.regions[i];
		if (addr >= r.start && addr < r.end) {
			if (!(r.prot & PROT_WRITE))
				return false;
			for (uint32_t k = 0; k < r.run_count; k++) {
				const run &u = tb.runs[first + k];
				uint64_t off = addr - r.start;
				if (off >= u.offset && off < u.offset + u.length)
					return len <= u.offset + u.length - off;
			}
			return false;
		}
		first += r.run_count;
	}
	return false;
}

// The size of struct robust_list_head, the only one set_robust_list()
// takes: the restorer reads it, and the list it heads.
constexpr uint64_t robust_list_head_size = 3 * sizeof(uint64_t);
// Of a signal frame, what the restorer itself reads first.
constexpr uint64_t frame_min_size = 8;

// What the restorer writes or reads in the app's memory for thread t.
bool thread_state_saved(const tables &tb, const thread_record &t)
{
	if (t.signal_frame
		    ? !in_saved_writable(tb, t.signal_frame, frame_min_size)
		    : !(t.flags & thread_taker))
		return false;
	return (!t.tid_address ||
		in_saved_writable(tb, t.tid_address, sizeof(int32_t))) &&
	       (!t.robust_list ||
		in_saved_writable(tb, t.robust_list, robust_list_head_size)) &&
	       (!t.rseq_area ||
		in_saved_writable(tb, t.rseq_area, t.rseq_len));
}

} // namespace

problem check_runtime_state(const header &, const tables &tb, const target &t)
{
	if (!in_saved_writable(tb, tb.process->resume_addr,
			       sizeof(resume_args)))
		return {fault::runtime_state_missing};
	for (uint32_t i = 0; i < tb.thread_count; i++) {
		const thread_record &th = tb.threads[i];
		problem p{fault::none};
		p.thread = i;
		if (!in_saved_writable(tb, th.context_addr, t.context_size))
			p.what = fault::runtime_state_missing;
		else if (!thread_state_saved(tb, th))
			p.what = fault::thread_state_missing;
		if (p.what != fault::none)
			return p;
	}
	return {};
}

} // namespace image
