// The checkpoint image format, version 2: the one definition that the
// runtime (writer) and the restorer (reader) share. Little-endian, native
// layout; README.md documents it field by field.
//
//   header | section directory | sections | pad | region data
//
// The header is small and fixed; the directory after it says where each
// section is and what its entries are, so that later state adds a section
// type rather than a format version. The sections (process, threads,
// regions, runs, fds, strings; pipes, pipe data, events, sockets and
// their messages where there are any) lie between the directory and
// meta_size, all covered by meta_crc.
//
// A region stores only its touched pages: its runs (consecutive in the run
// section, in region order) say which byte ranges of it the data holds, and
// the data is those ranges back to back, each starting on a page boundary
// of the file, so that a run can be mapped straight from the image.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "arch/sys.h"

namespace image {

constexpr char magic[8] = {'C', 'K', 'P', 'T', 'I', 'M', 'G', 0};
constexpr uint32_t format_version = 2;

// Hard bounds a reader enforces before it trusts any count.
constexpr uint32_t max_regions = 32768;
constexpr uint32_t max_runs = 1 << 20;
constexpr uint32_t max_strings = 1 << 20;
constexpr uint32_t max_auxv_words = 128;
constexpr uint32_t max_fds = 1 << 16;
constexpr uint32_t max_threads = 1 << 12;
constexpr uint32_t max_sections = 64;
// The header, directory and sections together: what a reader maps.
constexpr uint64_t max_meta_size = 64ull << 20;
// Above the kernel's NR_OPEN (1 << 20): no descriptor has this number.
constexpr int32_t fd_limit = 1 << 20;
constexpr int signal_count = 64;
constexpr int rlimit_count = 16;  // RLIM_NLIMITS
constexpr int itimer_count = 3;   // ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF

enum region_kind : uint32_t {
	kind_anon = 0,    // anonymous memory (or a label we do not know)
	kind_file = 1,    // mapped from a file; its bytes are stored
	kind_heap = 2,    // [heap]: between start_brk and brk
	kind_stack = 3,   // [stack]: restored MAP_GROWSDOWN
	kind_kernel = 4,  // [vdso], [vvar], [vvar_vclock]: address only
	kind_count
};

enum region_flags : uint32_t {
	region_shared = 1, // MAP_SHARED
	// MAP_SHARED of a regular file that still has its path: mapped from
	// the file again at restore (the file holds the data; none stored).
	region_file_backed = 2,
	// Guard pages (MADV_GUARD_INSTALL) lie in it: pagemap bit 58.
	region_guard = 4,
	// Mapped MAP_NORESERVE (smaps VmFlags "nr"): costs no commit charge.
	region_noreserve = 8,
	// MAP_SHARED of a deleted file or memfd whose contents the image
	// stores (a file_content of the fd of that name): mapped from the
	// file made again at restore (none stored). The runtime sets it only
	// where one stored file has that name.
	region_content = 16,
	// MAP_PRIVATE of a regular file that still has its path: mapped
	// from the file again at restore, over which its runs (the pages the
	// process changed, copies on write) are read; its file's identity is
	// its section_mapped_files entry.
	region_file_private = 32,
	// Memory advice and locking, from smaps' VmFlags (issue #13, part A),
	// applied again once the region is mapped and filled:
	region_dontfork = 1 << 6,    // "dc": MADV_DONTFORK
	region_wipeonfork = 1 << 7,  // "wf": MADV_WIPEONFORK (private anon)
	region_dontdump = 1 << 8,    // "dd": MADV_DONTDUMP
	region_hugepage = 1 << 9,    // "hg": MADV_HUGEPAGE
	region_nohugepage = 1 << 10, // "nh": MADV_NOHUGEPAGE
	region_locked = 1 << 11,     // "lo": mlock(), MAP_LOCKED
	region_lockonfault = 1 << 12, // "lf": mlock2(MLOCK_ONFAULT), with lo
	region_droppable = 1 << 13,  // "dp": MAP_DROPPABLE (private anon)
	// Private anonymous memory of an incremental image (README
	// "Incremental images"): the pages of its inherited runs (section
	// 26) are the parent image's at the same addresses.
	region_incremental = 1u << 14,
};

struct region {
	uint64_t start;     // page aligned
	uint64_t end;       // page aligned, > start
	uint32_t prot;      // PROT_READ | PROT_WRITE | PROT_EXEC
	uint32_t kind;      // region_kind
	uint32_t flags;     // region_flags
	uint32_t name;      // offset in the string table; 0 is ""
	uint64_t file_offset; // the mapping's offset in its file
	uint64_t data_offset; // where its bytes are in the image, page aligned
	uint64_t data_size;   // bytes stored: the sum of its runs' lengths
	uint32_t data_crc;    // CRC32C of the data_size bytes
	uint32_t run_count;   // its runs; none: all zero (or, kind_kernel,
			      // the kernel's)
};

// A stored part of a region: page aligned, inside it, in address order,
// not touching the run before (else they would be one run).
struct run {
	uint64_t offset; // from the region's start
	uint64_t length;
};

// What an open file descriptor refers to, from its file type and the
// /proc/self/fd link.
enum fd_kind : uint32_t {
	fd_file = 0,   // regular file
	fd_dir = 1,    // directory
	fd_chr = 2,    // character device: terminal, /dev/null, ...
	fd_blk = 3,    // block device
	fd_fifo = 4,   // pipe, or a named FIFO
	fd_socket = 5,
	fd_anon = 6,   // anon inode: eventfd, epoll, timerfd, signalfd, ...
	fd_memfd = 7,  // memfd_create(): a file without a path
	fd_other = 8,  // none of these (a symlink opened with O_PATH, ...)
	fd_eventfd = 9, // anon_inode:[eventfd]
	fd_epoll = 10,  // anon_inode:[eventpoll]
	fd_timerfd = 11,  // anon_inode:[timerfd]: state in section_timerfds
	fd_signalfd = 12, // anon_inode:[signalfd]: in section_signalfds
	fd_inotify = 15,  // anon_inode:inotify: in section_inotify_watches
	// A kernel object that cannot come back (pidfd, bpf, fanotify,
	// io_uring, perf_event, userfaultfd, namespace): named at checkpoint
	fd_kernel_object = 16,
	fd_kind_count
};

enum fd_flags : uint32_t {
	fd_cloexec = 1, // FD_CLOEXEC
	fd_deleted = 2, // the file had no name left (unlinked) at checkpoint
	fd_lost = 4,    // its state could not be read at checkpoint (statx
			// and fstat failed): it cannot come back
	// A pty's slave side whose master side (/dev/ptmx) the process held:
	// the pty goes with the master, which cannot come back.
	fd_pty_master_held = 1 << 12,
};

// One open file descriptor. The fd table holds one per descriptor, in
// increasing fd order; which kinds the restorer reopens is its policy
// (README: "What is saved and restored").
struct fd_entry {
	int32_t fd;
	int32_t dup_of;      // index of an earlier entry sharing this open file
			     // description (dup(), fork), which has none; or -1
	uint32_t kind;       // fd_kind
	uint32_t flags;      // fd_flags
	uint32_t open_flags; // fcntl(F_GETFL): access mode, O_APPEND, ...
	uint32_t mode;       // st_mode
	uint32_t name;       // string table: the /proc/self/fd link text
	uint32_t rdev_major; // of a device
	uint32_t rdev_minor;
	uint32_t dev;        // the file system's device: major << 20 | minor
			     // (the kernel's dev_t); 0: unknown
	uint64_t ino;        // inode number, at checkpoint time
	uint64_t offset;     // file position (0 where there is none)
	uint64_t size;       // at checkpoint time
};

enum process_flags : uint32_t {
	process_umask = 1,       // umask is known
	process_personality = 2, // personality is known
};

// Process attributes the kernel keeps outside memory.
struct process_state {
	uint32_t flags;          // process_flags
	uint32_t cwd;            // string table: working directory; 0: unknown
	uint32_t umask;
	uint32_t personality;
	uint32_t rlimits_known;  // bit r: rlimits[r] was read
	uint32_t reserved;
	sys::rlimit rlimits[rlimit_count];     // RLIMIT_CPU ...
	sys::itimerval itimers[itimer_count];  // remaining time, interval
};

// The fields of prctl(PR_SET_MM, PR_SET_MM_MAP).
struct mm_fields {
	uint64_t start_code, end_code;
	uint64_t start_data, end_data;
	uint64_t start_brk, brk;
	uint64_t start_stack;
	uint64_t arg_start, arg_end;
	uint64_t env_start, env_end;
};

// The section of process-wide state: exactly one entry.
struct process_record {
	// Where, in the app's memory, the restorer leaves resume_args.
	uint64_t resume_addr;
	mm_fields mm;           // all zero when they could not be read
	uint32_t auxv_words;
	uint32_t reserved0;
	uint64_t auxv[max_auxv_words];
	sys::kernel_sigaction sigactions[signal_count]; // signal i + 1
	process_state process;
	uint64_t reserved[8];
};

enum thread_flags : uint32_t {
	// The thread group leader: its tid was the process's pid. The
	// restorer's own thread becomes it.
	thread_group_leader = 1,
	// The thread that took the checkpoint (received the signal, or
	// called ckpt_checkpoint()); all others were stopped by it.
	thread_taker = 2,
	thread_name = 4,         // name is known
	// robust_list is glibc's alone: the kernel (an emulator) refused
	// set_robust_list(), so it is rewritten but not registered again.
	thread_robust_unregistered = 8,
};

// One thread, stopped in the runtime: the threads section holds one per
// thread, the group leader first.
struct thread_record {
	uint32_t tid;            // at checkpoint time
	uint32_t flags;          // thread_flags
	// arch::context saved by ckpt_arch_capture, in the app's memory (on
	// the thread's stack): the restored thread resumes through it.
	uint64_t context_addr;
	// The signal frame (ucontext) the checkpoint signal's handler got,
	// in the app's memory; 0 for the taker of a ckpt_checkpoint() call.
	// Every other thread has one: it was stopped in the handler.
	uint64_t signal_frame;
	uint64_t sigmask;        // the thread's mask when it was stopped
	sys::stack altstack;
	uint64_t tid_address;    // PR_GET_TID_ADDRESS: glibc's cached tid; 0:
				 // unknown
	uint64_t robust_list;    // get_robust_list(): head (0: none), length
	uint64_t robust_list_len;
	uint64_t rseq_area;      // the thread's rseq registration, or 0
	uint32_t rseq_len;
	uint32_t rseq_sig;
	char name[16];           // PR_GET_NAME, terminated
	union {
		arch::thread_state state;
		uint64_t words[8];
	} arch;
	uint64_t reserved[4];
};

// Deleted files and memfds (issue #13): files that no path reaches, whose
// contents the image stores. One file_content per fd table entry that is
// not a dup (fd_memfd, or fd_file with fd_deleted); its extents (the byte
// ranges of the file that hold data, as SEEK_DATA/SEEK_HOLE find them: a
// hole reads as zeroes) are consecutive in the extent section, in file
// order, and its data is those ranges back to back, from data_offset (page
// aligned, after the region data and the file before it's), checked by
// data_crc. A descriptor of such a file with no entry is not restored.
constexpr uint32_t max_contents = 1 << 12;
constexpr uint32_t max_extents = 1 << 16;

struct file_content {
	uint32_t fd_index;     // the fd table entry: no dup
	int32_t same_as;       // an earlier file_content of the same file
			       // (another open of it): it stores nothing, the
			       // file is that one's; or -1
	uint64_t size;         // the file's size
	uint32_t seals;        // F_GET_SEALS of a memfd (F_SEAL_SEAL alone:
			       // created without MFD_ALLOW_SEALING); else 0
	uint32_t extent_count; // its extents
	uint64_t data_offset;  // in the image, page aligned; 0 if no data
	uint64_t data_size;    // the sum of its extents' lengths
	uint32_t data_crc;     // CRC32C of the data_size bytes
	uint32_t reserved;
};

struct extent {
	uint64_t offset; // in the file
	uint64_t length; // > 0, not past the file's size
};

// Timers and signals (section types 12-15; 12 and 13 used): POSIX timers
// (timer_create) and the signals pending at the checkpoint.
constexpr uint32_t max_posix_timers = 4096;
constexpr uint32_t max_pending_signals = 4096;

enum timer_notify : uint32_t {
	notify_none = 0,    // SIGEV_NONE
	notify_process = 1, // SIGEV_SIGNAL: to the process
	notify_thread = 2,  // SIGEV_SIGNAL | SIGEV_THREAD_ID: to one thread
};

// One POSIX timer, as /proc/self/timers and timer_gettime() tell it.
struct posix_timer {
	int32_t id;          // the kernel's timer id, given again at restore
	int32_t clock;       // ClockID
	uint32_t signo;      // 1..signal_count (unused for notify_none)
	uint32_t notify;     // timer_notify
	uint64_t value;      // sigev_value
	uint32_t thread;     // notify_thread: index in the thread section
	int32_t overrun;     // timer_getoverrun(): shown, not restorable
	sys::itimerspec time; // time left (0: disarmed) and interval
};

enum pending_scope : uint32_t {
	pending_process = 0, // the process's queue (ShdPnd)
	pending_thread = 1,  // one thread's own (SigPnd)
};

// At most this many signals pending for a thread other than the taker
// are saved (each stopped thread keeps them in its freeze slot).
constexpr uint32_t max_thread_signals = 16;

// One signal pending at the checkpoint, in queue order.
struct pending_signal {
	uint32_t signo;      // 1..signal_count, the same as info.signo
	uint32_t scope;      // pending_scope
	sys::queued_siginfo info;
	uint32_t thread;     // pending_thread: index in the thread section
			     // (a tid until the thread table is final); else 0
	uint32_t reserved;
};

// A timerfd (fd_timerfd): one per open file description (the fd entry
// with dup_of -1), recreated at restore with its state.
struct timerfd_entry {
	uint32_t fd_index;      // in the fd table
	int32_t clock;          // fdinfo "clockid"
	uint32_t settime_flags; // fdinfo "settime flags": TFD_TIMER_ABSTIME..
	uint32_t reserved;
	uint64_t ticks;         // expirations not read yet (fdinfo "ticks")
	sys::itimerspec time;   // timerfd_gettime(): time left, interval
};

// A signalfd (fd_signalfd), one per open file description.
struct signalfd_entry {
	uint32_t fd_index;      // in the fd table
	uint32_t reserved;
	uint64_t mask;          // fdinfo "sigmask": bit n is signal n + 1
};

static_assert(sizeof(posix_timer) == 64);
static_assert(sizeof(timerfd_entry) == 56);
static_assert(sizeof(signalfd_entry) == 16);
static_assert(sizeof(pending_signal) == 144);

// The file a region_file_private region maps, as it was at the
// checkpoint: the restore maps it only if it is still that file (or,
// with --allow-changed-files, with a warning).
struct mapped_file {
	uint32_t region;     // index of the region, increasing
	uint32_t dev;        // major << 20 | minor, as fd_entry::dev
	uint64_t ino;
	uint64_t size;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	uint32_t reserved;
};
static_assert(sizeof(mapped_file) == 40);

// Process attributes (issue #13, part A): section 23 holds typed entries,
// the process-wide ones first (each type at most once, only where the
// value is not the default), then one per region of a deleted file or
// memfd that only its mappings hold (no descriptor: no file_content), in
// region order. Such a region stores its data as shared memory does; it
// comes back as a shared mapping of a memfd made for its group (the
// regions that mapped one file), filled from the regions' data.
enum attr_type : uint32_t {
	attr_oom_score_adj = 1,   // value: /proc/self/oom_score_adj
	attr_thp_disable = 2,     // value 1: PR_SET_THP_DISABLE
	attr_child_subreaper = 3, // value 1: PR_SET_CHILD_SUBREAPER
	attr_membarrier = 4,      // value: membarrier_registrations
	attr_shared_file = 5,     // region, value: its group's first region
};

enum membarrier_registrations : uint32_t {
	membarrier_private_expedited = 1,
	membarrier_private_expedited_sync_core = 2,
	membarrier_private_expedited_rseq = 4,
};

constexpr uint32_t max_attrs = 4 + max_regions;

struct process_attr {
	uint32_t type;   // attr_type
	uint32_t region; // attr_shared_file: a region index; else 0
	int64_t value;
};
static_assert(sizeof(process_attr) == 16);
// Files written after the checkpoint (issue #13, part F): the CKPT_FILES
// policy of each regular file the process had open for writing, so that
// what the original wrote after the checkpoint does not reach the
// restored process. One entry per file that has a policy other than keep
// (the first fd table entry of its inode that is open for writing, no
// dup, not deleted), in fd table order. truncate: the file is truncated
// back to size at restore if it grew. snapshot: its contents at the
// checkpoint are the file_content (section 7) of that fd entry, written
// back into the file (the same inode) before the point of no return.
constexpr uint32_t no_content = 0xffffffff;

enum file_policy_kind : uint32_t {
	policy_keep = 0,     // the file as it is at restore (no entry)
	policy_truncate = 1, // back to its size at the checkpoint
	policy_snapshot = 2, // back to its contents at the checkpoint
};

struct file_policy {
	uint32_t fd_index; // the fd table entry: fd_file, open for writing
	uint32_t policy;   // file_policy_kind, truncate or snapshot
	uint32_t content;  // snapshot: its file_content; else no_content
	uint32_t reserved;
	uint64_t size;     // the file's size at the checkpoint
};
static_assert(sizeof(file_policy) == 24);
// File locks, inotify, terminals (issue #13, part L; section types 20-22,
// fd kinds 15-16). A file_lock is a lock the process held at the
// checkpoint, as the "lock:" lines of /proc/self/fdinfo show it on the
// open file it was taken through (an fd entry with no dup): flock() and
// OFD locks belong to that open file, POSIX ones to the process (one
// record per range, on the fd it was taken through). The restorer takes
// each again, refusing before the point of no return one that another
// process holds.
constexpr uint32_t max_locks = 1 << 12;
constexpr uint64_t lock_to_eof = ~0ull; // file_lock::end: to the end

enum lock_kind : uint32_t {
	lock_flock = 0, // flock(): the whole file (start 0, end lock_to_eof)
	lock_posix = 1, // fcntl(F_SETLK)
	lock_ofd = 2,   // fcntl(F_OFD_SETLK)
};

struct file_lock {
	uint32_t fd_index; // fd table entry (no dup), nondecreasing
	uint32_t kind;     // lock_kind
	uint32_t write;    // 1: exclusive (LOCK_EX, F_WRLCK); 0: shared
	uint32_t reserved;
	uint64_t start;    // first byte
	uint64_t end;      // last byte (>= start), or lock_to_eof
};
static_assert(sizeof(file_lock) == 32);

// An inotify watch, one per watch of an inotify instance (an fd_inotify
// entry with no dup), in fd order, then wd order. fdinfo gives its inode,
// not its path: the runtime looks for a path naming that inode among the
// process's working directory, open files and mapped files, and their
// parent directories; one it does not find has path 0 and does not come
// back (named at checkpoint and restore).
constexpr uint32_t max_watches = 1 << 14;

struct inotify_watch {
	uint32_t fd_index; // fd table entry: an fd_inotify, no dup
	int32_t wd;        // the watch descriptor the app knows, > 0
	uint32_t mask;     // fdinfo "mask": events, IN_ONESHOT, IN_EXCL_UNLINK
	uint32_t path;     // string table: where the inode was; 0: not found
	uint32_t dev;      // the inode's file system: major << 20 | minor
	uint32_t reserved;
	uint64_t ino;
};
static_assert(sizeof(inotify_watch) == 32);

// Section types. A reader refuses an image with a section type it does
// not know that has section_essential set (the state it holds would be
// lost) and skips one without it.
enum section_type : uint32_t {
	section_process = 1, // process_record, one
	section_threads = 2, // thread_record, 1 to max_threads
	section_regions = 3, // region, in address order
	section_runs = 4,    // run, in region order
	section_fds = 5,     // fd_entry, in fd order
	section_strings = 6, // bytes (entry size 1): NUL-terminated strings,
			     // the first one ""
	section_contents = 7, // file_content, in fd table order (optional)
	section_extents = 8,  // extent, in file_content order (optional)
	section_pipes = 9,     // pipe_record, in read end order
	section_pipe_data = 10, // bytes (entry size 1): the pipes' contents
	section_events = 11,   // event_record: eventfds and epoll watches
	section_posix_timers = 12,    // posix_timer, by id; optional
	section_pending_signals = 13, // pending_signal; optional
	section_timerfds = 14,        // timerfd_entry, by fd; optional
	section_signalfds = 15,       // signalfd_entry, by fd; optional
	section_mapped_files = 16,    // mapped_file, by region; optional
	section_sockets = 17,         // socket_entry, by fd; optional
	section_socket_messages = 18, // socket_message, by socket; optional
	section_socket_data = 19,     // bytes: the messages'; optional
	section_locks = 20,           // file_lock, by fd; optional
	section_inotify_watches = 21, // inotify_watch, by fd, wd; optional
	section_process_attrs = 23,   // process_attr; optional
	section_file_policies = 24,   // file_policy, by fd; optional
	// Incremental images (runtime/image_chain.h): both or neither.
	section_inherited_runs = 26,  // inherited_run, by region and offset
	section_parent = 27,          // parent_record, one
	section_essential = 1u << 31,
};

// One entry of the section directory. Every section the reader knows
// appears once, with its entry size exactly the reader's; sections lie
// inside [header_size + directory, meta_size), 8-byte aligned, and do not
// overlap.
struct section {
	uint32_t type;       // section_type, with section_essential
	uint32_t entry_size;
	uint32_t count;      // entries
	uint32_t reserved;
	uint64_t offset;     // from the start of the file
	uint64_t size;       // entry_size * count
};

struct header {
	char magic[8];
	uint32_t version;
	uint32_t machine;       // ELF e_machine of the app
	uint32_t page_size;
	uint32_t header_size;   // sizeof(header)
	uint32_t section_size;  // sizeof(section)
	uint32_t section_count; // entries in the directory after the header
	uint64_t meta_size;     // header, directory and sections: the bytes
				// from the file's start that meta_crc covers
	uint32_t meta_crc;      // CRC32C of those bytes, this field 0
	uint32_t reserved;
	uint64_t data_offset;   // first byte of region data, page aligned
	uint64_t file_size;     // the whole image
};

// Pipes, eventfds and epolls (issue #13): the kernel objects of an event
// loop. A pipe both of whose ends the process holds has a pipe_record;
// the bytes buffered in it at the checkpoint are in the pipe data
// section, each pipe's at an 8-aligned offset. Each eventfd and each
// watch of an epoll has an event_record. An fd_fifo, fd_eventfd or
// fd_epoll entry without its records (a pipe to another process, state
// that could not be read) does not come back.
constexpr uint32_t max_pipe_data = 16 << 20; // all pipes' bytes
constexpr uint32_t max_events = 1 << 17;
constexpr uint32_t no_target = 0xffffffff;

struct pipe_record {
	uint32_t read_end;  // fd table index: its read end's open file (an
			    // fd_fifo entry, O_RDONLY, no dup)
	uint32_t write_end; // the same for its write end (O_WRONLY)
	uint32_t size;      // F_GETPIPE_SZ
	uint32_t data_size; // bytes buffered, at most size
	uint64_t data;      // their offset in the pipe data section
	uint64_t reserved;
};

enum event_type : uint32_t {
	event_eventfd = 1,     // fd: an fd_eventfd entry; value: its count
	event_epoll_watch = 2, // fd: an fd_epoll entry; one of its watches
};

enum event_flags : uint32_t {
	event_semaphore = 1, // EFD_SEMAPHORE
};

struct event_record {
	uint32_t type;   // event_type
	uint32_t fd;     // fd table index of the object (no dup)
	uint32_t flags;  // event_flags (eventfd)
	uint32_t events; // watch: its event mask, as epoll_ctl() takes it
	uint64_t value;  // eventfd: the count; watch: its data
	int32_t target;  // watch: the watched descriptor's number
	uint32_t target_index; // watch: its fd table index, or no_target (the
			       // number no longer names the watched file)
};

static_assert(sizeof(pipe_record) == 32);
static_assert(sizeof(event_record) == 32);

// Sockets (issue #13, the sockets part; section types 17-19): unix
// sockets both of whose ends the process holds (stream, datagram,
// seqpacket) with their queued messages and shutdown state; listening and
// bound sockets (TCP, UDP, unix with an abstract name) with their address
// and options; TCP sockets connected elsewhere, which come back reset.
// One socket_entry per fd table entry of kind fd_socket that is no dup
// and comes back; its queued messages (received, not read yet: what its
// peer sent) are consecutive in the socket message section, their bytes
// in the socket data section, each at an 8-aligned offset. A socket
// without an entry does not come back (the checkpoint said why).
constexpr uint32_t max_socket_messages = 1 << 16;
constexpr uint32_t max_socket_data = 16 << 20; // all sockets' bytes
constexpr uint32_t max_socket_addr = 112;      // a sockaddr_un fits

enum socket_state : uint32_t {
	socket_unbound = 0,     // socket() and nothing since
	socket_bound = 1,       // bound to addr: bind() again
	socket_listening = 2,   // bound to addr, listening: listen() again
	socket_connected = 3,   // UDP: bound to addr, connected to peer_addr
	socket_pair = 4,        // unix, connected to peer, a socket of the
				// process connected back to it
	socket_peer_closed = 5, // unix stream or seqpacket whose peer is
				// gone: its queued bytes, then end of file
	socket_reset = 6,       // TCP connected to another host: comes back
				// reset (ECONNRESET, then EOF and EPIPE)
	socket_state_count
};

enum socket_flags : uint32_t {
	socket_reuseaddr = 1, // SO_REUSEADDR
	socket_reuseport = 2, // SO_REUSEPORT
	socket_v6only = 4,    // IPV6_V6ONLY
	socket_shut_rd = 8,   // it can receive no more (shutdown, its peer's)
	socket_shut_wr = 16,  // it can send no more
	socket_passcred = 32, // SO_PASSCRED
	socket_keepalive = 64,  // SO_KEEPALIVE
	socket_broadcast = 128, // SO_BROADCAST
	socket_nodelay = 256,   // TCP_NODELAY (a listener's: its accepted
				// sockets get it)
};

struct socket_entry {
	uint32_t fd_index;      // in the fd table: an fd_socket, no dup
	uint32_t family;        // AF_UNIX, AF_INET, AF_INET6
	uint32_t type;          // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET
	uint32_t protocol;      // SO_PROTOCOL
	uint32_t state;         // socket_state
	uint32_t flags;         // socket_flags
	uint32_t peer;          // socket_pair: the peer's fd table index;
				// else no_target
	uint32_t addr_len;      // bytes of addr (getsockname)
	uint32_t peer_addr_len; // bytes of peer_addr (getpeername)
	int32_t peek_off;       // SO_PEEK_OFF (-1: off)
	uint32_t rcvbuf;        // SO_RCVBUF, SO_SNDBUF as getsockopt says
	uint32_t sndbuf;
	uint32_t message_first; // its messages in the message section
	uint32_t message_count;
	uint64_t peer_ino;      // the peer's inode (unix), 0 unknown
	// A unix socket bound to a path: the socket file there (device as
	// fd_entry::dev, inode), which the restorer may replace; 0: the file
	// was gone (unlinked after bind()), and is unlinked again.
	uint32_t name_dev;
	uint32_t reserved;
	uint64_t name_ino;
	// SO_RCVTIMEO, SO_SNDTIMEO: seconds, microseconds (0: none).
	int64_t rcvtimeo[2];
	int64_t sndtimeo[2];
	uint8_t addr[max_socket_addr];
	uint8_t peer_addr[max_socket_addr];
};

struct socket_message {
	uint32_t socket; // index in the socket section
	uint32_t length; // bytes (a stream's whole queue is one message)
	uint64_t data;   // offset in the socket data section, 8-aligned
};

static_assert(sizeof(socket_entry) == 336);
static_assert(sizeof(socket_message) == 16);

static_assert(sizeof(arch::thread_state) <= 8 * sizeof(uint64_t));
static_assert(sizeof(header) == 64);
static_assert(sizeof(section) == 32);
static_assert(sizeof(region) == 64);
static_assert(sizeof(run) == 16);
static_assert(sizeof(fd_entry) == 64);
static_assert(sizeof(thread_record) == 208);
static_assert(sizeof(file_content) == 48);
static_assert(sizeof(extent) == 16);

// What the restorer leaves in the app's memory for the runtime.
struct resume_args {
	uint64_t restorer_start; // the restorer's mapping, to unmap
	uint64_t restorer_end;
	uint64_t flags;          // resume_flags
	// Futex words. inside: the restored threads still running on the
	// restorer's memory (each counts itself out once it is back on its
	// own stack; the taker unmaps the restorer when none is left). go:
	// set by the taker when the process is whole again; the other
	// threads wait for it before they return to the app.
	uint32_t inside;
	uint32_t go;
};

enum resume_flags : uint64_t {
	// The mm fields could not be set: the break is the restorer's, not
	// the one the app's libc remembers.
	resume_foreign_break = 1,
};

// Why an image is refused. describe() gives the message.
enum class fault : uint32_t {
	none,
	bad_magic,
	newer_version,
	unknown_version,
	old_version,
	other_arch,
	other_page_size,
	bad_record_size,
	truncated,
	trailing_bytes,
	bad_region_count,
	bad_run_count,
	bad_strings_size,
	bad_auxv,
	bad_offsets,
	bad_meta_crc,
	strings_unterminated,
	misaligned_region,
	region_beyond_limit,
	region_overlap,
	bad_region_fields,
	bad_region_name,
	bad_data_size,
	bad_run,
	misplaced_data,
	data_end_mismatch,
	data_crc_mismatch,
	runtime_state_missing,
	bad_fd_count,
	bad_fd,
	bad_process_state,
	bad_section_count,
	bad_section,
	section_missing,
	section_duplicate,
	unknown_essential_section,
	bad_thread_count,
	bad_thread,
	thread_leader_count,
	thread_taker_count,
	duplicate_tid,
	thread_state_missing,
	bad_file_content,
	bad_extent,
	bad_pipe,
	bad_event,
	bad_posix_timer,
	bad_pending_signal,
	bad_timer_fd,
	bad_mapped_file,
	bad_process_attr,
	bad_file_policy,
	bad_lock,
	bad_inotify_watch,
	bad_socket,
	bad_socket_message,
	bad_chain,
	count
};

const char *describe(fault f);

// A refusal: what is wrong and, where it applies, which region or thread.
struct problem {
	fault what = fault::none;
	long region = -1;   // index, or -1 for the header
	uint64_t addr = 0;  // the region's start
	long thread = -1;   // index in the thread section, or -1
};

// The facts of the machine an image is checked for: this one in the
// restorer; the fuzzer checks images of every architecture on one host.
struct target {
	uint32_t elf_machine;
	uint64_t user_address_limit;
	uint64_t context_size; // sizeof(arch::context)
};
constexpr target this_machine = {arch::elf_machine, arch::user_address_limit,
				 sizeof(arch::context)};

// Where the sections are, once the directory has been checked: pointers
// into the metadata (the first meta_size bytes of the image), and counts.
// An incremental image (sections 26 and 27): it names its parent, the
// image whose pages its inherited runs are. Offsets and lengths are page
// aligned, inside a region_incremental region, sorted, apart from each
// other and from the region's own runs.
struct inherited_run {
	uint32_t region; // index in the region section
	uint32_t reserved;
	uint64_t offset; // from the region's start
	uint64_t length;
};
static_assert(sizeof(inherited_run) == 24);

// The longest chain a reader follows: the image and its ancestors.
constexpr uint32_t max_chain = 256;

struct parent_record {
	uint32_t meta_crc; // the parent's header checksum
	uint32_t depth;    // this image's: 1 for the first increment
	uint32_t name;     // string table: the parent's file name, in the
			   // image's own directory
	uint32_t reserved;
};
static_assert(sizeof(parent_record) == 16);

struct tables {
	const process_record *process;
	const thread_record *threads;
	uint32_t thread_count;
	const region *regions;
	uint32_t region_count;
	const run *runs;
	uint32_t run_count;
	const fd_entry *fds;
	uint32_t fd_count;
	const char *strings;
	uint32_t strings_size;
	const file_content *contents; // optional sections: none, count 0
	uint32_t content_count;
	const extent *extents;
	uint32_t extent_count;
	const pipe_record *pipes;
	uint32_t pipe_count;
	const char *pipe_data;
	uint32_t pipe_data_size;
	const event_record *events;
	uint32_t event_count;
	const posix_timer *timers;
	uint32_t timer_count;
	const pending_signal *signals;
	uint32_t signal_count;
	const timerfd_entry *timerfds;
	uint32_t timerfd_count;
	const signalfd_entry *signalfds;
	uint32_t signalfd_count;
	const mapped_file *mapped_files;
	uint32_t mapped_file_count;
	const process_attr *attrs;
	uint32_t attr_count;
	const file_policy *file_policies;
	uint32_t file_policy_count;
	const file_lock *locks;
	uint32_t lock_count;
	const inotify_watch *watches;
	uint32_t watch_count;
	const socket_entry *sockets;
	uint32_t socket_count;
	const socket_message *socket_messages;
	uint32_t socket_message_count;
	const char *socket_data;
	uint32_t socket_data_size;
	const inherited_run *inherited; // sections 26 and 27: an increment
	uint32_t inherited_count;
	const parent_record *parent;    // nullptr: a full image
};

// Checks the header against the file and this machine.
problem check_header(const header &h, uint64_t file_size,
		     uint32_t page_size, const target &t = this_machine);
// Checks the section directory in meta (the header's meta_size bytes,
// header first) and its checksum, and finds the sections.
problem find_sections(const header &h, const void *meta, tables *out);
// Checks the process, thread, region, run, fd and string sections.
problem check_tables(const header &h, const tables &tb,
		     const target &t = this_machine);
// Checks that what the restorer reads, writes or jumps through in the
// app's memory (resume_args; each thread's context, signal frame, cached
// tid, robust list head and rseq area) lies in memory the image restores
// with content and that the restorer may write.
problem check_runtime_state(const header &h, const tables &tb,
			    const target &t = this_machine);
// The CRC the header should carry for this metadata (meta_size bytes,
// header first; its meta_crc field counts as 0).
uint32_t meta_crc(const void *meta, uint64_t meta_size);

const char *kind_name(uint32_t kind);
// The index in items[0, count) of the entry for fd table entry i, or -1:
// for the sections whose entries refer to fd table entries by strictly
// increasing fd_index (contents, file policies, sockets), as their checks
// require.
template <class T>
long by_fd_index(const T *items, uint32_t count, uint32_t i)
{
	uint32_t lo = 0, hi = count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (items[mid].fd_index == i)
			return mid;
		if (items[mid].fd_index < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const char *fd_kind_name(uint32_t kind);
// What kernel object that cannot come back an fd link or a mapping's
// name shows ("a pidfd" for "anon_inode:[pidfd]", "an AIO context
// (io_setup)" for "/[aio] (deleted)"); nullptr for any other.
const char *kernel_object_name(const char *name);
// Whether an fd entry is a terminal (a tty's or pty's device, /dev/tty,
// the console) or a pty's master side (/dev/ptmx).
bool is_terminal(const fd_entry &e);
bool is_pty_master(const fd_entry &e);

} // namespace image
