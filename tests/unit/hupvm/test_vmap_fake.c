// SPDX-License-Identifier: BSD-2-Clause
/*
 * The shared view map (hyperupcall/vmap.c) on a fake guest's memfd: what
 * is mapped where as claims overlap, agree, conflict and go away; that a
 * failed claim leaves nothing behind; that the segments stay bounded by
 * the live claims whatever a guest does, also under random claims and
 * releases checked against a page-by-page model (test_vmap_cost_fake.c
 * bounds the work).
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "fakeguest.h"
#include "hyperupcall/backend.h"

#define MB	  (1ull << 20)
#define RAM	  (64 * MB)
#define PG	  FG_4K
#define VIEW_BITS 30
#define DATA	  (16 * MB) /* memfd offset of the pages tests map */

static struct fake_guest g;
static struct hup_view *view;
static struct vmap vm;

/* Whether view page voff is mapped: hup_view__map refuses a mapped page. */
static int mapped(uint64_t voff)
{
	int err = hup_view__map(view, voff, g.mem.fd, 0, PG, HUP_WIN_READ);

	if (!err)
		hup_view__unmap(view, voff, PG);
	return err == -EADDRNOTAVAIL;
}

/* The memfd page view page voff shows (pages of DATA carry their index). */
static uint64_t shows(uint64_t voff)
{
	return *(volatile uint64_t *)(hup_view__base(view) + voff);
}

static void mark_pages(void)
{
	for (uint64_t i = 0; i < 128; i++)
		*(uint64_t *)fg_hva(&g, DATA + i * PG, 8) = i;
}

static void test_overlap_share_release(void)
{
	struct vmap_set a = {0}, b = {0};
	const uint32_t rw = HUP_WIN_READ | HUP_WIN_WRITE;

	/* A: pages 0-3 of the view show data pages 10-13; B: pages 2-5 the
	 * same way (agreeing on 2-3) */
	CHECK_EQ(vmap__add(&vm, &a, 0, DATA + 10 * PG, 4 * PG, rw), 0);
	CHECK_EQ(vmap__add(&vm, &b, 2 * PG, DATA + 12 * PG, 4 * PG, rw), 0);
	CHECK_EQ(vm.nr_segs, 3); /* [0,2) 1 claim, [2,4) 2, [4,6) 1 */
	for (uint64_t p = 0; p < 6; p++) {
		CHECK(mapped(p * PG));
		CHECK_EQ(shows(p * PG), 10 + p);
	}
	CHECK(!mapped(6 * PG));
	/* another page, or other rights, where A is: refused, no change */
	CHECK_EQ(vmap__add(&vm, &b, 3 * PG, DATA + 40 * PG, 2 * PG, rw),
		 -EADDRNOTAVAIL);
	CHECK_EQ(vmap__add(&vm, &b, 6 * PG, DATA + 16 * PG, PG, HUP_WIN_READ),
		 0);
	CHECK_EQ(vmap__add(&vm, &b, 5 * PG, DATA + 15 * PG, 2 * PG, rw),
		 -EADDRNOTAVAIL);
	CHECK_EQ(b.nr, 2);
	CHECK_EQ(vm.nr_segs, 4);
	CHECK(!mapped(7 * PG));
	CHECK_EQ(vmap__commit(&vm, &a), 0);
	CHECK_EQ(vmap__commit(&vm, &b), 0);
	CHECK_EQ(vm.nr_sets, 2);
	/* A goes: only its own pages 0-1 go with it */
	vmap__release(&vm, &a);
	CHECK_EQ(vm.nr_sets, 1);
	CHECK(!mapped(0) && !mapped(PG));
	for (uint64_t p = 2; p < 7; p++)
		CHECK(mapped(p * PG));
	CHECK_EQ(shows(2 * PG), 12);
	CHECK_EQ(vm.nr_segs, 2); /* [2,6) and [6,7): other rights */
	vmap__release(&vm, &b);
	for (uint64_t p = 0; p < 8; p++)
		CHECK(!mapped(p * PG));
	CHECK_EQ(vm.nr_segs, 0);
	CHECK_EQ(vm.nr_sets, 0);
}

