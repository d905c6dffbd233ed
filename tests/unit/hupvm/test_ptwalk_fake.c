// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest page-table walker against synthetic page tables in a memfd
 * "guest": 4K/2M/1G leaves, holes, coalescing, RAM region boundaries,
 * tables and frames outside RAM, non-canonical ranges, 5-level paging and
 * a self-referencing table that must hit the budget.
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "fakeguest.h"

#define MB (1ull << 20)
#define RUNS_MAX 64

struct runs {
	unsigned int n;
	struct {
		uint64_t gva, gpa, off, len;
	} r[RUNS_MAX];
};

static int collect(void *opaque, uint64_t gva, uint64_t gpa, uint64_t off,
		   uint64_t len)
{
	struct runs *rs = opaque;

	if (rs->n < RUNS_MAX) {
		rs->r[rs->n].gva = gva;
		rs->r[rs->n].gpa = gpa;
		rs->r[rs->n].off = off;
		rs->r[rs->n].len = len;
	}
	rs->n++;
	return 0;
}

static void test_4k_translate_and_coalesce(void)
{
	struct fake_guest g;
	struct ptw_stats st;
	struct runs rs = {0};
	uint64_t gpa = 0;
	const uint64_t va = 0xffff888000400000ull;

	CHECK_EQ(fg_init(&g, 64 * MB, 64 * MB, 64 * MB, false), 0);
	/* three contiguous pages, a hole, then a page elsewhere */
	fg_map(&g, va, 0x800000, FG_4K, 0);
	fg_map(&g, va + FG_4K, 0x801000, FG_4K, 0);
	fg_map(&g, va + 2 * FG_4K, 0x802000, FG_4K, 1ull << 63 /* NX */);
	fg_map(&g, va + 4 * FG_4K, 0x900000, FG_4K, 0);
	CHECK_EQ(ptw__translate(&g.mem, &g.root, va + 0x1234, &gpa), 0);
	CHECK_EQ(gpa, 0x801234);
	CHECK_EQ(ptw__translate(&g.mem, &g.root, va + 3 * FG_4K, &gpa),
		 -ENOENT);
	CHECK_EQ(ptw__walk(&g.mem, &g.root, va, 8 * FG_4K, 1000, collect, &rs,
			   &st),
		 0);
	CHECK_EQ(rs.n, 2);
	CHECK_EQ(rs.r[0].gva, va);
	CHECK_EQ(rs.r[0].gpa, 0x800000);
	CHECK_EQ(rs.r[0].off, 0x800000);
	CHECK_EQ(rs.r[0].len, 3 * FG_4K);
	CHECK_EQ(rs.r[1].gva, va + 4 * FG_4K);
	CHECK_EQ(rs.r[1].len, FG_4K);
	CHECK_EQ(st.present_bytes, 4 * FG_4K);
	CHECK_EQ(st.hole_bytes, 4 * FG_4K);
	CHECK_EQ(st.runs, 2);
	mem__destroy(&g.mem);
}

static void test_large_pages(void)
{
	struct fake_guest g;
	struct runs rs = {0};
	uint64_t gpa = 0;

	CHECK_EQ(fg_init(&g, 2 * FG_1G, 3 * FG_1G, 4 * FG_1G, false), 0);
	/* a 2 MiB page whose entry has PAT (bit 12) set: a flag, not an
	 * address bit */
	fg_map(&g, 0x40000000, 0x1000000 | (1ull << 12), FG_2M, 0);
	CHECK_EQ(ptw__translate(&g.mem, &g.root, 0x40012345, &gpa), 0);
	CHECK_EQ(gpa, 0x1012345);
	/* a 1 GiB page, walked from its middle */
	fg_map(&g, 0xffff888000000000ull, 0, FG_1G, 0);
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0xffff888000200000ull, 4 * MB,
			   1000, collect, &rs, NULL),
		 0);
	CHECK_EQ(rs.n, 1);
	CHECK_EQ(rs.r[0].gpa, 0x200000);
	CHECK_EQ(rs.r[0].len, 4 * MB);
	/* adjacent 2M pages of contiguous RAM coalesce into one run */
	fg_map(&g, 0x40200000, 0x1200000, FG_2M, 0);
	rs.n = 0;
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0x40000000, 4 * MB, 1000, collect,
			   &rs, NULL),
		 0);
	CHECK_EQ(rs.n, 1);
	CHECK_EQ(rs.r[0].len, 4 * MB);
	mem__destroy(&g.mem);
}

