// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-program views (hyperupcall/pview.c) on a fake guest's memfd: each
 * view maps its own claims and nothing another view maps, with its own
 * rights; identical claims share one view; aliasing claims get a larger
 * view, or -EADDRNOTAVAIL at the largest; the VM's mapping limit holds;
 * a failure leaves nothing behind.  Accesses go through libhup's guarded
 * runs, as a program's do: a fault is -EFAULT, never a crash.
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "fakeguest.h"
#include "hyperupcall/pview.h"

#define MB   (1ull << 20)
#define RAM  (64 * MB)
#define PG   FG_4K
#define DATA (16 * MB) /* memfd offset of the pages tests map */
#define GVA  0xffff888000000000ull
#define RW   (HUP_WIN_READ | HUP_WIN_WRITE)

static struct fake_guest g;
static struct pviews pv;

struct access {
	volatile uint64_t *p;
	uint64_t val;
	int write;
};

static uint64_t do_access(void *arg)
{
	struct access *a = arg;

	if (a->write)
		*a->p = a->val;
	else
		a->val = *a->p;
	return 0;
}

/* Read (or write) the u64 at guest address gva through view v as a
 * program would: 0, or -EFAULT if v does not let it. */
static int touch(const struct pview *v, uint64_t gva, int write,
		 uint64_t *val)
{
	/* the address a program's load computes: an integer, not a byte
	 * pointer cast to a wider type */
	uintptr_t addr = (uintptr_t)hup_view__base(v->view) +
			 (uintptr_t)(gva & hup_view__mask(v->view));
	struct access a = {
	    (volatile uint64_t *)addr,
	    write ? *val : 0, write};
	uint64_t r;
	int err = hup_view__run_guarded(v->view, do_access, &a, &r);

	if (!err && !write)
		*val = a.val;
	return err;
}

/* Pages of DATA carry their index. */
static void mark_pages(void)
{
	for (uint64_t i = 0; i < 64; i++)
		*(uint64_t *)fg_hva(&g, DATA + i * PG, 8) = i;
}

static uint64_t page_val(uint64_t i)
{
	return *(uint64_t *)fg_hva(&g, DATA + i * PG, 8);
}

static void test_own_claims_only(void)
{
	struct pview_claim a[] = {{GVA, DATA, 2 * PG, RW}};
	struct pview_claim b[] = {{GVA + 8 * PG, DATA + 8 * PG, PG, RW}};
	struct pview *va, *vb, *vn;
	uint64_t x = 0;

	mark_pages();
	CHECK_EQ(pviews__get(&pv, a, 1, &va), 0);
	CHECK_EQ(pviews__get(&pv, b, 1, &vb), 0);
	CHECK_EQ(pviews__get(&pv, NULL, 0, &vn), 0);
	CHECK(va != vb && va != vn && vb != vn);
	CHECK_EQ(pv.nr_views, 3);
	CHECK_EQ(pv.maps, PVIEW_MAPS(1) * 2 + PVIEW_MAPS(0));
	CHECK_EQ(va->bits, PVIEW_BITS_FIRST);
	CHECK_EQ(va->bytes, 2 * PG);
	CHECK_EQ(touch(va, GVA + PG, 0, &x), 0);
	CHECK_EQ(x, 1);
	/* b's page is not in a's view, a's pages are not in b's, and a
	 * view with nothing in it has nothing */
	CHECK_EQ(touch(va, GVA + 8 * PG, 0, &x), -EFAULT);
	CHECK_EQ(touch(vb, GVA, 0, &x), -EFAULT);
	CHECK_EQ(touch(vb, GVA + 8 * PG, 0, &x), 0);
	CHECK_EQ(x, 8);
	CHECK_EQ(touch(vn, GVA, 0, &x), -EFAULT);
	x = 0x5a;
	CHECK_EQ(touch(vn, GVA + 8 * PG, 1, &x), -EFAULT);
	CHECK_EQ(page_val(8), 8);
	pviews__put(&pv, va);
	pviews__put(&pv, vb);
	pviews__put(&pv, vn);
	CHECK_EQ(pv.nr_views, 0);
	CHECK_EQ(pv.maps, 0);
	CHECK_EQ(pv.va, 0);
}

