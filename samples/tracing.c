// SPDX-License-Identifier: BSD-2-Clause
/*
 * The tracing use case: every hypervisor event of a vCPU (an exit the VMM
 * handled, the VMM pausing or resuming the vCPU) is written into a ring in
 * guest memory owned by the guest module (sdk/include/hyperupcall/
 * trace_ring.h), so guest tracing tools see hypervisor and guest events on
 * one time line.  Several vCPUs may trace at once: a slot is reserved with a
 * bounded cmpxchg on the ring's head, filled, then published by its seq.
 *
 *	hupcc samples/tracing.c -o tracing.o
 */
#include <hyperupcall.h>
#include <hyperupcall/trace_ring.h>
#include <hlib/core.h>

/* Resolved by the guest module to its trace ring (HUP_TRACE_RING_KSYM). */
extern struct hup_trace_ring hup_trace_ring __ksym;

/* A free slot index, or -1 if the ring is full or the head too contended. */
static __always_inline long reserve(struct hup_trace_ring *ring, __u64 cap)
{
#pragma unroll
	for (int i = 0; i < HUP_TRACE_RING_RETRIES; i++) {
		__u64 head = READ_ONCE(ring->head);

		if (head - READ_ONCE(ring->tail) >= cap)
			return -1;
		if (__sync_val_compare_and_swap(&ring->head, head, head + 1) ==
		    head)
			return (long)head;
	}
	return -1;
}

HUP_TRACE("ring")
int trace_to_ring(struct hup_trace_ctx *ctx)
{
	struct hup_trace_ring *ring = &hup_trace_ring;
	struct hup_trace_entry *e;
	__u32 cap = READ_ONCE(ring->capacity);
	long slot;

	if (READ_ONCE(ring->magic) != HUP_TRACE_RING_MAGIC || !cap ||
	    (cap & (cap - 1)))
		return 0;
	slot = reserve(ring, cap);
	if (slot < 0) {
		__sync_fetch_and_add(&ring->overflow, 1);
		return 0;
	}

	e = &ring->entries[(__u64)slot & (cap - 1)];
	e->host_ns = ctx->host_ns;
	e->guest_tsc = ctx->guest_tsc;
	e->vcpu = ctx->vcpu;
	e->kind = (__u16)ctx->kind;
	e->reason = (__u16)ctx->reason;
	e->arg[0] = ctx->arg[0];
	e->arg[1] = ctx->arg[1];
	e->arg[2] = ctx->arg[2];
	e->arg[3] = ctx->arg[3];
	barrier(); /* the entry before its seq (x86: stores stay in order) */
	WRITE_ONCE(e->seq, (__u64)slot + 1);
	return 0;
}

HUP_LICENSE("GPL");
