// SPDX-License-Identifier: BSD-2-Clause
/*
 * TLB shootdown to descheduled vCPUs: a HUP_EVENT_VCPU_DESCHED program.
 *
 * When a guest CPU changes a mapping, Linux queues flush_tlb_func() on the
 * call_single_queue of every CPU that may cache it and spins until each
 * has run it.  A vCPU the host is not running cannot, so the sender waits
 * for the rest of the host's timeslice.  The host runs this program for
 * such a vCPU (when it deschedules it, then every period): it takes the
 * TLB-flush requests off that vCPU's queue, acknowledges them so their
 * senders go on, and asks the host to flush the vCPU's whole TLB before it
 * next runs guest code (HUP_ENTRY_FLUSH_TLB), which is all a TLB-flush
 * request asks of it.
 *
 * What it touches, and why that is safe while other vCPUs run:
 *   - only synchronous calls of flush_tlb_func with CSD_FLAG_LOCK set;
 *     every other entry (other functions, asynchronous calls, irq_work,
 *     wake-ups) is left where it is, in order;
 *   - senders only ever add at the head of the list (cmpxchg), the owner
 *     of the list is descheduled: an entry that is not the first is
 *     unlinked with a plain store to its predecessor; the first one with a
 *     cmpxchg of the head, and if a sender added in front meanwhile, the
 *     next run finds it again, no longer first;
 *   - an entry is unlinked before it is acknowledged: once the flag is
 *     clear the sender may reuse the csd at once;
 *   - HUP_ENTRY_FLUSH_TLB is asked before the first entry is touched, so a
 *     run that stops halfway (an entry the host cannot read or write)
 *     still leaves the vCPU flushed;
 *   - at most HUP_TLB_MAX_ENTRIES entries per run; the rest wait for the
 *     next period;
 *   - nothing for a vCPU in lazy TLB mode (a kernel thread running on a
 *     user mm it borrowed): there flush_tlb_func() does more than flush,
 *     it switches the CPU to init_mm before the sender frees page tables
 *     the CPU's CR3 still reaches, which no flush on entry replaces.  Its
 *     senders wait for it as without this program.
 *
 *	hupcc samples/tlb_shootdown.c -o tlb_shootdown.o
 *	hupload --window kernel --window direct:rw tlb_shootdown.o  # guest
 *	hupvm ... --pcpus N                                          # host
 */
#include <hyperupcall.h>
#include <hlib/hlib.h>
#include <hlib/smp.h>

#define HUP_TLB_MAX_ENTRIES 32u

/* arch/x86/mm/tlb.c: the function a TLB-flush request runs, and the
 * per-CPU flag of lazy TLB mode. */
extern char flush_tlb_func[] __ksym;
struct tlb_state_shared___hup {
	_Bool is_lazy;
} __hup_core;
extern struct tlb_state_shared___hup cpu_tlbstate_shared __ksym;

struct walk {
	__u64 head;	/* guest address of the vCPU's call_single_queue */
	__u64 prev;	/* the node whose next is cur; 0: the head */
	__u64 cur;
	__u64 fn;	/* flush_tlb_func */
	__u32 acked;
};

/* One entry of the queue: skip it, or unlink and acknowledge it. */
static long step(__u32 i, void *data)
{
	struct walk *w = data;
	struct __call_single_data___hlib *c;
	__u64 next;
	__u32 flags;

	if (!w->cur)
		return 1;
	c = hlib_gptr(struct __call_single_data___hlib, w->cur);
	next = (__u64)(unsigned long)READ_ONCE(c->node.llist.next);
	flags = READ_ONCE(c->node.u_flags);
	if ((flags & (HLIB_CSD_TYPE_MASK | HLIB_CSD_FLAG_LOCK)) !=
		(HLIB_CSD_TYPE_SYNC | HLIB_CSD_FLAG_LOCK) ||
	    (__u64)(unsigned long)READ_ONCE(c->func) != w->fn) {
		w->prev = w->cur;
		w->cur = next;
		return 0;
	}
	/* The flags must be writable before anything changes: a run that
	 * stopped between unlinking and acknowledging would leave the
	 * sender waiting forever.  Rewriting the same value is harmless:
	 * the sender only reads it, its owner is descheduled. */
	WRITE_ONCE(c->node.u_flags, flags);
	if (!w->prev) {
		struct llist_head___hlib *h =
			hlib_gptr(struct llist_head___hlib, w->head);

		if (__sync_val_compare_and_swap(
			(__u64 *)&h->first, w->cur, next) != w->cur)
			return 1; /* a sender added in front: next run */
	} else {
		struct llist_node___hlib *p =
			hlib_gptr(struct llist_node___hlib, w->prev);

		WRITE_ONCE(p->next, (struct llist_node___hlib *)next);
	}
	/* Unlinked: the sender may go on (x86 keeps the stores in order;
	 * the barrier keeps the compiler from reordering them). */
	barrier();
	WRITE_ONCE(c->node.u_flags, flags & ~HLIB_CSD_FLAG_LOCK);
	w->acked++;
	w->cur = next;
	return 0;
}

HUP_VCPU_DESCHED("tlb_shootdown")
long tlb_shootdown(struct hup_desched_ctx *ctx)
{
	struct llist_head___hlib *h;
	struct walk w = {};

	if (READ_ONCE(per_cpu_ptr(&cpu_tlbstate_shared, ctx->vcpu)->is_lazy))
		return 0;
	w.head = hlib_call_queue(ctx->vcpu);
	w.fn = (__u64)(unsigned long)flush_tlb_func;
	h = hlib_gptr(struct llist_head___hlib, w.head);
	w.cur = (__u64)(unsigned long)READ_ONCE(h->first);
	if (!w.cur)
		return 0;
	ctx->actions |= HUP_ENTRY_FLUSH_TLB;
	hup_loop(HUP_TLB_MAX_ENTRIES, step, &w, 0);
	if (!w.acked)
		ctx->actions = 0; /* nothing done for it: no flush needed */
	return w.acked;
}

HUP_LICENSE("GPL");
