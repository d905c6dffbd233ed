// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/tracing.c ported by hand to native C (native.h): the event
 * written into the guest module's trace ring (hyperupcall/trace_ring.h,
 * whose layout is the SDK's ABI, not CO-RE), step by step as the sample:
 * the ring checked, a slot reserved by a bounded compare-and-swap on its
 * head (or the overflow counted), the entry filled, then published by
 * its seq.  The ring is the __ksym hup_trace_ring the guest filled in.
 * Compiled -O2.
 */
#include "native_port.h"

#include <errno.h>

#include <hyperupcall/trace_ring.h>

#define RING_OFF(f)  ((uint64_t)offsetof(struct hup_trace_ring, f))
#define ENTRY_OFF(f) ((uint64_t)offsetof(struct hup_trace_entry, f))

struct tr_state {
	uint64_t ring; /* guest address of hup_trace_ring */
};

static int tr_setup(struct native_setup *c, void *state)
{
	struct tr_state *s = state;

	s->ring = native__ksym(c, HUP_TRACE_RING_KSYM);
	return s->ring
		   ? 0
		   : native__fail(c, -EINVAL,
				  "the program has no " HUP_TRACE_RING_KSYM);
}

/* The sample's reserve(): a free slot index, or -1 (full, contended). */
static long reserve(const struct native_view *v, uint64_t ring, uint64_t cap)
{
	volatile uint64_t *headp = native_gp(v, ring + RING_OFF(head));

	for (int i = 0; i < HUP_TRACE_RING_RETRIES; i++) {
		uint64_t head = *headp;

		if (head - NATIVE_READ(v, uint64_t, ring + RING_OFF(tail)) >=
		    cap)
			return -1;
		if (__sync_val_compare_and_swap(headp, head, head + 1) == head)
			return (long)head;
	}
	return -1;
}

static uint64_t tr_run(const void *state, const struct native_view *v,
		       void *ctx, const struct hup_run_env *env)
{
	const struct tr_state *s = state;
	const struct hup_trace_ctx *t = ctx;
	uint64_t ring = s->ring, e;
	uint32_t cap = NATIVE_READ(v, uint32_t, ring + RING_OFF(capacity));
	long slot;

	(void)env;
	if (NATIVE_READ(v, uint32_t, ring + RING_OFF(magic)) !=
		HUP_TRACE_RING_MAGIC ||
	    !cap || (cap & (cap - 1)))
		return 0;
	slot = reserve(v, ring, cap);
	if (slot < 0) {
		__sync_fetch_and_add(
		    (uint64_t *)native_gp(v, ring + RING_OFF(overflow)), 1);
		return 0;
	}
	e = ring + RING_OFF(entries) +
	    ((uint64_t)slot & (cap - 1)) * sizeof(struct hup_trace_entry);
	NATIVE_WRITE(v, uint64_t, e + ENTRY_OFF(host_ns), t->host_ns);
	NATIVE_WRITE(v, uint64_t, e + ENTRY_OFF(guest_tsc), t->guest_tsc);
	NATIVE_WRITE(v, uint32_t, e + ENTRY_OFF(vcpu), t->vcpu);
	NATIVE_WRITE(v, uint16_t, e + ENTRY_OFF(kind), (uint16_t)t->kind);
	NATIVE_WRITE(v, uint16_t, e + ENTRY_OFF(reason), (uint16_t)t->reason);
	for (int i = 0; i < 4; i++)
		NATIVE_WRITE(v, uint64_t, e + ENTRY_OFF(arg) + 8u * i,
			     t->arg[i]);
	/* the entry before its seq (x86: stores stay in order) */
	__asm__ volatile("" ::: "memory");
	NATIVE_WRITE(v, uint64_t, e + ENTRY_OFF(seq), (uint64_t)slot + 1);
	return 0;
}

const struct native_port native_tracing = {
    .prog = "trace_to_ring",
    .event = HUP_EVENT_TRACE,
    .ctx_size = sizeof(struct hup_trace_ctx),
    .state_size = sizeof(struct tr_state),
    .setup = tr_setup,
    .run = tr_run,
};
