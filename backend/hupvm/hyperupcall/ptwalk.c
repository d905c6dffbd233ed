// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest page-table walker (see ptwalk.h).  A range walk recurses one
 * table level at a time over only the entries the range covers, so a
 * non-present upper entry skips its whole 512 GiB / 1 GiB / 2 MiB at the
 * cost of one read; leaves are split at RAM region boundaries and then
 * coalesced into maximal runs before they reach the callback.
 */
#include "hyperupcall/ptwalk.h"

#include <errno.h>
#include <string.h>

#define PTW_PAGE 4096ull

struct ptw_ctx {
	const struct mem *m;
	uint64_t budget;
	ptw_run_fn fn;
	void *opaque;
	struct ptw_stats *st;
	/* the run being built */
	uint64_t gva, gpa, off, len;
};

static int flush(struct ptw_ctx *c)
{
	int err = 0;

	if (c->len) {
		c->st->runs++;
		err = c->fn(c->opaque, c->gva, c->gpa, c->off, c->len);
	}
	c->len = 0;
	return err;
}

static int add_run(struct ptw_ctx *c, uint64_t gva, uint64_t gpa,
		   uint64_t off, uint64_t len)
{
	int err;

	c->st->present_bytes += len;
	if (c->len && gva == c->gva + c->len && gpa == c->gpa + c->len &&
	    off == c->off + c->len) {
		c->len += len;
		return 0;
	}
	err = flush(c);
	c->gva = gva;
	c->gpa = gpa;
	c->off = off;
	c->len = len;
	return err;
}

static void add_hole(struct ptw_ctx *c, uint64_t len)
{
	c->st->hole_bytes += len;
}

/*
 * A leaf maps [gva, gva + len) to [gpa, gpa + len): keep the parts that
 * lie in RAM (a large page may straddle the end of a region).
 */
static int emit(struct ptw_ctx *c, uint64_t gva, uint64_t gpa, uint64_t len)
{
	while (len) {
		const struct mem_region *in = NULL;
		uint64_t piece = len, next = UINT64_MAX, base = 0, off = 0;
		int err;

		for (unsigned int i = 0; i < c->m->nr; i++) {
			const struct mem_region *r = &c->m->regions[i];

			if (gpa >= r->gpa && gpa - r->gpa < r->size) {
				in = r;
				off = base + (gpa - r->gpa);
			} else if (r->gpa > gpa && r->gpa < next) {
				next = r->gpa;
			}
			base += r->size;
		}
		if (in) {
			if (piece > in->size - (gpa - in->gpa))
				piece = in->size - (gpa - in->gpa);
			err = add_run(c, gva, gpa, off, piece);
			if (err)
				return err;
		} else {
			/* Not RAM up to the next region (or the end). */
			if (next - gpa < piece)
				piece = next - gpa;
			add_hole(c, piece);
		}
		gva += piece;
		gpa += piece;
		len -= piece;
	}
	return 0;
}

static int read_entry(struct ptw_ctx *c, uint64_t table, unsigned int idx,
		      uint64_t *e)
{
	const uint64_t *p;

	if (c->st->entries >= c->budget)
		return -E2BIG;
	c->st->entries++;
	p = mem__gpa_to_hva(c->m, table + idx * 8ull, 8);
	if (!p) {
		c->st->bad_tables++;
		*e = 0;
		return 0;
	}
	/* The guest may be rewriting its tables: one atomic read per entry
	 * makes the result a snapshot of some state, never a torn entry. */
	*e = __atomic_load_n(p, __ATOMIC_RELAXED);
	return 0;
}

/* [lo, hi] (inclusive) lies inside the span of the table at `table`. */
static int walk(struct ptw_ctx *c, int level, uint64_t table, uint64_t lo,
		uint64_t hi)
{
	unsigned int shift = 12 + 9 * (unsigned int)(level - 1);
	uint64_t span = 1ull << shift, va = lo;

	for (;;) {
		uint64_t ent_lo = va & ~(span - 1), ent_hi = ent_lo + (span - 1);
		uint64_t piece_hi = hi < ent_hi ? hi : ent_hi, e;
		uint64_t len = piece_hi - va + 1;
		int err;

		err = read_entry(c, table, (unsigned int)(va >> shift) & 511,
				 &e);
		if (err)
			return err;
		if (!(e & PTW_PRESENT)) {
			add_hole(c, len);
		} else if (level == 1 || ((level == 2 || level == 3) &&
					  (e & PTW_PS))) {
			uint64_t frame = e & PTW_ADDR_MASK & ~(span - 1);

			err = emit(c, va, frame + (va - ent_lo), len);
		} else if (e & PTW_PS) {
			add_hole(c, len); /* PS in a PML4E/PML5E: reserved */
		} else {
			err = walk(c, level - 1, e & PTW_ADDR_MASK, va,
				   piece_hi);
		}
		if (err)
			return err;
		if (piece_hi == hi)
			return 0;
		va = piece_hi + 1;
	}
}

int ptw__walk(const struct mem *m, const struct ptw_root *root, uint64_t gva,
	      uint64_t size, uint64_t budget, ptw_run_fn fn, void *opaque,
	      struct ptw_stats *st)
{
	unsigned int bits = root->la57 ? 57 : 48;
	uint64_t half = 1ull << (bits - 1), last, covered = 0;
	uint64_t halves[2][2] = {{0, half - 1}, {0 - half, UINT64_MAX}};
	struct ptw_stats dummy;
	struct ptw_ctx c;
	int err = 0;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (!fn || !size || (gva | size) & (PTW_PAGE - 1) ||
	    size - 1 > UINT64_MAX - gva)
		return -EINVAL;
	last = gva + (size - 1);
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.budget = budget;
	c.fn = fn;
	c.opaque = opaque;
	c.st = st;
	for (int h = 0; h < 2 && !err; h++) {
		uint64_t lo = gva > halves[h][0] ? gva : halves[h][0];
		uint64_t hi = last < halves[h][1] ? last : halves[h][1];

		if (lo > hi)
			continue;
		covered += hi - lo + 1;
		err = walk(&c, root->la57 ? 5 : 4, root->cr3 & PTW_ADDR_MASK,
			   lo, hi);
	}
	if (!err)
		err = flush(&c);
	st->hole_bytes += size - covered; /* the non-canonical middle */
	return err;
}

struct one {
	uint64_t gpa;
	int found;
};

static int one_run(void *opaque, uint64_t gva, uint64_t gpa, uint64_t off,
		   uint64_t len)
{
	struct one *o = opaque;

	(void)gva;
	(void)off;
	(void)len;
	o->gpa = gpa;
	o->found = 1;
	return 0;
}

int ptw__translate(const struct mem *m, const struct ptw_root *root,
		   uint64_t gva, uint64_t *gpa)
{
	unsigned int bits = root->la57 ? 57 : 48;
	uint64_t half = 1ull << (bits - 1);
	struct one o = {0, 0};
	int err;

	if (gva >= half && gva < 0 - half)
		return -EINVAL;
	err = ptw__walk(m, root, gva & ~(PTW_PAGE - 1), PTW_PAGE, 64, one_run,
			&o, NULL);
	if (err)
		return err;
	if (!o.found)
		return -ENOENT;
	*gpa = o.gpa + (gva & (PTW_PAGE - 1));
	return 0;
}