static void test_ram_boundaries(void)
{
	struct fake_guest g;
	struct ptw_stats st;
	struct runs rs = {0};

	/* RAM [0, 32M) and [64M, 96M): memfd offsets 0.. and 32M.. */
	CHECK_EQ(fg_init(&g, 64 * MB, 32 * MB, 64 * MB, false), 0);
	/* a 2M page straddles nothing; 4K pages in the gap are holes */
	fg_map(&g, 0x10000000, 30 * MB, FG_2M, 0);
	fg_map(&g, 0x10200000, 40 * MB, FG_2M, 0); /* in the gap */
	fg_map(&g, 0x10400000, 64 * MB, FG_2M, 0); /* high region */
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0x10000000, 6 * MB, 1000, collect,
			   &rs, &st),
		 0);
	CHECK_EQ(rs.n, 2);
	CHECK_EQ(rs.r[0].off, 30 * MB);
	CHECK_EQ(rs.r[1].gpa, 64 * MB);
	CHECK_EQ(rs.r[1].off, 32 * MB);
	CHECK_EQ(st.hole_bytes, 2 * MB);
	/* a 1G page at 0 covers low RAM and the gap: only RAM is mapped */
	fg_map(&g, 0x80000000, 0, FG_1G, 0);
	rs.n = 0;
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0x80000000, FG_1G, 1000, collect,
			   &rs, &st),
		 0);
	CHECK_EQ(rs.n, 2);
	CHECK_EQ(rs.r[0].len, 32 * MB);
	CHECK_EQ(rs.r[1].gpa, 64 * MB);
	CHECK_EQ(rs.r[1].len, 32 * MB);
	CHECK_EQ(st.present_bytes, 64 * MB);
	CHECK_EQ(st.hole_bytes, FG_1G - 64 * MB);
	mem__destroy(&g.mem);
}

static void test_bad_tables_and_reserved_ps(void)
{
	struct fake_guest g;
	struct ptw_stats st;
	struct runs rs = {0};
	uint64_t *e;

	CHECK_EQ(fg_init(&g, 64 * MB, 64 * MB, 64 * MB, false), 0);
	/* PML4E pointing outside RAM */
	e = fg_entry(&g, g.root.cr3, 0x8000000000ull, 4);
	*e = 0x7f0000000000ull | PTW_PRESENT;
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0x8000000000ull, 16 * FG_4K, 1000,
			   collect, &rs, &st),
		 0);
	CHECK_EQ(rs.n, 0);
	CHECK(st.bad_tables > 0);
	/* PS in a PML4E is reserved: a hole, not a 512 GiB page */
	e = fg_entry(&g, g.root.cr3, 0x10000000000ull, 4);
	*e = PTW_PRESENT | PTW_PS;
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0x10000000000ull, FG_2M, 1000,
			   collect, &rs, &st),
		 0);
	CHECK_EQ(rs.n, 0);
	CHECK_EQ(st.hole_bytes, FG_2M);
	/* a frame beyond RAM */
	fg_map(&g, 0x20000000000ull, 0xfee00000, FG_4K, 0);
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0x20000000000ull, FG_4K, 1000,
			   collect, &rs, NULL),
		 0);
	CHECK_EQ(rs.n, 0);
	/* CR3 itself outside RAM */
	g.root.cr3 = 0x7ffff000;
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0, FG_2M, 1000, collect, &rs,
			   &st),
		 0);
	CHECK_EQ(rs.n, 0);
	CHECK_EQ(st.bad_tables, 1);
	mem__destroy(&g.mem);
}

