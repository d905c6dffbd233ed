// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/tlb_shootdown.c ported by hand to native C (native.h): for the
 * descheduled vCPU (a CPU not in lazy TLB mode), the synchronous, locked
 * calls of flush_tlb_func on its call_single_queue unlinked (the first
 * with a compare-and-swap of the head, the others with a store to their
 * predecessor) and acknowledged, at most HUP_TLB_MAX_ENTRIES of them,
 * with a TLB flush asked for its next entry if any was; step by step as
 * the sample, its hup_loop callback a plain loop.  The per-CPU variables
 * are found as hlib's per_cpu_ptr() finds them, through __per_cpu_offset;
 * the symbols are the __ksyms the guest filled in, the offsets the
 * relocator's CO-RE answers for the object's own hlib types.
 * Compiled -O2.
 */
#include "native_port.h"

#include <errno.h>

#define HUP_TLB_MAX_ENTRIES 32u	  /* the sample's */
#define HLIB_NR_CPUS	    8192u /* hlib/percpu.h */
#define HLIB_CSD_FLAG_LOCK  0x01u /* hlib/smp.h */
#define HLIB_CSD_TYPE_MASK  0xf0u
#define HLIB_CSD_TYPE_SYNC  0x10u

struct tlb_state {
	/* ksyms */
	uint64_t flush_fn, tlbstate, per_cpu_offset, call_queue;
	/* offsets */
	uint32_t is_lazy, first, next, csd_next, csd_flags, csd_func;
};

static int tlb_setup(struct native_setup *c, void *state)
{
	struct tlb_state *s = state;
	static const char *const syms[] = {
	    "flush_tlb_func", "cpu_tlbstate_shared", "__per_cpu_offset",
	    "call_single_queue"};
	uint64_t *const to[] = {&s->flush_fn, &s->tlbstate, &s->per_cpu_offset,
				&s->call_queue};
	int e;

	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (!(*to[i] = native__ksym(c, syms[i])))
			return native__fail(c, -EINVAL, "the program has no %s",
					    syms[i]);
	if ((e = native__core_u32(c, "tlb_state_shared___hup", "0:0",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->is_lazy)) ||
	    (e = native__core_u32(c, "llist_head___hlib", "0:0",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->first)) ||
	    (e = native__core_u32(c, "llist_node___hlib", "0:0",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->next)) ||
	    (e = native__core_u32(c, "__call_single_data___hlib", "0:0:0:0",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->csd_next)) ||
	    (e = native__core_u32(c, "__call_single_data___hlib", "0:0:1",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->csd_flags)) ||
	    (e = native__core_u32(c, "__call_single_data___hlib", "0:1",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->csd_func)))
		return e;
	return 0;
}

/* per_cpu_ptr(&var, cpu) */
static uint64_t per_cpu(const struct tlb_state *s, const struct native_view *v,
			uint64_t var, uint32_t cpu)
{
	return var + NATIVE_READ(v, uint64_t,
				 s->per_cpu_offset +
				     (uint64_t)(cpu & (HLIB_NR_CPUS - 1)) * 8);
}

static uint64_t tlb_run(const void *state, const struct native_view *v,
			void *ctx, const struct hup_run_env *env)
{
	const struct tlb_state *s = state;
	struct hup_desched_ctx *d = ctx;
	uint64_t head, prev = 0, cur;
	uint32_t acked = 0;

	(void)env;
	if (NATIVE_READ(v, uint8_t,
			per_cpu(s, v, s->tlbstate, d->vcpu) + s->is_lazy))
		return 0;
	head = per_cpu(s, v, s->call_queue, d->vcpu);
	cur = NATIVE_READ(v, uint64_t, head + s->first);
	if (!cur)
		return 0;
	d->actions |= HUP_ENTRY_FLUSH_TLB;
	/* the sample's step(), once per entry */
	for (uint32_t i = 0; i < HUP_TLB_MAX_ENTRIES && cur; i++) {
		uint64_t next = NATIVE_READ(v, uint64_t, cur + s->csd_next);
		uint32_t flags = NATIVE_READ(v, uint32_t, cur + s->csd_flags);

		if ((flags & (HLIB_CSD_TYPE_MASK | HLIB_CSD_FLAG_LOCK)) !=
			(HLIB_CSD_TYPE_SYNC | HLIB_CSD_FLAG_LOCK) ||
		    NATIVE_READ(v, uint64_t, cur + s->csd_func) !=
			s->flush_fn) {
			prev = cur;
			cur = next;
			continue;
		}
		/* writable before anything changes (the sample says why) */
		NATIVE_WRITE(v, uint32_t, cur + s->csd_flags, flags);
		if (!prev) {
			if (__sync_val_compare_and_swap(
				(uint64_t *)native_gp(v, head + s->first), cur,
				next) != cur)
				break; /* a sender added in front: next run */
		} else {
			NATIVE_WRITE(v, uint64_t, prev + s->next, next);
		}
		__asm__ volatile("" ::: "memory");
		NATIVE_WRITE(v, uint32_t, cur + s->csd_flags,
			     flags & ~HLIB_CSD_FLAG_LOCK);
		acked++;
		cur = next;
	}
	if (!acked)
		d->actions = 0; /* nothing done for it: no flush needed */
	return acked;
}

const struct native_port native_tlb_shootdown = {
    .prog = "tlb_shootdown",
    .event = HUP_EVENT_VCPU_DESCHED,
    .ctx_size = sizeof(struct hup_desched_ctx),
    .state_size = sizeof(struct tlb_state),
    .setup = tlb_setup,
    .run = tlb_run,
};
