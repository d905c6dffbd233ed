// SPDX-License-Identifier: BSD-2-Clause
/*
 * hup-bench-vmap: the cost of registering and unregistering programs
 * whose windows share the VM's view (issue 14 item 2), on the unit tests'
 * fake guest (tests/unit/hupvm/fakeguest.h: memfd RAM, synthetic page
 * tables, no KVM).  The worst case the issue names: one window of RUNS
 * pages mapped at every other guest-physical page, so every page is a run
 * of its own (RUNS = PVIEW_MAX_RUNS, the per-set limit), registered
 * by PROGS programs (8 per event on 5 events), then unregistered.
 *
 *   hup-bench-vmap [PROGS [RUNS [own]]]
 *
 * With "own", each program has a window of its own instead (another
 * address, other guest pages): the cost of giving each program a view of
 * its own, in time and in host mappings (VMAs, counted in
 * /proc/self/maps before and after the registrations).
 *
 * prints the time of each registration and unregistration (first, last,
 * total), the view map's work (vmap steps), and how long the control
 * plane waited meanwhile: a thread calls backend__list (what `hupctl
 * list` runs) every millisecond and keeps its longest call.
 * docs/bench-vmap.md has the numbers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fakeguest.h"
#include "hyperupcall/backend.h"

#define MIB	 (1ull << 20)
#define RAM	 (320 * MIB) /* all low: RAM [0, 320M) */
#define DATA_GPA (16 * MIB)
#define WIN_GVA	 0x7f0000000000ull

static struct fake_guest g;
static struct backend be;
static volatile int stop;
static uint64_t list_calls, list_max_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int f_paging(void *opaque, uint32_t cpu, struct ptw_root *root)
{
	(void)opaque;
	(void)cpu;
	*root = g.root;
	return 0;
}

static const struct backend_ops ops = {.paging = f_paging};

/* The control plane: `hupctl list` every millisecond. */
static void *lister(void *arg)
{
	static struct backend_prog_info info[HUP_MAX_PROGS];
	const struct timespec ms = {0, 1000000};

	(void)arg;
	while (!stop) {
		uint64_t t = now_ns();

		backend__list(&be, 0, info, HUP_MAX_PROGS);
		t = now_ns() - t;
		if (t > list_max_ns)
			list_max_ns = t;
		list_calls++;
		nanosleep(&ms, NULL);
	}
	return NULL;
}

