// SPDX-License-Identifier: BSD-2-Clause
/*
 * The shared view map (see vmap.h).  Every claim of every set lives in one
 * treap of segments keyed by view offset: disjoint ranges [s, e) of the
 * view, each with the memfd offset and rights every claim covering it
 * agrees on and the number of such claims (refs).  Claiming a run splits
 * the treap around it (O(log S)), checks and counts the k segments inside
 * (O(k)), maps the gaps between them, and joins it back; releasing one
 * counts down and unmaps the segments nobody claims any more.  Comparing
 * a run with every run of every other set instead (what this replaced)
 * made the 40th registration of one 16,384-run window take 44 times as
 * long as the first, and an unregistration up to 18 s
 * (docs/bench-vmap.md).
 *
 * Invariant: segments are maximal.  Two touching segments differ in
 * offset, rights or refs, so every segment boundary is the end of some
 * live claim and the treap holds at most two segments per live run,
 * whatever sequence of claims and releases a guest makes.  Add and
 * release keep it by merging touching equal segments at the two ends of
 * the run they change (inside the run, every segment changes alike).
 *
 * The treap's priorities are random (seeded per map), so its depth is
 * O(log S) whatever offsets a guest picks; the recursion below is that
 * deep.
 */
#include "hyperupcall/vmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

struct vmap_seg {
	struct vmap_seg *l, *r;
	uint64_t prio;	/* heap order: a parent's is larger */
	uint64_t s, e;	/* view offsets [s, e), the key is s */
	uint64_t delta; /* memfd offset - view offset (mod 2^64) */
	uint32_t prot;
	uint32_t refs; /* runs of any set covering it (at most
			* HUP_MAX_PROGS * VMAP_MAX_RUNS_PER_SET) */
};

void vmap__init(struct vmap *vm, struct hup_view *view, int fd)
{
	memset(vm, 0, sizeof(*vm));
	vm->view = view;
	vm->fd = fd;
	/* Only the tree's shape depends on it: a weak seed costs balance
	 * against a guest that could guess it, never correctness. */
	if (getrandom(&vm->rnd, sizeof(vm->rnd), GRND_NONBLOCK) !=
	    sizeof(vm->rnd))
		vm->rnd = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)vm;
	vm->rnd |= 1; /* xorshift's state is never 0 */
}

static void seg_free_all(struct vmap_seg *t)
{
	if (!t)
		return;
	seg_free_all(t->l);
	seg_free_all(t->r);
	free(t);
}

void vmap__exit(struct vmap *vm)
{
	/* Empty unless a release ran out of memory (vmap.h): those pages
	 * go with the view. */
	seg_free_all(vm->root);
	vm->root = NULL;
	vm->nr_segs = 0;
	vm->nr_sets = 0;
}

/* ---------------------------------------------------------- the treap */

static uint64_t prio_next(struct vmap *vm)
{
	/* xorshift64* (Vigna) */
	vm->rnd ^= vm->rnd >> 12;
	vm->rnd ^= vm->rnd << 25;
	vm->rnd ^= vm->rnd >> 27;
	return vm->rnd * 0x2545f4914f6cdd1dull;
}

/* A segment of one claim (a gap the claim fills). */
static struct vmap_seg *seg_new(struct vmap *vm, uint64_t s, uint64_t e,
				uint64_t delta, uint32_t prot)
{
	struct vmap_seg *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = (struct vmap_seg){.prio = prio_next(vm),
			       .s = s,
			       .e = e,
			       .delta = delta,
			       .prot = prot,
			       .refs = 1};
	return n;
}

/* t into *a (keys < key) and *b (keys >= key). */
static void split(struct vmap *vm, struct vmap_seg *t, uint64_t key,
		  struct vmap_seg **a, struct vmap_seg **b)
{
	if (!t) {
		*a = *b = NULL;
		return;
	}
	vm->steps++;
	if (t->s < key) {
		split(vm, t->r, key, &t->r, b);
		*a = t;
	} else {
		split(vm, t->l, key, a, &t->l);
		*b = t;
	}
}

/* Every key of a below every key of b. */
static struct vmap_seg *merge(struct vmap *vm, struct vmap_seg *a,
			      struct vmap_seg *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	vm->steps++;
	if (a->prio > b->prio) {
		a->r = merge(vm, a->r, b);
		return a;
	}
	b->l = merge(vm, a, b->l);
	return b;
}

static struct vmap_seg *insert(struct vmap *vm, struct vmap_seg *t,
			       struct vmap_seg *n)
{
	struct vmap_seg *a, *b;

	split(vm, t, n->s, &a, &b);
	return merge(vm, merge(vm, a, n), b);
}

static struct vmap_seg *last(struct vmap_seg *t)
{
	while (t && t->r)
		t = t->r;
	return t;
}

static struct vmap_seg *first(struct vmap_seg *t)
{
	while (t && t->l)
		t = t->l;
	return t;
}

