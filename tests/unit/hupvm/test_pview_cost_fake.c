// SPDX-License-Identifier: BSD-2-Clause
/*
 * What registering a program costs the VM's views (issue 14 item 2), on
 * the fake guest, counted in pview steps rather than timed (a count holds
 * on a loaded machine): the 16th program mapping the same 2,048 runs, one
 * per page, costs about what the first did (they share one view), and so
 * does dropping one while 15 others hold the same pages; 16 programs with
 * windows of their own cost each what the first did; and a registration
 * does not hold the registry lock the control plane (query, list,
 * reclaim) waits on while it walks and maps its windows.
 * bench/vmap measures the shared case at full size in seconds.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "fakeguest.h"
#include "hyperupcall/backend.h"

#define MB   (1ull << 20)
#define RAM  (64 * MB)
#define PG   FG_4K
#define DATA (16 * MB)

static struct fake_guest g;

#define WIN_GVA 0x7f0000000000ull
#define RUNS	2048u
#define PROGS	16u /* trace and query, 8 each */
#define OWN_RUNS 512u /* x PROGS views within PVIEW_MAX_MAPS */

static struct backend be;
static int lock_free_in_walk = -1;
static unsigned int listed_in_walk;

static int f_paging(void *opaque, uint32_t cpu, struct ptw_root *root)
{
	struct backend_prog_info info[HUP_MAX_PROGS];

	(void)opaque;
	(void)cpu;
	*root = g.root;
	/* Mid-registration: the control plane's lock must be free (a trylock:
	 * waiting would deadlock this thread on the old code). */
	lock_free_in_walk = !pthread_mutex_trylock(&be.reg.lock);
	if (lock_free_in_walk) {
		pthread_mutex_unlock(&be.reg.lock);
		listed_in_walk = backend__list(&be, 0, info, HUP_MAX_PROGS);
	}
	return 0;
}

static const struct backend_ops ops = {.paging = f_paging};

static int log2u(uint64_t n)
{
	int l = 0;

	while (n >>= 1)
		l++;
	return l;
}

static void test_registration_cost_flat(void)
{
	static const struct bpf_insn ret0[] = {MOV64_IMM(0, 0), EXIT()};
	const struct hup_window w = {
	    WIN_GVA, RUNS * PG, HUP_WIN_READ | HUP_WIN_WRITE, HUP_WIN_BUFFER};
	uint64_t reg[PROGS], unreg[PROGS], s0;
	uint32_t ids[PROGS];

	CHECK_EQ(backend__create(&be, &g.mem, 1, &ops, NULL, 36), 0);
	/* every other guest page: each page of the window is a run */
	for (uint64_t i = 0; i < RUNS; i++)
		fg_map(&g, WIN_GVA + i * PG, DATA + 2 * i * PG, PG, 0);
	for (unsigned int i = 0; i < PROGS; i++) {
		struct backend_prog_spec sp = {
		    .event = i < 8 ? HUP_EVENT_TRACE : HUP_EVENT_QUERY,
		    .name = "cost",
		    .nr_windows = 1,
		    .windows = &w,
		    .insns = ret0,
		    .insn_cnt = ARRAY_LEN(ret0),
		};
		enum hreq_reason why;

		s0 = be.views.steps;
		lock_free_in_walk = -1;
		CHECK_EQ(backend__register(&be, 0, &sp, NULL, 0, &ids[i], &why),
			 0);
		reg[i] = be.views.steps - s0;
		CHECK_EQ(lock_free_in_walk, 1);
		CHECK_EQ(listed_in_walk, i); /* the others, not this one yet */
	}
	CHECK_EQ(be.views.nr_views, 1); /* one view, shared */
	CHECK_EQ(be.views.maps, PVIEW_MAPS(RUNS));
	for (unsigned int i = 0; i < PROGS; i++) {
		struct hup_request r = {.magic = HUP_REQ_MAGIC,
					.abi_version = HUP_ABI_VERSION,
					.op = HUP_OP_UNREGISTER,
					.prog_id = ids[i]};

		memcpy(fg_hva(&g, 0x10000, sizeof(r)), &r, sizeof(r));
		s0 = be.views.steps;
		CHECK_EQ(backend__submit(&be, 0, 0x10000), 0);
		unreg[i] = be.views.steps - s0;
	}
	CHECK_EQ(be.views.nr_views, 0);
	CHECK_EQ(be.views.maps, 0);
	printf("pview steps (shared): register first %llu, last %llu; unregister "
	       "first %llu, last %llu\n",
	       (unsigned long long)reg[0], (unsigned long long)reg[PROGS - 1],
	       (unsigned long long)unreg[0],
	       (unsigned long long)unreg[PROGS - 1]);
	/* Near-linear in the program's own runs, O(runs log runs) (here
	 * about 2 steps a run: laid out, then compared with or mapped into
	 * the view), whoever else maps them: quadratic, the 16th would cost
	 * 16 times 2,048 runs compared with 2,048... */
	for (unsigned int i = 0; i < PROGS; i++) {
		CHECK(reg[i] <= 16ull * RUNS * log2u(RUNS));
		CHECK(unreg[i] <= 16ull * RUNS * log2u(RUNS));
	}
	/* ...and flat: the 16th costs what the 2nd did */
	CHECK(reg[PROGS - 1] <= 2 * reg[1]);
	CHECK(reg[PROGS - 1] <= 4 * reg[0]);
	CHECK(unreg[0] <= 4 * reg[0]);
	backend__destroy(&be);
}

