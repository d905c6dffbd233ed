// SPDX-License-Identifier: BSD-2-Clause
/*
 * The shared view map (see vmap.h).  Claims are kept per set as plain
 * arrays and compared linearly: registration is rare and bounded
 * (HUP_MAX_PROGS sets of at most VMAP_MAX_RUNS_PER_SET runs), and the hot
 * path (programs running) never looks here.
 */
#include "hyperupcall/vmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct span {
	uint64_t s, e; /* [s, e) */
};

struct spans {
	struct span *v;
	size_t nr, cap;
};

void vmap__init(struct vmap *vm, struct hup_view *view, int fd)
{
	memset(vm, 0, sizeof(*vm));
	vm->view = view;
	vm->fd = fd;
}

void vmap__exit(struct vmap *vm)
{
	free(vm->sets);
	vm->sets = NULL;
	vm->nr_sets = vm->cap_sets = 0;
}

static int spans_push(struct spans *sp, uint64_t s, uint64_t e)
{
	if (sp->nr == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 16;
		struct span *v = realloc(sp->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		sp->v = v;
		sp->cap = cap;
	}
	sp->v[sp->nr++] = (struct span){s, e};
	return 0;
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

/*
 * Compare the claim r with every run of set overlapping it: record the
 * overlaps in sp, and fail if one maps a different page or rights.
 */
static int overlaps(struct vmap *vm, const struct vmap_set *set,
		    const struct vmap_run *r, struct spans *sp, int check)
{
	uint64_t re = r->voff + r->len;

	vm->steps += set->nr;
	for (size_t i = 0; i < set->nr; i++) {
		const struct vmap_run *o = &set->runs[i];
		uint64_t oe = o->voff + o->len;
		int err;

		if (o->voff >= re || r->voff >= oe)
			continue;
		if (check && (o->off - o->voff != r->off - r->voff ||
			      o->prot != r->prot))
			return -EADDRNOTAVAIL;
		err = spans_push(sp, o->voff > r->voff ? o->voff : r->voff,
				 oe < re ? oe : re);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Call fn on every gap of [s, e) that the sorted spans leave uncovered.
 */
static int for_each_gap(struct spans *sp, uint64_t s, uint64_t e,
			int (*fn)(struct vmap *, const struct vmap_run *,
				  uint64_t, uint64_t),
			struct vmap *vm, const struct vmap_run *r)
{
	uint64_t at = s;
	int err;

	if (sp->nr) /* qsort(NULL, 0, ...) is undefined behaviour */
		qsort(sp->v, sp->nr, sizeof(*sp->v), span_cmp);
	for (size_t i = 0; i < sp->nr; i++) {
		if (sp->v[i].s > at) {
			err = fn(vm, r, at, sp->v[i].s);
			if (err)
				return err;
		}
		if (sp->v[i].e > at)
			at = sp->v[i].e;
	}
	if (at < e)
		return fn(vm, r, at, e);
	return 0;
}

static int map_gap(struct vmap *vm, const struct vmap_run *r, uint64_t s,
		   uint64_t e)
{
	return hup_view__map(vm->view, s, vm->fd, r->off + (s - r->voff),
			     e - s, r->prot);
}

static int unmap_gap(struct vmap *vm, const struct vmap_run *r, uint64_t s,
		     uint64_t e)
{
	(void)r;
	hup_view__unmap(vm->view, s, e - s); /* -ENOENT: already a hole */
	return 0;
}

static int add_one(struct vmap *vm, struct vmap_set *set,
		   const struct vmap_run *r)
{
	struct spans sp = {0};
	int err = 0;

	if (set->nr >= VMAP_MAX_RUNS_PER_SET)
		return -E2BIG;
	if (set->nr == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		struct vmap_run *v = realloc(set->runs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		set->runs = v;
		set->cap = cap;
	}
	for (size_t i = 0; i < vm->nr_sets && !err; i++)
		err = overlaps(vm, vm->sets[i], r, &sp, 1);
	if (!err)
		err = overlaps(vm, set, r, &sp, 1);
	if (!err)
		err = for_each_gap(&sp, r->voff, r->voff + r->len, map_gap, vm,
				   r);
	free(sp.v);
	if (err) {
		/* Undo whatever part of r this call mapped: exactly the
		 * gaps, which nobody else claims. */
		struct spans sp2 = {0};

		for (size_t i = 0; i < vm->nr_sets; i++)
			overlaps(vm, vm->sets[i], r, &sp2, 0);
		overlaps(vm, set, r, &sp2, 0);
		if (err != -EADDRNOTAVAIL)
			for_each_gap(&sp2, r->voff, r->voff + r->len,
				     unmap_gap, vm, r);
		free(sp2.v);
		return err;
	}
	set->runs[set->nr++] = *r;
	set->bytes += r->len;
	return 0;
}

int vmap__add(struct vmap *vm, struct vmap_set *set, uint64_t gva,
	      uint64_t off, uint64_t len, uint32_t prot)
{
	uint64_t mask = hup_view__mask(vm->view), size = mask + 1;

	if (!len)
		return -EINVAL;
	if (len > size)
		return -EADDRNOTAVAIL; /* aliases itself modulo the view */
	while (len) {
		struct vmap_run r = {gva & mask, len, off, prot};
		int err;

		if (r.len > size - r.voff)
			r.len = size - r.voff; /* split at the top of the view */
		err = add_one(vm, set, &r);
		if (err)
			return err;
		gva += r.len;
		off += r.len;
		len -= r.len;
	}
	return 0;
}

int vmap__commit(struct vmap *vm, struct vmap_set *set)
{
	if (vm->nr_sets == vm->cap_sets) {
		size_t cap = vm->cap_sets ? vm->cap_sets * 2 : 8;
		struct vmap_set **v = realloc(vm->sets, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vm->sets = v;
		vm->cap_sets = cap;
	}
	vm->sets[vm->nr_sets++] = set;
	set->committed = 1;
	return 0;
}

void vmap__release(struct vmap *vm, struct vmap_set *set)
{
	for (size_t i = 0; i < vm->nr_sets; i++) {
		if (vm->sets[i] != set)
			continue;
		memmove(&vm->sets[i], &vm->sets[i + 1],
			(vm->nr_sets - i - 1) * sizeof(*vm->sets));
		vm->nr_sets--;
		break;
	}
	set->committed = 0;
	for (size_t k = 0; k < set->nr; k++) {
		const struct vmap_run *r = &set->runs[k];
		struct spans sp = {0};
		int err = 0;

		for (size_t i = 0; i < vm->nr_sets && !err; i++)
			err = overlaps(vm, vm->sets[i], r, &sp, 0);
		/* Without the full list of other claims, unmapping could
		 * punch a page another program uses: leave it mapped. */
		if (!err)
			for_each_gap(&sp, r->voff, r->voff + r->len, unmap_gap,
				     vm, r);
		free(sp.v);
	}
	free(set->runs);
	set->runs = NULL;
	set->nr = set->cap = 0;
	set->bytes = 0;
}