static void test_canonical_and_args(void)
{
	struct fake_guest g;
	struct ptw_stats st;
	struct runs rs = {0};
	uint64_t gpa;

	CHECK_EQ(fg_init(&g, 64 * MB, 64 * MB, 64 * MB, false), 0);
	fg_map(&g, 0x00007ffffffff000ull, 0x800000, FG_4K, 0);
	fg_map(&g, 0xffff800000000000ull, 0x801000, FG_4K, 0);
	/* a range across the non-canonical middle: both ends resolve */
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0x00007ffffffff000ull,
			   0xffff800000001000ull - 0x00007ffffffff000ull, 1000,
			   collect, &rs, &st),
		 0);
	CHECK_EQ(rs.n, 2);
	CHECK_EQ(st.present_bytes, 2 * FG_4K);
	CHECK_EQ(ptw__translate(&g.mem, &g.root, 0x0000800000000000ull, &gpa),
		 -EINVAL);
	/* argument checks */
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0x1001, FG_4K, 10, collect, &rs,
			   NULL),
		 -EINVAL);
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0x1000, 0, 10, collect, &rs, NULL),
		 -EINVAL);
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0xfffffffffffff000ull, 2 * FG_4K,
			   10, collect, &rs, NULL),
		 -EINVAL);
	mem__destroy(&g.mem);
}

static void test_la57(void)
{
	struct fake_guest g;
	uint64_t gpa = 0;

	CHECK_EQ(fg_init(&g, 64 * MB, 64 * MB, 64 * MB, true), 0);
	fg_map(&g, 0xff11000000000000ull, 0x803000, FG_4K, 0);
	CHECK_EQ(ptw__translate(&g.mem, &g.root, 0xff11000000000010ull, &gpa),
		 0);
	CHECK_EQ(gpa, 0x803010);
	/* the same address with 4 levels is not canonical */
	g.root.la57 = false;
	CHECK_EQ(ptw__translate(&g.mem, &g.root, 0xff11000000000010ull, &gpa),
		 -EINVAL);
	mem__destroy(&g.mem);
}

static int stop_at_two(void *opaque, uint64_t gva, uint64_t gpa, uint64_t off,
		       uint64_t len)
{
	unsigned int *n = opaque;

	(void)gva;
	(void)gpa;
	(void)off;
	(void)len;
	return ++*n == 2 ? -EADDRNOTAVAIL : 0;
}

static void test_budget_and_callback_error(void)
{
	struct fake_guest g;
	struct ptw_stats st;
	unsigned int n = 0;
	uint64_t cr3;

	CHECK_EQ(fg_init(&g, 64 * MB, 64 * MB, 64 * MB, false), 0);
	/* every entry of every level points back at the PML4: everything is
	 * "present" down to 4K leaves that all map the table page */
	cr3 = g.root.cr3;
	for (unsigned int i = 0; i < 512; i++)
		((uint64_t *)fg_hva(&g, cr3, FG_4K))[i] = cr3 | PTW_PRESENT;
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0, 1ull << 46, 1u << 16, collect,
			   &(struct runs){0}, &st),
		 -E2BIG);
	CHECK_EQ(st.entries, 1u << 16);
	/* a callback error stops the walk and is returned */
	CHECK_EQ(ptw__walk(&g.mem, &g.root, 0, 64 * FG_4K, 1000, stop_at_two,
			   &n, NULL),
		 -EADDRNOTAVAIL);
	mem__destroy(&g.mem);
}

int main(void)
{
	test_4k_translate_and_coalesce();
	test_large_pages();
	test_ram_boundaries();
	test_bad_tables_and_reserved_ps();
	test_canonical_and_args();
	test_la57();
	test_budget_and_callback_error();
	return check_summary("ptwalk_fake");
}
