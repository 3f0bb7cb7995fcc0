// The checkpoint image format, version 1: the one definition that the
// runtime (writer) and the restorer (reader) share. Little-endian, native
// layout; README.md documents it field by field.
//
//   header | region table | run table | string table | pad | region data
//
// A region stores only its touched pages: its runs (consecutive in the run
// table, in region order) say which byte ranges of it the data holds, and
// the data is those ranges back to back, each starting on a page boundary
// of the file, so that a run can be mapped straight from the image.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "arch/sys.h"

namespace image {

constexpr char magic[8] = {'C', 'K', 'P', 'T', 'I', 'M', 'G', 0};
constexpr uint32_t format_version = 1;

// Hard bounds a reader enforces before it trusts any count.
constexpr uint32_t max_regions = 32768;
constexpr uint32_t max_runs = 1 << 20;
constexpr uint32_t max_strings = 1 << 20;
constexpr uint32_t max_auxv_words = 128;
constexpr int signal_count = 64;

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
};

struct region {
	uint64_t start;     // page aligned
	uint64_t end;       // page aligned, > start
	uint32_t prot;      // PROT_READ | PROT_WRITE | PROT_EXEC
	uint32_t kind;      // region_kind
	uint32_t flags;     // region_flags
	uint32_t name;      // offset in the string table; 0 is ""
	uint64_t file_offset; // the mapping's offset in its file (info only)
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

// The fields of prctl(PR_SET_MM, PR_SET_MM_MAP).
struct mm_fields {
	uint64_t start_code, end_code;
	uint64_t start_data, end_data;
	uint64_t start_brk, brk;
	uint64_t start_stack;
	uint64_t arg_start, arg_end;
	uint64_t env_start, env_end;
};

struct header {
	char magic[8];
	uint32_t version;
	uint32_t machine;       // ELF e_machine of the app
	uint32_t page_size;
	uint32_t header_size;   // sizeof(header)
	uint32_t region_size;   // sizeof(region)
	uint32_t region_count;
	uint32_t strings_size;
	uint32_t meta_crc;      // CRC32C of header (this field 0) and tables
	uint32_t run_count;     // entries in the run table
	uint32_t reserved1;
	uint64_t table_offset;
	uint64_t runs_offset;
	uint64_t strings_offset;
	uint64_t data_offset;   // first byte of region data, page aligned
	uint64_t file_size;     // the whole image

	// Where, in the app's memory, the runtime waits to be resumed.
	uint64_t context_addr;  // arch::context saved by ckpt_arch_capture
	uint64_t resume_addr;   // ckpt::resume_args the restorer fills in

	mm_fields mm;           // all zero when they could not be read
	uint32_t auxv_words;
	uint32_t reserved0;
	uint64_t auxv[max_auxv_words];

	union {
		arch::thread_state state;
		uint64_t words[8];
	} thread;
	sys::kernel_sigaction sigactions[signal_count]; // signal i + 1
	uint64_t sigmask;
	sys::stack altstack;
	uint64_t reserved[16];
};

static_assert(sizeof(arch::thread_state) <= 8 * sizeof(uint64_t));
static_assert(sizeof(region) == 64);
static_assert(sizeof(run) == 16);

// What the restorer leaves in the app's memory for the runtime.
struct resume_args {
	uint64_t restorer_start; // the restorer's mapping, to unmap
	uint64_t restorer_end;
	uint64_t flags;          // resume_flags
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
	count
};

const char *describe(fault f);

// A refusal: what is wrong and, where it applies, which region.
struct problem {
	fault what = fault::none;
	long region = -1;   // index, or -1 for the header
	uint64_t addr = 0;  // the region's start
};

// Checks the header against the file and this machine.
problem check_header(const header &h, uint64_t file_size,
		     uint32_t page_size);
// Checks the region, run and string tables the header describes.
problem check_tables(const header &h, const region *regions, const run *runs,
		     const char *strings);
// Checks that the runtime's context and resume_args lie in memory the
// image restores with content and that the restorer may write.
problem check_runtime_state(const header &h, const region *regions,
			    const run *runs);
// The CRC the header should carry for these tables.
uint32_t meta_crc(const header &h, const region *regions, const run *runs,
		  const char *strings);

const char *kind_name(uint32_t kind);

} // namespace image
