/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A program's run counters (hup_prog__stats), counted per thread.
 *
 * Every run counts itself, and the runs of one program happen on many
 * threads at once (a trace program at every VM exit of every vCPU).  One
 * shared atomic counter costs a locked add per run (7 ns of a 65 ns
 * msr_guard run on this machine) and bounces its cache line between the
 * cores that run the program.  So each thread that runs programs takes a
 * slot index (at its first run, given back when it exits), and each
 * program has one cache line of counters per slot, written by that
 * thread alone with plain loads and stores; a reader sums the slots.
 * Past HUP_RUN_STATS_SLOTS threads at once, a thread counts in a shared
 * slot with atomic adds, as before.
 *
 *     s = hup_run_stats__new();          // at load; NULL: -ENOMEM
 *     hup_run_stats__add(s, 1, ns);      // a completed run (0, ns: aborted)
 *     hup_run_stats__sum(s, &runs, &ns); // any thread, any time
 *     hup_run_stats__free(s);
 */
#ifndef HUP_RUNSTATS_H
#define HUP_RUNSTATS_H

#include <stdint.h>

#define HUP_RUN_STATS_SLOTS 64u

struct hup_run_slot {
	uint64_t runs;
	uint64_t run_ns;
} __attribute__((aligned(64)));

/* [HUP_RUN_STATS_SLOTS] owned slots, then the shared one. */
struct hup_run_stats {
	struct hup_run_slot slot[HUP_RUN_STATS_SLOTS + 1];
};

/* This thread's slot + 1 (0: none taken yet), initial-exec TLS. */
extern __thread uint32_t hup_run_slot_tls
	__attribute__((tls_model("initial-exec")));

/* Take a slot for this thread: its index, or HUP_RUN_STATS_SLOTS (the
 * shared one) when none is free. */
uint32_t hup_run_stats__take_slot(void);

struct hup_run_stats *hup_run_stats__new(void);
void hup_run_stats__free(struct hup_run_stats *s);
void hup_run_stats__sum(const struct hup_run_stats *s, uint64_t *runs,
			uint64_t *run_ns);

/* Count runs (0 or 1: an aborted run is timed, not counted) and ns. */
static inline void hup_run_stats__add(struct hup_run_stats *s, uint64_t runs,
				      uint64_t ns)
{
	uint32_t k = hup_run_slot_tls;
	struct hup_run_slot *sl;

	if (__builtin_expect(!k, 0))
		k = hup_run_stats__take_slot() + 1;
	sl = &s->slot[k - 1];
	if (k - 1 == HUP_RUN_STATS_SLOTS) {
		if (runs)
			__atomic_fetch_add(&sl->runs, runs, __ATOMIC_RELAXED);
		if (ns)
			__atomic_fetch_add(&sl->run_ns, ns, __ATOMIC_RELAXED);
		return;
	}
	/* this thread's own: no other writer, readers load whole words */
	if (runs)
		__atomic_store_n(&sl->runs,
				 __atomic_load_n(&sl->runs, __ATOMIC_RELAXED) +
					 runs,
				 __ATOMIC_RELAXED);
	if (ns)
		__atomic_store_n(&sl->run_ns,
				 __atomic_load_n(&sl->run_ns,
						 __ATOMIC_RELAXED) + ns,
				 __ATOMIC_RELAXED);
}

#endif /* HUP_RUNSTATS_H */