static void test_own_rights(void)
{
	struct pview_claim ro[] = {{GVA, DATA, PG, HUP_WIN_READ}};
	struct pview_claim rw[] = {{GVA, DATA, PG, RW}};
	struct pview *vr, *vw;
	uint64_t x = 0x77;

	mark_pages();
	/* the writable one first: the read-only one must not inherit it */
	CHECK_EQ(pviews__get(&pv, rw, 1, &vw), 0);
	CHECK_EQ(pviews__get(&pv, ro, 1, &vr), 0);
	CHECK(vr != vw);
	CHECK_EQ(touch(vr, GVA, 1, &x), -EFAULT);
	CHECK_EQ(page_val(0), 0);
	CHECK_EQ(touch(vr, GVA, 0, &x), 0);
	CHECK_EQ(x, 0);
	x = 0x77;
	CHECK_EQ(touch(vw, GVA, 1, &x), 0);
	CHECK_EQ(page_val(0), 0x77);
	pviews__put(&pv, vr);
	pviews__put(&pv, vw);
	CHECK_EQ(pv.nr_views, 0);
}

static void test_identical_share(void)
{
	struct pview_claim a[] = {{GVA, DATA, PG, RW},
				  {GVA + 4 * PG, DATA + 4 * PG, PG, RW}};
	/* the same runs, claimed in the other order */
	struct pview_claim b[] = {{GVA + 4 * PG, DATA + 4 * PG, PG, RW},
				  {GVA, DATA, PG, RW}};
	struct pview *v1, *v2, *v3;
	uint64_t x;

	CHECK_EQ(pviews__get(&pv, a, 2, &v1), 0);
	CHECK_EQ(pviews__get(&pv, b, 2, &v2), 0);
	CHECK(v1 == v2);
	CHECK_EQ(v1->refs, 2);
	CHECK_EQ(pv.nr_views, 1);
	CHECK_EQ(pv.maps, PVIEW_MAPS(2));
	/* one right differs: not the same view */
	b[0].prot = HUP_WIN_READ;
	CHECK_EQ(pviews__get(&pv, b, 2, &v3), 0);
	CHECK(v3 != v1);
	pviews__put(&pv, v3);
	/* the first holder goes: the pages stay for the second */
	pviews__put(&pv, v1);
	CHECK_EQ(pv.nr_views, 1);
	CHECK_EQ(touch(v2, GVA + 4 * PG, 0, &x), 0);
	pviews__put(&pv, v2);
	CHECK_EQ(pv.nr_views, 0);
	CHECK_EQ(pv.maps, 0);
}

static void test_merge_and_wrap(void)
{
	/* three touching runs, contiguous in the memfd: one mapping */
	struct pview_claim m[] = {{GVA + 2 * PG, DATA + 2 * PG, PG, RW},
				  {GVA, DATA, PG, RW},
				  {GVA + PG, DATA + PG, PG, RW}};
	/* a run across the top of a 2^32 view: split in two */
	uint64_t top = GVA + (1ull << 32) - PG;
	struct pview_claim w[] = {{top, DATA + 10 * PG, 2 * PG, RW}};
	struct pview *v;
	uint64_t x;

	mark_pages();
	CHECK_EQ(pviews__get(&pv, m, 3, &v), 0);
	CHECK_EQ(v->nr, 1);
	CHECK_EQ(v->bytes, 3 * PG);
	pviews__put(&pv, v);
	CHECK_EQ(pviews__get(&pv, w, 1, &v), 0);
	CHECK_EQ(v->bits, 32);
	CHECK_EQ(v->nr, 2);
	CHECK_EQ(touch(v, top, 0, &x), 0);
	CHECK_EQ(x, 10);
	CHECK_EQ(touch(v, top + PG, 0, &x), 0);
	CHECK_EQ(x, 11);
	pviews__put(&pv, v);
}