/* The process's mappings now. */
static unsigned long vmas(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static double s(uint64_t ns)
{
	return (double)ns / 1e9;
}

int main(int argc, char **argv)
{
	static const uint32_t events[] = {
	    HUP_EVENT_TRACE, HUP_EVENT_RECLAIM, HUP_EVENT_VCPU_RESUME,
	    HUP_EVENT_QUERY, HUP_EVENT_VCPU_DESCHED};
	static const struct bpf_insn ret0[] = {MOV64_IMM(0, 0), EXIT()};
	unsigned long progs = 40, runs = PVIEW_MAX_RUNS;
	uint32_t ids[HUP_MAX_PROGS];
	uint64_t reg_first = 0, reg_last = 0, reg_total = 0;
	uint64_t unreg_first = 0, unreg_max = 0, unreg_total = 0;
	uint64_t steps_first = 0, steps_last = 0;
	unsigned long vmas0, vmas1;
	struct hup_window w;
	bool own = false;
	pthread_t t;

	if (argc > 1)
		progs = strtoul(argv[1], NULL, 10);
	if (argc > 2)
		runs = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		own = !strcmp(argv[3], "own");
	if (argc > 4 || (argc > 3 && !own) || !progs ||
	    progs > 8 * ARRAY_LEN(events) || !runs || runs > PVIEW_MAX_RUNS ||
	    (own && 2 * runs + progs > (RAM - DATA_GPA) / FG_4K)) {
		fprintf(stderr,
			"usage: hup-bench-vmap [PROGS (1-40) [RUNS "
			"(1-%u) [own]]]\n",
			PVIEW_MAX_RUNS);
		return 2;
	}
	if (fg_init(&g, RAM, RAM, 4096 * MIB, false) ||
	    backend__create(&be, &g.mem, 1, &ops, NULL, 36)) {
		fprintf(stderr,
			"hup-bench-vmap: cannot create the fake guest\n");
		return 1;
	}
	/* Every other guest page: no two pages of a window coalesce.  Own
	 * windows follow each other in guest-virtual space, each shifted by
	 * one guest page. */
	for (unsigned long i = 0; i < (own ? progs : 1); i++)
		for (uint64_t k = 0; k < runs; k++)
			fg_map(&g, WIN_GVA + (i * runs + k) * FG_4K,
			       DATA_GPA + (2 * k + i) * FG_4K, FG_4K, 0);
	vmas0 = vmas();
	pthread_create(&t, NULL, lister, NULL);
	for (unsigned long i = 0; i < progs; i++) {
		struct backend_prog_spec sp = {
		    .event = events[i / 8],
		    .nr_windows = 1,
		    .windows = &w,
		    .insns = ret0,
		    .insn_cnt = ARRAY_LEN(ret0),
		};
		enum hreq_reason why;
		uint64_t t0, s0 = be.views.steps;
		int err;

		w = (struct hup_window){WIN_GVA + (own ? i * runs : 0) * FG_4K,
					runs * FG_4K,
					HUP_WIN_READ | HUP_WIN_WRITE,
					HUP_WIN_BUFFER};
		t0 = now_ns();
		snprintf(sp.name, sizeof(sp.name), "vmap%lu", i);
		err = backend__register(&be, 0, &sp, NULL, 0, &ids[i], &why);
		t0 = now_ns() - t0;
		if (err) {
			fprintf(stderr,
				"hup-bench-vmap: program %lu: %s (%d)\n", i,
				hreq__reason_name(why), err);
			return 1;
		}
		reg_total += t0;
		if (!i) {
			reg_first = t0;
			steps_first = be.views.steps - s0;
		}
		reg_last = t0;
		steps_last = be.views.steps - s0;
		if (!i || i % 10 == 9)
			fprintf(stderr, "  register %2lu: %.3f s\n", i + 1,
				s(t0));
	}
	vmas1 = vmas();
	for (unsigned long i = 0; i < progs; i++) {
		struct hup_request r = {.magic = HUP_REQ_MAGIC,
					.abi_version = HUP_ABI_VERSION,
					.op = HUP_OP_UNREGISTER,
					.prog_id = ids[i]};
		uint64_t t0;
		int err;

		memcpy(fg_hva(&g, 0x10000, sizeof(r)), &r, sizeof(r));
		t0 = now_ns();
		err = backend__submit(&be, 0, 0x10000);
		t0 = now_ns() - t0;
		if (err) {
			fprintf(stderr, "hup-bench-vmap: unregister %u: %d\n",
				ids[i], err);
			return 1;
		}
		if (!i)
			unreg_first = t0;
		if (t0 > unreg_max)
			unreg_max = t0;
		unreg_total += t0;
		if (!i || i % 10 == 9)
			fprintf(stderr, "  unregister %2lu: %.3f s\n", i + 1,
				s(t0));
	}
	stop = 1;
	pthread_join(t, NULL);
	printf("vmap: %lu programs, %s of %lu pages at every other "
	       "guest page (%lu runs each)\n",
	       progs, own ? "each a window of its own" : "one window", runs,
	       runs);
	printf("host mappings: %lu before, %lu after registering (%.1f per "
	       "program)\n",
	       vmas0, vmas1, (double)(vmas1 - vmas0) / (double)progs);
	printf("register:   first %.3f s, last %.3f s, total %.3f s\n",
	       s(reg_first), s(reg_last), s(reg_total));
	printf("unregister: first %.3f s, longest %.3f s, total %.3f s\n",
	       s(unreg_first), s(unreg_max), s(unreg_total));
	printf("vmap steps: first registration %llu, last %llu\n",
	       (unsigned long long)steps_first, (unsigned long long)steps_last);
	printf("control plane (backend__list every 1 ms): %llu calls, "
	       "longest %.3f ms\n",
	       (unsigned long long)list_calls, (double)list_max_ns / 1e6);
	backend__destroy(&be);
	mem__destroy(&g.mem);
	return 0;
}
