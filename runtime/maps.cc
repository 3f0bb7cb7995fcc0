// A scanner for /proc/self/maps lines:
//   start-end perms offset major:minor inode   [name]
#include "runtime/maps.h"

#include <linux/mman.h>

#include "runtime/str.h"

namespace ckpt {

namespace {

class line_reader {
public:
	line_reader(const char *p, const char *end) : p_(p), end_(end) {}

	bool hex(uint64_t *v)
	{
		uint64_t x = 0;
		const char *start = p_;
		for (int d; p_ < end_ && (d = hex_digit(*p_)) >= 0; p_++) {
			if (x >> 60)
				return false;
			x = x << 4 | d;
		}
		*v = x;
		return p_ != start;
	}

	bool dec(uint64_t *v)
	{
		uint64_t x = 0;
		const char *start = p_;
		for (; p_ < end_ && *p_ >= '0' && *p_ <= '9'; p_++)
			x = x * 10 + (*p_ - '0');
		*v = x;
		return p_ != start;
	}

	bool expect(char c)
	{
		if (p_ >= end_ || *p_ != c)
			return false;
		p_++;
		return true;
	}

	bool spaces()
	{
		const char *start = p_;
		while (p_ < end_ && *p_ == ' ')
			p_++;
		return p_ != start;
	}

	bool perm(char on, uint32_t bit, uint32_t *prot)
	{
		if (p_ >= end_)
			return false;
		char c = *p_++;
		if (c == on)
			*prot |= bit;
		return c == on || c == '-';
	}

	const char *pos() const { return p_; }
	const char *end() const { return end_; }
	void skip_to(const char *p) { p_ = p; }

private:
	const char *p_;
	const char *end_;
};

} // namespace

bool map_entry::named(const char *label) const
{
	size_t n = str_len(label);
	return name_len == n && memcmp(name, label, n) == 0;
}

bool maps_scanner::next(map_entry *e)
{
	if (p_ >= end_ || bad_)
		return false;
	const char *eol = p_;
	while (eol < end_ && *eol != '\n')
		eol++;
	line_reader r(p_, eol);
	p_ = eol < end_ ? eol + 1 : eol;

	uint64_t major = 0, minor = 0;
	char sharing;
	*e = {};
	bool ok = r.hex(&e->start) && r.expect('-') && r.hex(&e->end) &&
		  r.spaces() && r.perm('r', PROT_READ, &e->prot) &&
		  r.perm('w', PROT_WRITE, &e->prot) &&
		  r.perm('x', PROT_EXEC, &e->prot);
	if (ok && r.pos() < r.end()) {
		sharing = *r.pos();
		r.skip_to(r.pos() + 1);
		ok = sharing == 's' || sharing == 'p';
		e->shared = sharing == 's';
	} else {
		ok = false;
	}
	ok = ok && r.spaces() && r.hex(&e->offset) && r.spaces() &&
	     r.hex(&major) && r.expect(':') && r.hex(&minor) && r.spaces() &&
	     r.dec(&e->inode);
	e->dev_major = (uint32_t)major;
	e->dev_minor = (uint32_t)minor;
	if (!ok || e->start >= e->end) {
		bad_ = true;
		return false;
	}
	r.spaces();
	e->name = r.pos();
	e->name_len = r.end() - r.pos();
	return true;
}

} // namespace ckpt
