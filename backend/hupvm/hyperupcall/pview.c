// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-program views (pview.h): fit a program's runs into the smallest view
 * where they do not alias, share the view with programs that map exactly
 * the same, and keep the VM's host mappings and address space bounded.
 */
#include "hyperupcall/pview.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void pviews__init(struct pviews *pv, int fd, unsigned int max_bits)
{
	memset(pv, 0, sizeof(*pv));
	pv->fd = fd;
	pv->max_bits = max_bits;
}

static uint64_t reserved_bytes(unsigned int bits)
{
	return (1ull << bits) + 2ull * HUP_VIEW_GUARD;
}

static void view_free(struct pviews *pv, struct pview *v)
{
	pv->maps -= PVIEW_MAPS(v->nr);
	pv->va -= reserved_bytes(v->bits);
	hup_view__free(v->view); /* unmaps everything */
	free(v->runs);
	free(v);
}

void pviews__exit(struct pviews *pv)
{
	while (pv->head) {
		struct pview *v = pv->head;

		pv->head = v->next;
		view_free(pv, v);
	}
	pv->nr_views = 0;
}

static int run_cmp(const void *a, const void *b)
{
	const struct pview_run *x = a, *y = b;

	return x->voff < y->voff ? -1 : x->voff > y->voff;
}

/*
 * The runs of c[0..n) in a view of 2^bits bytes, sorted by view offset,
 * split where they wrap its top, merged where they touch or coincide with
 * the same memfd pages and rights.  -EADDRNOTAVAIL if two of them would
 * put different pages (or rights) at one view offset.  r has room for 2n.
 */
static int layout(struct pviews *pv, const struct pview_claim *c, size_t n,
		  unsigned int bits, struct pview_run *r, size_t *nr)
{
	uint64_t size = 1ull << bits, mask = size - 1;
	size_t k = 0, m = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t voff = c[i].gva & mask, head;

		if (c[i].len > size)
			return -EADDRNOTAVAIL;
		head = size - voff < c[i].len ? size - voff : c[i].len;
		r[k++] = (struct pview_run){voff, head, c[i].off, c[i].prot, 0};
		if (head < c[i].len)
			r[k++] = (struct pview_run){0, c[i].len - head,
						    c[i].off + head, c[i].prot,
						    0};
	}
	pv->steps += k;
	qsort(r, k, sizeof(*r), run_cmp);
	for (size_t i = 0; i < k; i++) {
		struct pview_run *p = m ? &r[m - 1] : NULL;

		if (p && p->voff + p->len >= r[i].voff) {
			/* touching or overlapping: one mapping only if the
			 * same memfd pages with the same rights continue */
			int same = p->prot == r[i].prot &&
				   p->off - p->voff == r[i].off - r[i].voff;

			if (!same && p->voff + p->len > r[i].voff)
				return -EADDRNOTAVAIL;
			if (same) {
				uint64_t end = r[i].voff + r[i].len;

				if (end > p->voff + p->len)
					p->len = end - p->voff;
				continue;
			}
		}
		r[m++] = r[i];
	}
	*nr = m;
	return 0;
}

static uint64_t layout_hash(const struct pview_run *r, size_t nr,
			    unsigned int bits)
{
	const unsigned char *s = (const unsigned char *)r;
	uint64_t h = 0xcbf29ce484222325ull ^ bits;

	for (size_t i = 0; i < nr * sizeof(*r); i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

static struct pview *find_same(struct pviews *pv, const struct pview_run *r,
			       size_t nr, unsigned int bits, uint64_t hash)
{
	for (struct pview *v = pv->head; v; v = v->next) {
		pv->steps++;
		if (v->hash == hash && v->bits == bits && v->nr == nr &&
		    !memcmp(v->runs, r, nr * sizeof(*r))) {
			pv->steps += nr;
			return v;
		}
	}
	return NULL;
}

static int view_map(struct pviews *pv, struct pview *v)
{
	int err = hup_view__create(v->bits, &v->view);

	for (size_t i = 0; !err && i < v->nr; i++) {
		const struct pview_run *r = &v->runs[i];

		err = hup_view__map(v->view, r->voff, pv->fd, r->off, r->len,
				    r->prot);
		v->bytes += r->len;
	}
	pv->steps += v->nr;
	return err;
}

int pviews__get(struct pviews *pv, const struct pview_claim *c, size_t n,
		struct pview **out)
{
	unsigned int bits = PVIEW_BITS_FIRST;
	struct pview_run *r;
	struct pview *v;
	uint64_t total = 0, hash;
	size_t nr = 0;
	int err = -EADDRNOTAVAIL;

	*out = NULL;
	if (n > PVIEW_MAX_RUNS)
		return -E2BIG;
	for (size_t i = 0; i < n; i++)
		total += c[i].len; /* each below 2^47: no overflow */
	if (bits > pv->max_bits)
		bits = pv->max_bits;
	r = malloc((2 * n + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (; bits <= pv->max_bits; bits++) {
		if (total > 1ull << bits)
			continue;
		err = layout(pv, c, n, bits, r, &nr);
		if (err != -EADDRNOTAVAIL)
			break;
	}
	if (err)
		goto out;
	hash = layout_hash(r, nr, bits);
	v = find_same(pv, r, nr, bits, hash);
	if (v) {
		v->refs++;
		*out = v;
		goto out;
	}
	err = -ENOSPC;
	if (pv->maps + PVIEW_MAPS(nr) > PVIEW_MAX_MAPS ||
	    pv->va + reserved_bytes(bits) > PVIEW_MAX_VA)
		goto out;
	err = -ENOMEM;
	v = calloc(1, sizeof(*v));
	if (!v)
		goto out;
	v->refs = 1;
	v->bits = bits;
	v->hash = hash;
	v->nr = nr;
	/* keep only what is used; a shrink that fails keeps it all */
	v->runs = realloc(r, (nr + 1) * sizeof(*r));
	if (!v->runs)
		v->runs = r;
	r = NULL;
	pv->maps += PVIEW_MAPS(nr);
	pv->va += reserved_bytes(bits);
	err = view_map(pv, v);
	if (err) {
		view_free(pv, v);
		goto out;
	}
	v->next = pv->head;
	pv->head = v;
	pv->nr_views++;
	*out = v;
out:
	free(r);
	return err;
}

void pviews__put(struct pviews *pv, struct pview *v)
{
	struct pview **pp;

	if (!v || --v->refs)
		return;
	for (pp = &pv->head; *pp; pp = &(*pp)->next) {
		pv->steps++;
		if (*pp == v) {
			*pp = v->next;
			pv->nr_views--;
			break;
		}
	}
	view_free(pv, v);
}