static void test_one_set_alias_and_wrap(void)
{
	uint64_t size = 1ull << VIEW_BITS;
	struct vmap_set a = {0};
	const uint32_t r = HUP_WIN_READ;

	/* one program's windows aliasing modulo the view: the same page is
	 * shared with itself, another page is refused */
	CHECK_EQ(vmap__add(&vm, &a, 4 * PG, DATA + 4 * PG, PG, r), 0);
	CHECK_EQ(vmap__add(&vm, &a, size + 4 * PG, DATA + 4 * PG, PG, r), 0);
	CHECK_EQ(vmap__add(&vm, &a, 2 * size + 4 * PG, DATA + 5 * PG, PG, r),
		 -EADDRNOTAVAIL);
	CHECK_EQ(vmap__add(&vm, &a, 0, DATA, size + PG, r), -EADDRNOTAVAIL);
	CHECK_EQ(vmap__add(&vm, &a, 0, DATA, 0, r), -EINVAL);
	/* a run over the top of the view is two runs */
	CHECK_EQ(vmap__add(&vm, &a, size - PG, DATA + 20 * PG, 2 * PG, r), 0);
	CHECK_EQ(a.nr, 4);
	CHECK_EQ(shows(size - PG), 20);
	CHECK_EQ(shows(0), 21);
	CHECK_EQ(vm.nr_segs, 3);
	vmap__release(&vm, &a);
	CHECK(!mapped(0) && !mapped(4 * PG) && !mapped(size - PG));
	CHECK_EQ(vm.nr_segs, 0);
}

static void test_failed_claim_rolls_back(void)
{
	struct vmap_set a = {0}, b = {0};
	const uint32_t r = HUP_WIN_READ;

	/* A holds page 2; page 4 is mapped behind vmap's back, so B's claim
	 * of 0-5 maps the gap 0-1, then fails at 3-5 with the view's error:
	 * B's gap must be unmapped again, A's page kept */
	CHECK_EQ(vmap__add(&vm, &a, 2 * PG, DATA + 2 * PG, PG, r), 0);
	CHECK_EQ(hup_view__map(view, 4 * PG, g.mem.fd, DATA, PG, r), 0);
	CHECK_EQ(vmap__add(&vm, &b, 0, DATA, 6 * PG, r), -EADDRNOTAVAIL);
	CHECK_EQ(b.nr, 0);
	CHECK(!mapped(0) && !mapped(PG) && !mapped(3 * PG));
	CHECK(mapped(2 * PG));
	CHECK_EQ(vm.nr_segs, 1);
	hup_view__unmap(view, 4 * PG, PG);
	/* the same claim now succeeds, and shares A's page */
	CHECK_EQ(vmap__add(&vm, &b, 0, DATA, 6 * PG, r), 0);
	CHECK_EQ(vm.nr_segs, 3);
	vmap__release(&vm, &a);
	CHECK_EQ(vm.nr_segs, 1); /* [0,6), one claim: merged again */
	CHECK(mapped(2 * PG));
	vmap__release(&vm, &b);
	CHECK_EQ(vm.nr_segs, 0);
	vmap__release(&vm, &b); /* released twice: nothing left to drop */
}

static void test_segments_bounded(void)
{
	struct vmap_set big = {0}, s = {0}, c = {0};
	const uint32_t r = HUP_WIN_READ;

	/* one set's touching runs make one segment */
	for (uint64_t p = 0; p < 32; p++)
		CHECK_EQ(vmap__add(&vm, &big, p * PG, DATA + p * PG, PG, r), 0);
	CHECK_EQ(vm.nr_segs, 1);
	/* a guest claiming and dropping pieces inside it leaves no
	 * fragments behind */
	for (uint64_t p = 1; p < 31; p++) {
		CHECK_EQ(vmap__add(&vm, &s, p * PG, DATA + p * PG, PG, r), 0);
		CHECK_EQ(vm.nr_segs, 3);
		vmap__release(&vm, &s);
		CHECK_EQ(vm.nr_segs, 1);
	}
	/* a claim ending where another starts keeps both ends */
	CHECK_EQ(vmap__add(&vm, &c, 0, DATA, 8 * PG, r), 0);
	CHECK_EQ(vm.nr_segs, 2);
	/* dropping single pages of big splits its segment where needed */
	vmap__release(&vm, &big);
	CHECK_EQ(vm.nr_segs, 1);
	for (uint64_t p = 0; p < 32; p++)
		CHECK_EQ(mapped(p * PG), p < 8);
	vmap__release(&vm, &c);
	CHECK_EQ(vm.nr_segs, 0);
}

