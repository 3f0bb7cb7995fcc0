// Saving the process state that memory does not hold: open files, the
// working directory, limits, timers; a thread's rseq registration.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/fmt.h"
#include "runtime/image.h"
#include "runtime/maps.h"
#include "arch/sys.h"

namespace ckpt {

// The string table while a checkpoint fills it: the process state's names
// first (save_process), then the regions' (writer.cc), from len on.
struct string_table {
	char *buf;    // image::max_strings bytes; offset 0 is ""
	uint32_t len; // bytes used

	// Stores s[0, n) terminated; false when the table is full.
	bool add(const char *s, size_t n, uint32_t *off);
};

// Fills p, *fd_count and fds (image::max_fds entries) for the calling
// process, adding names to strings. Runs in the app at the moment of the
// checkpoint (also for a forked one: a child has its own timers).
// -errno with the reason in msg.
long save_process(image::process_state *p, image::fd_entry *fds,
		  uint32_t *fd_count, string_table &strings, text &msg);

// Fills t's rseq fields with the calling thread's rseq registration (none:
// zero). -errno with the reason in msg if one is there that cannot be
// saved.
long save_rseq(image::thread_record &t, text &msg);

// Working memory of save_process(), mapped for one checkpoint: a signal
// checkpoint runs on whatever stack the app had, and the app's own memory
// is no place for it either.
struct process_scratch {
	char dirents[16 << 10];
	char link[4096];
	char status[8192]; // /proc/self/status
	char cwd[4096];
};

// The fd table part of it (runtime/files.cc).
// The fd_kind of an anon inode from its /proc/self/fd link
// ("anon_inode:[timerfd]"): fd_anon for those without one (timers.cc).
uint32_t anon_kind(const char *link);
long save_fds(image::fd_entry *fds, uint32_t *fd_count, string_table &strings,
	      process_scratch &work, text &msg);
// What the kinds' savers say of a descriptor on stderr: "ckpt: fd N
// (NAME): why[: errno]" and tail (a newline, or ", it will not come
// back\n").
void warn_fd(const image::fd_entry &e, const char *strings, const char *why,
	     long err, const char *tail);

// Pipes both of whose ends the process holds, eventfds and epoll watches
// (runtime/pipes.cc), into the image's working memory: pipes (max_fds / 2
// records), events (max_events) and data (max_pipe_data bytes), which
// begin_image() points at before save_process(); none (nullptr): none
// are saved.
struct event_objects {
	image::pipe_record *pipes;
	image::event_record *events;
	char *data;
	uint32_t pipe_count;
	uint32_t event_count;
	uint32_t data_size;
};
extern event_objects saved_events;

// Called by save_fds() with the table found: gives eventfd and epoll
// entries their kinds and records the objects; one that cannot be read
// is named on stderr and stays without records (it will not come back).
void save_event_objects(image::fd_entry *fds, uint32_t count,
			const char *strings);

// The file locks the process holds (locks.cc): called by save_fds() with
// the table found; one that cannot come back is named on stderr.
struct lock_table {
	image::file_lock items[image::max_locks];
	uint32_t count;
};
extern lock_table saved_locks;
void save_locks(const image::fd_entry *fds, uint32_t count,
		const char *strings);
// inotify instances (inotify.cc): called by save_fds() with the table
// found; gives them their kind and records their watches, each with a
// path where one is found (the paths go into strings).
struct watch_table {
	image::inotify_watch items[image::max_watches];
	uint32_t count;
};
extern watch_table saved_watches;
void save_inotify(image::fd_entry *fds, uint32_t count, string_table &strings);
// Terminals (terminals.cc): names a pty master the process holds and
// flags the slave side of its pty. Kernel objects that cannot come back
// (kernel_objects.cc): gives them their kind and names them, and AIO
// contexts, on stderr. Both called by save_fds() with the table found.
void save_terminals(image::fd_entry *fds, uint32_t count, const char *strings);
void save_kernel_objects(image::fd_entry *fds, uint32_t count,
			 const char *strings);

// Whether a /proc/self/maps entry is a shared mapping of a regular file
// that still has its name, so that the restorer can map it again from the
// file rather than restore a copy that writes would no longer reach.
bool file_backed(const map_entry &e);

// Whether st (statx with STATX_INO) is the file e maps.
bool same_file(const struct statx &st, const map_entry &e);

// How many bytes from a file mapping's start the file holds (in whole
// pages, at most up to the mapping's end or beyond it): the pages after
// them raise SIGBUS when read. False if that cannot be found out.
bool mapped_size(const map_entry &e, uint64_t page_size, uint64_t *size);
// Whether private file mapping e is of a regular file its path still
// names: then its identity (device, inode, size, mtime) in *id, the
// mapping's region index left to the caller.
bool mapped_identity(const map_entry &e, image::mapped_file *id);

} // namespace ckpt