static void test_alias(void)
{
	/* 2^32 apart: the same offset in a 2^32 view */
	struct pview_claim a[] = {{GVA, DATA, PG, RW},
				  {GVA + (1ull << 32), DATA + PG, PG, RW}};
	/* the same memfd page at both: one page, no conflict */
	struct pview_claim same[] = {{GVA, DATA, PG, RW},
				     {GVA + (1ull << 32), DATA, PG, RW}};
	struct pviews small;
	struct pview *v;
	uint64_t x;

	mark_pages();
	CHECK_EQ(pviews__get(&pv, a, 2, &v), 0);
	CHECK_EQ(v->bits, 33);
	CHECK_EQ(touch(v, GVA + (1ull << 32), 0, &x), 0);
	CHECK_EQ(x, 1);
	CHECK_EQ(touch(v, GVA, 0, &x), 0);
	CHECK_EQ(x, 0);
	pviews__put(&pv, v);
	CHECK_EQ(pviews__get(&pv, same, 2, &v), 0);
	CHECK_EQ(v->bits, 32);
	CHECK_EQ(v->nr, 1);
	pviews__put(&pv, v);
	/* a VM whose largest view is 2^32: refused, nothing left */
	pviews__init(&small, g.mem.fd, 32);
	CHECK_EQ(pviews__get(&small, a, 2, &v), -EADDRNOTAVAIL);
	CHECK(!v);
	CHECK_EQ(small.nr_views, 0);
	CHECK_EQ(small.maps, 0);
	CHECK_EQ(small.va, 0);
	/* also a run larger than the largest view */
	pviews__init(&small, g.mem.fd, 20);
	a[0].len = 2 * MB;
	CHECK_EQ(pviews__get(&small, a, 1, &v), -EADDRNOTAVAIL);
	pviews__exit(&small);
}

static void test_limits(void)
{
	struct pview_claim *c = calloc(PVIEW_MAX_RUNS + 1, sizeof(*c));
	struct pview *v[3];

	if (!c) {
		CHECK(0);
		return;
	}
	/* every other page of a range: no two runs merge */
	for (uint64_t i = 0; i <= PVIEW_MAX_RUNS; i++)
		c[i] = (struct pview_claim){GVA + 2 * i * PG,
					    DATA + (i % 64) * PG, PG,
					    HUP_WIN_READ};
	CHECK_EQ(pviews__get(&pv, c, PVIEW_MAX_RUNS + 1, &v[0]), -E2BIG);
	/* one view at the limit fits, a second does not */
	CHECK_EQ(pviews__get(&pv, c, PVIEW_MAX_RUNS, &v[0]), 0);
	CHECK_EQ(v[0]->nr, PVIEW_MAX_RUNS);
	CHECK_EQ(pv.maps, PVIEW_MAPS(PVIEW_MAX_RUNS));
	c[0].prot = RW;
	CHECK_EQ(pviews__get(&pv, c, PVIEW_MAX_RUNS, &v[1]), -ENOSPC);
	CHECK(!v[1]);
	CHECK_EQ(pv.nr_views, 1);
	CHECK_EQ(pv.maps, PVIEW_MAPS(PVIEW_MAX_RUNS));
	/* a small one still fits */
	CHECK_EQ(pviews__get(&pv, c, 2, &v[1]), 0);
	/* the same as a held one shares: it costs no mapping */
	c[0].prot = HUP_WIN_READ;
	CHECK_EQ(pviews__get(&pv, c, PVIEW_MAX_RUNS, &v[2]), 0);
	CHECK(v[2] == v[0]);
	CHECK_EQ(pv.maps, PVIEW_MAPS(PVIEW_MAX_RUNS) + PVIEW_MAPS(2));
	for (int i = 0; i < 3; i++)
		pviews__put(&pv, v[i]);
	CHECK_EQ(pv.nr_views, 0);
	CHECK_EQ(pv.maps, 0);
	free(c);
}

int main(void)
{
	if (fg_init(&g, RAM, RAM, 4096 * MB, false)) {
		fprintf(stderr, "cannot create the fake guest\n");
		return 1;
	}
	pviews__init(&pv, g.mem.fd, HUP_VIEW_BITS_DEFAULT);
	test_own_claims_only();
	test_own_rights();
	test_identical_share();
	test_merge_and_wrap();
	test_alias();
	test_limits();
	pviews__exit(&pv);
	mem__destroy(&g.mem);
	return check_summary("pview_fake");
}
