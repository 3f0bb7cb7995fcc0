// The restorer's state and stages. It has no libc and no heap: what it
// holds lives in this one static object and in the image's tables, mapped
// right after its bss at the size the header asks for (load.cc), so that
// both are one range with the restorer, moved and unmapped with it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/fmt.h"
#include "runtime/image.h"

namespace restorer {

struct range {
	uint64_t start, end;
	bool overlaps(uint64_t s, uint64_t e) const
	{
		return s < end && start < e;
	}
};

struct options {
	bool info;
	bool lazy;      // map region data from the image instead of reading it
	bool no_set_mm; // skip PR_SET_MM_MAP, to exercise the fallback
	bool allow_missing_files; // restore without files that are gone
	bool allow_changed_files; // reopen files that are not the same ones
	uint8_t stdio;  // stdio_policy: what fds 0-2 become
};

enum stdio_policy : uint8_t {
	stdio_default, // a device, pipe or socket inherited, a file reopened
	stdio_inherit, // the restorer's own, whatever the image says
	stdio_image,   // from the image, as any other descriptor
};

struct state {
	char image_path[4096];
	options opts;
	int fd;
	uint32_t page_size;
	uint64_t min_sigstack; // AT_MINSIGSTKSZ: the smallest altstack allowed
	image::header header;
	// The image's metadata (header, section directory, sections: its
	// first meta_size bytes), in the mapping of tables_len bytes that
	// ends the restorer's range (self_range()), and where each section is
	// in it.
	image::tables tables;
	const char *meta;
	uint64_t tables_len;    // and the threads' stacks after them
	uint64_t thread_stacks; // where those start (0: no other thread)
	char maps[256 << 10]; // the restorer's own /proc/self/maps
};

// The restorer's stack (a section of its own, placed by the linker script
// so that _start can switch to it).
extern char stack[128 << 10];

extern state g;

// The restorer's own mapping, wherever it runs now: its image and the
// tables after it.
range self_range();
// The end of its image alone (the bss's last page), where the tables go.
uint64_t self_image_end();

// Whether a region of the image overlaps [start, end).
bool claimed_by_image(uint64_t start, uint64_t end);

// Opens and checks the image named in g; false with the reason in err.
// Why the image open at fd cannot be trusted as this process's code (an
// image becomes it: only its owner may have written it), or nullptr with
// its size in *size; *ret is the -errno of a failed statx, else 0.
const char *untrusted_image(int fd, uint64_t *size, long *ret);
bool load_image(ckpt::text &err);

// Incremental images (chain.cc): load_chain() opens and checks every
// ancestor of an image with a parent, before the point of no return
// (false with the reason in err); fill_chain(), after map_regions() has
// mapped the newest image's regions, gives its region_incremental ones
// their pages from the whole chain.
bool load_chain(ckpt::text &err);
void fill_chain();
// The chain once loaded: image k (0 the newest, chain_length() - 1 the
// full one); the region of tb holding addr (or nullptr); whether a
// region may be inherited (private anonymous memory).
uint32_t chain_length();
const image::tables &chain_tables(uint32_t k);
const image::header &chain_header(uint32_t k);
int chain_fd(uint32_t k);
const image::region *region_at(const image::tables &tb, uint64_t addr);
bool inheritable(const image::region &r);
// restorer --merge OUT: writes the chain as one full image to OUT
// (a temporary name, then renamed); false with the reason in err.
bool merge_chain(const char *out, ckpt::text &err);

// Prints the header, the region table and the threads (restorer --info).
void print_info();

// Leaves the kernel's stack (and this address range, if the image needs
// it) and runs restore() on the restorer's own stack.
[[noreturn]] void start_restore();

// Replaces this process with the image's.
[[noreturn]] void restore();

// Sets the kernel state the image recorded: mm fields (false if they
// could not be set), signal dispositions. check_signals() finds, before
// the point of no return, what the kernel would refuse of the signal
// state and of each thread's (check_threads()); after it, a refusal
// kills the process, named.
bool restore_mm();
bool check_signals(ckpt::text &err);
void restore_signals();

// Each thread's own kernel state (thread.cc): check_threads() finds,
// before the point of no return, what the kernel would refuse of any
// thread's (altstack, robust list); restore_thread() sets t's name, tid
// cache, robust list, rseq registration, altstack and, last, thread
// pointer for the calling thread (a refusal kills the process, named).
bool check_threads(ckpt::text &err);
void restore_thread(const image::thread_record &t);

// The image's other threads (create_threads.cc), after the point of no
// return: start_threads() creates each on a stack of its own of
// thread_stack_size bytes (thread_stacks_size() of them at g.thread_stacks,
// mapped before the point of no return), where it restores its own state
// and waits; the robust futexes each owns get its new tid. It returns once
// all are ready; release_threads() lets them jump.
constexpr uint64_t thread_stack_size = 16 << 10;
uint64_t thread_stacks_size(uint32_t thread_count);
void start_threads(uint64_t stacks);
void release_threads();

// Files and process attributes (files.cc, process.cc). Before the point of
// no return, prepare_files() opens every file the image needs (or refuses
// the image, naming the file) and says which descriptors will not come
// back; prepare_process() goes to the working directory and finds which
// limits cannot be had. Warnings go to the caller's stderr then. After
// it: map_file_region() maps a region_file_backed region from its file;
// restore_process() sets umask and personality; restore_files() puts the
// descriptors in place;
// restore_limits_and_timers() comes last, just before the jump (the
// timers run from then on, and RLIMIT_NOFILE may be below the
// restorer's own descriptors).
bool prepare_files(ckpt::text &err);
// Deleted files and memfds (contents.cc): the image's file_content entry
// of fd table entry i, or -1; recreate_file() makes that file again at a
// descriptor >= base and returns it, or -errno with the message in err.
// temps: the descriptors made so far, by fd table index (another open of
// a file made before reopens that one).
long content_of(uint32_t fd_index);
long recreate_file(ckpt::text &err, uint32_t i, const int32_t *temps,
		   int base);
// Gives each file recreate_file() made its permissions, last (after
// open_content_mapping() too); false with the message in err.
bool finish_recreated(ckpt::text &err, const int32_t *temps);
// The file a region_content region maps (made by recreate_file()), opened
// for the mapping at a descriptor >= base; or -errno, the message in err.
long open_content_mapping(ckpt::text &err, uint32_t region,
			  const int32_t *temps, int base);
// Reads file content c (its extents x) from the image and checks it
// against its checksum; with out >= 0, writes each extent to its place in
// out too. Shared by recreate_file() and the snapshots of written.cc.
enum class copy_stage { done, read, cut_short, write, checksum };
struct copy_result {
	copy_stage stage;
	long err; // read, write: -errno
};
copy_result copy_content(const image::file_content &c,
			 const image::extent *x, int out);
bool prepare_process(ckpt::text &err);
// Files written after the checkpoint (written.cc): apply_file_policies()
// truncates each file of a truncate policy and writes each snapshot back
// (after checks that change nothing), the last step before the point of
// no return; false with the message in err. rewritten(): whether fd table
// entry i's file gets its snapshot back (its size now does not matter;
// called only when the file is shorter than its offset: a linear search);
// rewritten_file() the same for the file of that device and inode (one
// mapped privately: its mtime now does not matter). file_policy_info()
// adds the policy to its --info line.
bool apply_file_policies(ckpt::text &err);
bool rewritten(uint32_t i);
bool rewritten_file(uint32_t dev, uint64_t ino);
void file_policy_info(ckpt::text &t, uint32_t i);
void map_file_region(uint32_t i, const image::region &r);
// Maps region i from fd (anonymous where fd < 0) at its address, shared
// unless it is file-private, or dies naming what it mapped (what, then
// the region's name).
void map_region_fd(uint32_t i, const image::region &r, int fd,
		   const char *what);
void restore_process();
void restore_files();
void restore_limits_and_timers();
// Kernel objects made again by their kind (pipes.cc): pipes both of
// whose ends the app held, eventfds, epolls. recreatable(): whether fd
// table entry i is one that comes back so (else lost_reason() says why,
// or nullptr); recreate() makes it at a temporary number in temps[i]
// (both ends of a pipe at once), add_watches() gives an epoll made so
// its watches, of the temporary numbers; false with the reason in err.
// After the point of no return, once every descriptor is in place,
// move_watches() makes them watches of the app's numbers, or dies. For
// --info: object_info() appends what the object holds to its line,
// print_watches() prints an epoll's watches.
bool recreatable(uint32_t i);
const char *lost_reason(uint32_t i);
bool recreate(ckpt::text &err, uint32_t i, int32_t *temps);
bool add_watches(ckpt::text &err, uint32_t i, int32_t epoll_fd);
void move_watches(uint32_t i);
void object_info(ckpt::text &t, uint32_t i);
void print_watches(uint32_t i);
// File locks (locks.cc): prepare_locks(), at the end of prepare_files(),
// takes each flock() and OFD lock again on its file's temporary
// descriptor and tests each POSIX one (false, named in err, if another
// process holds it now); take_posix_locks(), at the end of
// restore_files(), takes the POSIX ones (a refusal kills the process,
// named); lock_info() adds an fd's locks to its --info line.
bool prepare_locks(ckpt::text &err);
void take_posix_locks();
void lock_info(ckpt::text &t, uint32_t i);
// Kernel objects of part L made again by their kind (inotify.cc):
// make_inotify() makes inotify fd table entry i with its watches at a
// temporary number in *temp; false with the reason in err.
// print_inotify_watches() lists its watches for --info.
bool make_inotify(ckpt::text &err, uint32_t i, int32_t *temp);
void print_inotify_watches(uint32_t i);
// What does not come back (unrestorable.cc): why_lost() says why fd
// table entry i is not restored (a kernel object, a terminal, or
// lost_reason()); terminal_lost_reason() whether a terminal cannot be
// reopened. prepare_unrestorable(), at the end of prepare_files(), names
// the regions of kernel objects (AIO contexts) and opens the placeholder
// that hold_lost_numbers(), at the end of restore_files(), puts at the
// number of every descriptor above 2 that is not restored;
// close_others() leaves it (is_placeholder()).
const char *why_lost(uint32_t i);
const char *terminal_lost_reason(const image::fd_entry &e);
bool prepare_unrestorable(ckpt::text &err);
// For --info: why a kernel object or terminal does not come back.
void unrestorable_info(ckpt::text &t, uint32_t i);
bool is_placeholder(int fd);
void hold_lost_numbers();
// Sockets made again by their kind (sockets.cc): socket_comes_back()
// says whether fd table entry i is one (else socket_lost_reason() may say
// why); make_socket() makes it (both ends of a pair at once) at a
// temporary number in temps[i] with its state and queued messages, or
// refuses (a port taken now, ...) with the reason in err;
// socket_temporaries() is how many more descriptors it may hold for a
// moment; socket_info() appends its state to its --info line.
bool socket_comes_back(uint32_t i);
const char *socket_lost_reason(uint32_t i);
bool make_socket(ckpt::text &err, uint32_t i, int32_t *temps);
uint64_t socket_temporaries();
void socket_info(ckpt::text &t, uint32_t i);
// What files.cc offers them: moving a new descriptor (or -errno) to a
// temporary number; whether entry i comes back; the descriptor that
// holds entry i's file now (its temporary one, or the inherited number).
long move_up(long fd);
bool fd_comes_back(uint32_t i);
int fd_now(uint32_t i);

// POSIX timers and pending signals (timers.cc): before the point of no
// return, prepare_timers_and_signals() creates the timers with their ids
// (disarmed) and queues the signals (blocked until the app's mask is
// back), or says why not; arm_timers() arms them just before the jump (a
// refusal kills the process, named); print_timer_info() for --info.
bool prepare_timers_and_signals(ckpt::text &err);
// A timerfd or signalfd, fd table entry i, made again at the lowest free
// number >= base, its state set: false (err says why) if that fails,
// *temp -1 (warned: it is lost) if the image holds no state for it.
// recreated_fd_info() adds that state to its --info line.
bool recreate_fd(uint32_t i, int base, int32_t *temp, ckpt::text &err);
void recreated_fd_info(ckpt::text &t, uint32_t i);
void arm_timers();
// In the restored thread th, a record of g.tables.threads: the signals
// pending for it alone, unless it is the group leader (queued before the
// point of no return); a refusal kills the process, named.
void queue_thread_signals(const image::thread_record &th);
void print_timer_info();
// restorer --info: the process state, then the fd table.
void print_process_info();
void print_fd_info();
// What prepare_process() plans to set for limit r (0..rlimit_count-1):
// the image's want, the soft limit at most the hard one, and the hard one
// at most now's unless raising it worked (raised: what prlimit() returned
// for that; 0 if it worked or was not needed). Warns when it stays lower.
sys::rlimit plan_limit(int r, sys::rlimit want, const sys::rlimit &now,
		       long raised);

// Section 23 and region advice (attrs.cc, advice.cc), issue #13 part A.
// Before the point of no return, after prepare_files(): prepare_attrs()
// sets the process-wide attributes (oom_score_adj, a refusal of which is
// only warned about; THP disable, child subreaper, membarrier
// registrations), makes a memfd for each file only the app's mappings
// held, and tries the locking the regions need (check_locked_memory());
// false with the reason in err. After it: maps_shared_file() says whether
// region i maps such a memfd, map_shared_file() maps it (then the region's
// data is read into it); advise_region() applies a mapped, filled
// region's advice and locking, or dies. For --info: advice_info() and
// shared_file_info() append to a region's line, print_attrs_info() prints
// the process-wide attributes.
bool prepare_attrs(ckpt::text &err);
// How many memfds prepare_attrs() makes (for prepare_files()' count of
// descriptors).
uint32_t shared_file_count();
bool check_locked_memory(ckpt::text &err);
bool maps_shared_file(uint32_t i);
void map_shared_file(uint32_t i, const image::region &r);
void advise_region(uint32_t i, const image::region &r);
void advice_info(ckpt::text &t, const image::region &r);
void shared_file_info(ckpt::text &t, uint32_t i);
void print_attrs_info();

// Whether the kernel lets the image's lowest and highest regions be
// mapped (address_space.cc): vm.mmap_min_addr and the top of the user
// address space, as they are on this system.
bool check_address_space(ckpt::text &err);

// Planning against vm.max_map_count (map_count.cc): plan_mappings()
// refuses an image that needs more mappings than that and sets how many
// --lazy may add; lazy_fits() takes a region's share of it, or says no
// (then the region is read).
bool plan_mappings(ckpt::text &err);
bool lazy_fits(const image::region &r);

// Whether the restore fits RLIMIT_AS, RLIMIT_DATA and RLIMIT_STACK
// (limits.cc), raising soft limits where that is enough; after
// prepare_process(), which raises hard limits where it may.
bool check_memory_limits(ckpt::text &err);

// The runtime's records in the app's memory (records.cc): whether region
// r holds one (then it is always read, never mapped lazily); before the
// point of no return, check_records() checks those regions' data and the
// saved register values against this CPU; recheck_records() checks the
// registers again in place, just before the jump.
bool holds_record(const image::region &r);
bool check_records(ckpt::text &err);
void recheck_records();

// Moves the kernel's [vvar]/[vdso] block to where the app had it, or
// says why it cannot: checked before the point of no return.
bool check_vdso(ckpt::text &err);
void move_vdso();
// The decision of check_vdso() alone: the image's block against the
// pieces of this kernel's (in address order, as /proc/self/maps has them).
struct vdso_piece {
	const char *name;
	size_t name_len;
	uint64_t start, end;
};
bool check_vdso_layout(const vdso_piece *now, int now_count, ckpt::text &err);

// Before the point of no return: a message and exit status 1.
[[noreturn]] void fail(const ckpt::text &what);
// After it: the message, and the process exits at once with status 1.
[[noreturn]] void die(const ckpt::text &what);
// A warning: the restore goes on.
void warn(const ckpt::text &what);
// Where fail(), die() and warn() write: the restorer's own stderr, also
// once the app's fd 2 is in place (prepare_files() moves it to a number
// the image does not use); -1 if the restorer was started without one.
extern int message_fd;
// Closes it, just before the jump into the app.
void close_messages();
// The restorer's RLIMIT_NOFILE when it started (load_image() raises the
// soft one for its own descriptors; prepare_files() sets what the restore
// needs; restore_limits_and_timers() the image's, or this one).
extern sys::rlimit caller_nofile;

// "restorer: IMAGE: " in front of a message.
ckpt::text &message(ckpt::text &t);

} // namespace restorer