/* t without its first segment (which the caller frees). */
static struct vmap_seg *drop_first(struct vmap_seg *t)
{
	if (!t->l)
		return t->r;
	t->l = drop_first(t->l);
	return t;
}

/* ---------------------------------------------------------- one claim */

/*
 * A claim [s, e) with the treap cut around it: l holds the segments
 * starting before s (its last may reach into the claim), m those starting
 * in [s, e), r the rest.  join() puts them back.
 */
struct cut {
	uint64_t s, e, delta;
	uint32_t prot;
	struct vmap_seg *l, *m, *r;
};

static void cut_open(struct vmap *vm, struct cut *c, uint64_t s, uint64_t e)
{
	struct vmap_seg *mr;

	c->s = s;
	c->e = e;
	split(vm, vm->root, s, &c->l, &mr);
	split(vm, mr, e, &c->m, &c->r);
	vm->root = NULL;
}

static void join(struct vmap *vm, struct cut *c)
{
	vm->root = merge(vm, merge(vm, c->l, c->m), c->r);
	c->l = c->m = c->r = NULL;
}

/* The segment of l that reaches into the claim, if any. */
static struct vmap_seg *head_in(const struct cut *c)
{
	struct vmap_seg *h = last(c->l);

	return h && h->e > c->s ? h : NULL;
}

/* The segment covering the claim's last byte, if any. */
static struct vmap_seg *tail_in(const struct cut *c)
{
	struct vmap_seg *t = last(c->m);

	return t ? t : head_in(c);
}

/* How many segments splitting the claim off its neighbours needs. */
static int cuts_needed(const struct cut *c)
{
	const struct vmap_seg *t = tail_in(c);

	return !!head_in(c) + (t && t->e > c->e);
}

/* Move the part of `of` from `at` on into n (a new node). */
static void piece(struct vmap *vm, struct vmap_seg *n, struct vmap_seg *of,
		  uint64_t at)
{
	*n = *of;
	n->l = n->r = NULL;
	n->prio = prio_next(vm);
	n->s = at;
	of->e = at;
}

/*
 * Split the segments straddling s and e there (spare holds the nodes
 * cuts_needed() asked for), so that m covers exactly the claim's segments.
 */
static void cut_ends(struct vmap *vm, struct cut *c, struct vmap_seg **spare)
{
	struct vmap_seg *h = head_in(c), *t, *n;

	if (h) {
		n = *spare++;
		piece(vm, n, h, c->s);
		c->m = merge(vm, n, c->m);
		vm->nr_segs++;
	}
	t = last(c->m);
	if (t && t->e > c->e) {
		n = *spare;
		piece(vm, n, t, c->e);
		c->r = merge(vm, n, c->r);
		vm->nr_segs++;
	}
}

/* Merge the segments touching at key if they are alike (the invariant). */
static void coalesce(struct vmap *vm, uint64_t key)
{
	struct vmap_seg *a, *b, *x, *y;

	split(vm, vm->root, key, &a, &b);
	x = last(a);
	y = first(b);
	if (x && y && x->e == key && y->s == key && x->delta == y->delta &&
	    x->prot == y->prot && x->refs == y->refs) {
		x->e = y->e;
		b = drop_first(b);
		free(y);
		vm->nr_segs--;
	}
	vm->root = merge(vm, a, b);
}

/* In order over t until fn returns non-zero. */
static int each(struct vmap *vm, struct vmap_seg *t,
		int (*fn)(void *, struct vmap_seg *), void *arg)
{
	int err;

	if (!t)
		return 0;
	err = each(vm, t->l, fn, arg);
	if (err)
		return err;
	vm->steps++;
	err = fn(arg, t);
	if (err)
		return err;
	return each(vm, t->r, fn, arg);
}

static int agrees(void *arg, struct vmap_seg *n)
{
	const struct cut *c = arg;

	return n->delta == c->delta && n->prot == c->prot ? 0 : -EADDRNOTAVAIL;
}

/* The gaps of the claim no segment covers, as new segments (refs 1)
 * listed through ->r in order, each mapped in the view. */
struct gaps {
	struct vmap *vm;
	const struct cut *c;
	uint64_t at;
	struct vmap_seg *head, **tail;
};

static int gap(struct gaps *g, uint64_t s, uint64_t e)
{
	const struct cut *c = g->c;
	struct vmap_seg *n = seg_new(g->vm, s, e, c->delta, c->prot);
	int err;

	if (!n)
		return -ENOMEM;
	err = hup_view__map(g->vm->view, s, g->vm->fd, s + c->delta, e - s,
			    c->prot);
	if (err) {
		free(n);
		return err;
	}
	*g->tail = n;
	g->tail = &n->r;
	return 0;
}