/* Programs with windows of their own (other pages of guest RAM): a view
 * each, each costing what the first did. */
static void test_distinct_cost_flat(void)
{
	static const struct bpf_insn ret0[] = {MOV64_IMM(0, 0), EXIT()};
	uint64_t reg[PROGS], s0;
	uint32_t ids[PROGS];

	CHECK_EQ(backend__create(&be, &g.mem, 1, &ops, NULL, 0), 0);
	for (unsigned int i = 0; i < PROGS; i++) {
		const struct hup_window w = {WIN_GVA + i * (1ull << 32),
					     OWN_RUNS * PG, HUP_WIN_READ,
					     HUP_WIN_BUFFER};
		struct backend_prog_spec sp = {
		    .event = i < 8 ? HUP_EVENT_TRACE : HUP_EVENT_QUERY,
		    .name = "own",
		    .nr_windows = 1,
		    .windows = &w,
		    .insns = ret0,
		    .insn_cnt = ARRAY_LEN(ret0),
		};
		enum hreq_reason why;

		for (uint64_t k = 0; k < OWN_RUNS; k++)
			fg_map(&g, w.gva + k * PG, DATA + (2 * k + i) * PG, PG,
			       0);
		s0 = be.views.steps;
		CHECK_EQ(backend__register(&be, 0, &sp, NULL, 0, &ids[i], &why),
			 0);
		reg[i] = be.views.steps - s0;
	}
	CHECK_EQ(be.views.nr_views, PROGS);
	CHECK_EQ(be.views.maps, PROGS * PVIEW_MAPS(OWN_RUNS));
	printf("pview steps (own windows): register first %llu, last %llu\n",
	       (unsigned long long)reg[0], (unsigned long long)reg[PROGS - 1]);
	/* the 16th looks at 15 other views (one step each), no more */
	CHECK(reg[PROGS - 1] <= reg[0] + PROGS);
	backend__destroy(&be);
	CHECK_EQ(be.views.maps, 0);
}

int main(void)
{
	if (fg_init(&g, RAM, RAM, 4096 * MB, false)) {
		fprintf(stderr, "cannot create the fake guest\n");
		return 1;
	}
	test_registration_cost_flat();
	test_distinct_cost_flat();
	mem__destroy(&g.mem);
	return check_summary("pview_cost_fake");
}
