// A scanner for /proc/self/maps text, over one caller-owned buffer.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ckpt {

struct map_entry {
	uint64_t start;
	uint64_t end;
	uint32_t prot;    // PROT_READ | PROT_WRITE | PROT_EXEC
	bool shared;      // 's' rather than 'p'
	uint64_t offset;  // file offset of start
	uint32_t dev_major; // the mapped file's device
	uint32_t dev_minor;
	uint64_t inode;
	const char *name; // path or [label]; not terminated
	size_t name_len;  // 0 for anonymous memory

	bool named(const char *label) const;
};

class maps_scanner {
public:
	maps_scanner(const char *text, size_t len) : p_(text), end_(text + len)
	{
	}

	// The next entry; false at the end or on a malformed line (then
	// bad() is true).
	bool next(map_entry *e);
	bool bad() const { return bad_; }

private:
	const char *p_;
	const char *end_;
	bool bad_ = false;
};

} // namespace ckpt