static int gap_before(void *arg, struct vmap_seg *n)
{
	struct gaps *g = arg;
	int err = 0;

	if (n->s > g->at)
		err = gap(g, g->at, n->s);
	g->at = n->e;
	return err;
}

static int count_up(void *arg, struct vmap_seg *n)
{
	(void)arg;
	n->refs++;
	return 0;
}

/* Undo gap(): unmap and free the list. */
static void gaps_drop(struct vmap *vm, struct vmap_seg *n)
{
	while (n) {
		struct vmap_seg *next = n->r;

		hup_view__unmap(vm->view, n->s, n->e - n->s);
		free(n);
		n = next;
	}
}

/*
 * Claim r: every segment it overlaps must map the same memfd offset with
 * the same rights (-EADDRNOTAVAIL otherwise, nothing changed); the gaps
 * between them are mapped, and every segment of it counts one claim more.
 * On any error nothing is left changed.
 */
static int claim(struct vmap *vm, const struct vmap_run *r)
{
	struct cut c = {.delta = r->off - r->voff, .prot = r->prot};
	struct vmap_seg *spare[2] = {NULL, NULL}, *h;
	struct gaps g = {vm, &c, r->voff, NULL, &g.head};
	int need, err;

	cut_open(vm, &c, r->voff, r->voff + r->len);
	h = head_in(&c);
	err = h ? agrees(&c, h) : 0;
	if (!err)
		err = each(vm, c.m, agrees, &c);
	need = err ? 0 : cuts_needed(&c);
	for (int i = 0; i < need && !err; i++) {
		spare[i] = malloc(sizeof(*spare[i]));
		if (!spare[i])
			err = -ENOMEM;
	}
	if (!err) {
		if (h)
			g.at = h->e;
		err = each(vm, c.m, gap_before, &g);
		if (!err && g.at < c.e)
			err = gap(&g, g.at, c.e);
	}
	if (err) {
		/* only gaps were mapped, and nobody else claims those */
		gaps_drop(vm, g.head);
		free(spare[0]);
		free(spare[1]);
		join(vm, &c);
		return err;
	}
	cut_ends(vm, &c, spare);
	each(vm, c.m, count_up, NULL);
	while (g.head) {
		struct vmap_seg *n = g.head;

		g.head = n->r;
		n->r = NULL;
		c.m = insert(vm, c.m, n);
		vm->nr_segs++;
	}
	join(vm, &c);
	coalesce(vm, c.s);
	coalesce(vm, c.e);
	return 0;
}

/* Count one claim off t; drop (and unmap) what nobody claims any more. */
static struct vmap_seg *count_down(struct vmap *vm, struct vmap_seg *t)
{
	if (!t)
		return NULL;
	vm->steps++;
	t->l = count_down(vm, t->l);
	t->r = count_down(vm, t->r);
	if (--t->refs)
		return t;
	hup_view__unmap(vm->view, t->s, t->e - t->s); /* nobody's page */
	{
		struct vmap_seg *rest = merge(vm, t->l, t->r);

		free(t);
		vm->nr_segs--;
		return rest;
	}
}

static void unclaim(struct vmap *vm, const struct vmap_run *r)
{
	struct cut c = {0};
	struct vmap_seg *spare[2] = {NULL, NULL};
	int need;

	cut_open(vm, &c, r->voff, r->voff + r->len);
	need = cuts_needed(&c);
	for (int i = 0; i < need; i++) {
		spare[i] = malloc(sizeof(*spare[i]));
		if (!spare[i]) {
			/* Leave the claim: its pages stay mapped (vmap.h). */
			free(spare[0]);
			join(vm, &c);
			return;
		}
	}
	cut_ends(vm, &c, spare);
	c.m = count_down(vm, c.m);
	join(vm, &c);
	coalesce(vm, c.s);
	coalesce(vm, c.e);
}

/* ------------------------------------------------------------ the API */

static int add_one(struct vmap *vm, struct vmap_set *set,
		   const struct vmap_run *r)
{
	int err;

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
	err = claim(vm, r);
	if (err)
		return err;
	set->runs[set->nr++] = *r;
	set->bytes += r->len;
	return 0;
}

int vmap__add(struct vmap *vm, struct vmap_set *set, uint64_t gva, uint64_t off,
	      uint64_t len, uint32_t prot)
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
			r.len =
			    size - r.voff; /* split at the top of the view */
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
	/* Its claims are in the map already (callers serialize: nobody
	 * registers meanwhile); committing only counts it. */
	vm->nr_sets++;
	set->committed = 1;
	return 0;
}

void vmap__release(struct vmap *vm, struct vmap_set *set)
{
	if (set->committed)
		vm->nr_sets--;
	set->committed = 0;
	for (size_t k = 0; k < set->nr; k++)
		unclaim(vm, &set->runs[k]);
	free(set->runs);
	set->runs = NULL;
	set->nr = set->cap = 0;
	set->bytes = 0;
}