static void test_run_limit(void)
{
	struct vmap_set a = {0};

	a.nr = VMAP_MAX_RUNS_PER_SET; /* white box: the limit, not 16k adds */
	CHECK_EQ(vmap__add(&vm, &a, 0, DATA, PG, HUP_WIN_READ), -E2BIG);
	a.nr = 0;
	CHECK(!mapped(0));
}

/*
 * Random claims and releases against a model that keeps every page's
 * claims: what the view maps and shows, the errors, and the number of
 * segments (exactly the maximal runs of pages alike, the invariant).
 */
#define M_PAGES 64
#define M_SETS	6

static struct {
	uint32_t refs;
	uint64_t shift; /* memfd page - view page */
	uint32_t prot;
} model[M_PAGES];

static uint64_t rnd = 0x9e3779b97f4a7c15ull;

static uint64_t next(uint64_t n)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd % n;
}

static void model_check(void)
{
	size_t segs = 0;

	for (uint64_t p = 0; p < M_PAGES; p++) {
		int m = mapped(p * PG);

		CHECK_EQ(m, model[p].refs > 0);
		if (m && model[p].refs)
			CHECK_EQ(shows(p * PG), p + model[p].shift);
		if (model[p].refs &&
		    (!p || model[p - 1].refs != model[p].refs ||
		     model[p - 1].shift != model[p].shift ||
		     model[p - 1].prot != model[p].prot))
			segs++;
	}
	CHECK_EQ(vm.nr_segs, segs);
}

static void test_random_against_model(void)
{
	static const uint32_t prots[] = {HUP_WIN_READ,
					 HUP_WIN_READ | HUP_WIN_WRITE};
	struct vmap_set sets[M_SETS] = {0};

	for (int op = 0; op < 3000; op++) {
		struct vmap_set *set = &sets[next(M_SETS)];

		if (next(8) == 0) {
			for (size_t k = 0; k < set->nr; k++)
				for (uint64_t p = set->runs[k].voff / PG;
				     p <
				     (set->runs[k].voff + set->runs[k].len) /
					 PG;
				     p++)
					model[p].refs--;
			vmap__release(&vm, set);
		} else {
			uint64_t p0 = next(M_PAGES), n = 1 + next(8);
			uint64_t shift = 8 * next(3);
			uint32_t prot = prots[next(2)];
			int ok = 1, err;

			if (p0 + n > M_PAGES)
				n = M_PAGES - p0;
			for (uint64_t p = p0; p < p0 + n; p++)
				if (model[p].refs && (model[p].shift != shift ||
						      model[p].prot != prot))
					ok = 0;
			err = vmap__add(&vm, set, p0 * PG,
					DATA + (p0 + shift) * PG, n * PG, prot);
			CHECK_EQ(err, ok ? 0 : -EADDRNOTAVAIL);
			for (uint64_t p = p0; ok && p < p0 + n; p++) {
				model[p].refs++;
				model[p].shift = shift;
				model[p].prot = prot;
			}
		}
		model_check();
	}
	for (int i = 0; i < M_SETS; i++)
		vmap__release(&vm, &sets[i]);
	CHECK_EQ(vm.nr_segs, 0);
}

int main(void)
{
	if (fg_init(&g, RAM, RAM, 4096 * MB, false) ||
	    hup_view__create(VIEW_BITS, &view)) {
		fprintf(stderr, "cannot create the fake guest or the view\n");
		return 1;
	}
	mark_pages();
	vmap__init(&vm, view, g.mem.fd);
	test_overlap_share_release();
	test_one_set_alias_and_wrap();
	test_failed_claim_rolls_back();
	test_segments_bounded();
	test_run_limit();
	test_random_against_model();
	vmap__exit(&vm);
	hup_view__free(view);
	mem__destroy(&g.mem);
	return check_summary("vmap_fake");
}
