// SPDX-License-Identifier: GPL-2.0
/*
 * The upcall baseline (abi.h, "The upcall baseline"): the host asks this
 * kernel a question by writing it into a block we own and pulsing a GSI;
 * the handler answers with the kernel's own code and rings
 * HUP_DB_UPCALL_DONE.  It is what hyperupcalls are measured against, so it
 * is built as a real SymCall-style upcall would be: one page in the direct
 * map, an ordinary interrupt handler, no polling.  Each question is the
 * twin of a sample and keeps that sample's rules, so that the two answer
 * the same question.
 *
 * Context.  On !PREEMPT_RT the handler runs in hardirq context; on
 * PREEMPT_RT it is force-threaded (hence no IRQF_NO_THREAD), which is what
 * lets it take zone->lock, a sleeping lock there.  The host asks one
 * question at a time, and one irq's handler never runs on two CPUs at
 * once, so the block needs no lock of ours.
 *
 * Load never fails because of this file: without ACPI, a GSI, an irq or
 * the host's consent the module logs once and carries on, and the host's
 * upcalls time out, as they do with upcall=0.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/llist.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/page-flags.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/smp_types.h>
#include <linux/spinlock.h>
#include <asm/msr-index.h>
#include <asm/tlbflush.h>

#include "hup.h"

static bool upcall = true;
module_param(upcall, bool, 0444);
MODULE_PARM_DESC(upcall,
		 "answer the host's upcalls (the baseline hyperupcalls are measured against)");

/*
 * samples/tlb_shootdown.c's bound (HUP_TLB_MAX_ENTRIES): queue entries
 * looked at per question; the rest wait for the next one.
 */
#define HUP_UPCALL_TLB_MAX_ENTRIES 32u

/*
 * samples/msr_guard.c's policy: it is registered for IA32_TSC_AUX
 * (hupload --event-arg 0xc0000103) and refuses the value 0xdead there;
 * every other write passes.
 */
#define HUP_UPCALL_MSR_GUARDED MSR_TSC_AUX
#define HUP_UPCALL_MSR_REFUSED 0xdeadull

/*
 * Unload: how long to retry a detach the host refuses with -EBUSY (a
 * question is out; the handler still answers it meanwhile).  Past that the
 * block is leaked, never handed back while the host may write it.
 */
#define HUP_UPCALL_DETACH_TRIES 200
#define HUP_UPCALL_DETACH_WAIT_MS 10

enum hup_upcall_state { HUP_UPCALL_OFF, HUP_UPCALL_ATTACHED, HUP_UPCALL_FAILED };

static enum hup_upcall_state hup_upcall_state;
static int hup_upcall_err;		/* HUP_UPCALL_FAILED: why */
static struct hup_upcall_block *hup_ub;	/* one zeroed page */
static u32 hup_upcall_gsi;
static int hup_upcall_irqno;
static atomic_long_t hup_upcalls_answered = ATOMIC_LONG_INIT(0);
static atomic_long_t hup_upcalls_spurious = ATOMIC_LONG_INIT(0);
static atomic_t hup_upcall_reading = ATOMIC_INIT(0); /* trace reader held */

/*
 * arch/x86/mm/tlb.c's per-CPU lazy-TLB flag.  It is exported, but
 * asm/tlbflush.h declares it only outside modules; the struct is this one
 * bool in every kernel Debian ships (6.1 and 6.12, per their BTF).
 */
struct hup_tlb_state_shared {
	bool is_lazy;
};

DECLARE_PER_CPU_SHARED_ALIGNED(struct hup_tlb_state_shared,
			       cpu_tlbstate_shared);

/* Resolved at init (ksym.c); 0 or NULL: tlb_ack answers -EOPNOTSUPP. */
static struct llist_head __percpu *hup_call_queue;
static unsigned long hup_flush_tlb_func;

/* ---------------------------------------------------------------- trace */

/* A free slot index, or false if the ring is full or the head contended. */
static bool hup_upcall_reserve(struct hup_trace_ring *r, u32 cap, u64 *slot)
{
	u64 h;
	int k;

	for (k = 0; k < HUP_TRACE_RING_RETRIES; k++) {
		h = READ_ONCE(r->head);
		if (h - READ_ONCE(r->tail) >= cap)
			return false;
		if (cmpxchg64(&r->head, h, h + 1) == h) {
			*slot = h;
			return true;
		}
	}
	return false;
}

/*
 * samples/tracing.c's record, produced with trace_ring.h's protocol (the
 * ring is shared with tracing programs running on the host).  The record
 * carries no vCPU from the host: it is the CPU that took the upcall.
 * args: kind, reason, arg[0..3], host_ns, guest_tsc.
 */
static int hup_upcall_trace(const u64 *args)
{
	struct hup_trace_ring *r = hup_trace_ring_addr();
	struct hup_trace_entry *e;
	u32 cap;
	u64 slot;

	if (!r)
		return -ENODEV;
	/*
	 * The first entry starts the reader, as registering a tracing
	 * program does; it runs until unload.
	 */
	if (!atomic_xchg(&hup_upcall_reading, 1))
		hup_trace_get();
	cap = READ_ONCE(r->capacity);
	if (!hup_upcall_reserve(r, cap, &slot)) {
		atomic64_inc((atomic64_t *)&r->overflow);
		return -ENOSPC;
	}
	e = &r->entries[slot & (cap - 1)];
	e->host_ns = args[6];
	e->guest_tsc = args[7];
	e->vcpu = raw_smp_processor_id();
	e->kind = (u16)args[0];
	e->reason = (u16)args[1];
	e->arg[0] = args[2];
	e->arg[1] = args[3];
	e->arg[2] = args[4];
	e->arg[3] = args[5];
	smp_wmb();	/* the entry before its seq */
	WRITE_ONCE(e->seq, slot + 1);
	return 0;
}

/* ------------------------------------------------------------ free_pfns */

/*
 * Which of nr pfns from start are free in the buddy allocator, under
 * zone->lock, as is_free_buddy_page() asks of its callers (it takes no
 * lock since 5.16).  The lock is held across the pfns of one zone, and
 * within one hold a pfn can only be free if it heads a free block
 * (PageBuddy; its order is page_private(), mm/internal.h's buddy_order())
 * or lies in one heading before it: a block holding pfn with its head
 * before pfn also holds pfn - 1.  So is_free_buddy_page() is asked only
 * where the previous pfn leaves that open (the first pfn of a hold, and
 * the pages of a free block whose head lies before it); every other pfn
 * costs one PageBuddy() test, or a comparison inside a block found free.
 *
 * Like samples/free_discard.c: pages on per-CPU lists, offline or outside
 * the zones are not reported, and page poisoning (whose free pages must
 * keep their pattern) is refused.  Unlike it, the guest runs on: the
 * answer is exact when the lock is dropped, and the pages may be
 * allocated right after.
 */
static int hup_upcall_free_pfns(const u64 *args, u8 *bitmap, u32 *len)
{
	u64 start = args[0], nr = args[1], i, block_end = 0;
	struct zone *locked = NULL;
	unsigned long flags = 0;
	bool exact = false;	/* pfn - 1 seen in this hold, not in doubt */

	if (!nr || nr > HUP_RECLAIM_BATCH || start + nr < start)
		return -EINVAL;
	if (page_poisoning_enabled_static())
		return -EOPNOTSUPP;
	*len = DIV_ROUND_UP(nr, 8);
	memset(bitmap, 0, *len);
	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_online_page(start + i);
		unsigned long order;

		if (!page) {
			exact = false;
			block_end = 0;
			continue;
		}
		if (page_zone(page) != locked) {
			if (locked)
				spin_unlock_irqrestore(&locked->lock, flags);
			locked = page_zone(page);
			spin_lock_irqsave(&locked->lock, flags);
			exact = false;
			block_end = 0;
		}
		if (i < block_end) {
			/* in the free block found above */
		} else if (PageBuddy(page)) {
			order = page_private(page);
			block_end = order < 32 ? i + (1ull << order) : nr;
			exact = true;
		} else if (exact || !is_free_buddy_page(page)) {
			exact = true;
			continue;
		}
		bitmap[i / 8] |= 1u << (i % 8);
	}
	if (locked)
		spin_unlock_irqrestore(&locked->lock, flags);
	return 0;
}

/* -------------------------------------------------------------- tlb_ack */

/*
 * samples/tlb_shootdown.c, as kernel C, under the same rules: only
 * synchronous flush_tlb_func() calls still locked; nothing for a CPU in
 * lazy TLB mode; at most HUP_UPCALL_TLB_MAX_ENTRIES entries looked at;
 * senders only add at the head, so the first entry is unlinked with a
 * cmpxchg of the head (a sender in front: stop, the next question finds
 * it) and any other with a plain store; an entry is unlinked before it is
 * acknowledged, since its sender may reuse it at once.  The CPU's owner,
 * the only one that empties the queue, is held descheduled by the host,
 * which flushes its TLB before it runs again.
 *
 * A CPU that is running this handler is not descheduled: acknowledging
 * its requests would let senders free page tables its TLB still reaches.
 */
static int hup_upcall_tlb_ack(const u64 *args, u8 *answer, u32 *len)
{
	struct llist_node *prev = NULL, *cur, *next;
	struct llist_head *head;
	__le32 out;
	unsigned int n, self;
	u32 acked = 0, i;
	int err = 0;

	if (!hup_call_queue || !hup_flush_tlb_func)
		return -EOPNOTSUPP;
	if (args[0] >= nr_cpu_ids || !cpu_possible((unsigned int)args[0]))
		return -EINVAL;
	n = (unsigned int)args[0];
	self = get_cpu();
	if (n == self) {
		err = -EINVAL;
		goto out;
	}
	if (READ_ONCE(per_cpu(cpu_tlbstate_shared, n).is_lazy))
		goto out;
	head = per_cpu_ptr(hup_call_queue, n);
	cur = READ_ONCE(head->first);
	for (i = 0; cur && i < HUP_UPCALL_TLB_MAX_ENTRIES; i++) {
		struct __call_single_data *csd =
			container_of(cur, struct __call_single_data, node.llist);
		unsigned int fl = READ_ONCE(csd->node.u_flags);

		next = READ_ONCE(cur->next);
		if ((fl & (CSD_FLAG_TYPE_MASK | CSD_FLAG_LOCK)) !=
		    (CSD_TYPE_SYNC | CSD_FLAG_LOCK) ||
		    (unsigned long)READ_ONCE(csd->func) != hup_flush_tlb_func) {
			prev = cur;
			cur = next;
			continue;
		}
		if (!prev) {
			if (cmpxchg(&head->first, cur, next) != cur)
				break;
		} else {
			WRITE_ONCE(prev->next, next);
		}
		/* Unlinked: the sender may go on (csd_unlock()'s release). */
		smp_store_release(&csd->node.u_flags, fl & ~CSD_FLAG_LOCK);
		acked++;
		cur = next;
	}
out:
	put_cpu();
	if (err)
		return err;
	out = cpu_to_le32(acked);
	memcpy(answer, &out, sizeof(out));
	*len = sizeof(out);
	return 0;
}

/* ------------------------------------------------------------ msr_write */

/* samples/msr_guard.c's verdict: 0 allows, 1 refuses (the guest's #GP). */
static int hup_upcall_msr_write(const u64 *args, u8 *answer, u32 *len)
{
	__le32 out = cpu_to_le32(args[0] == HUP_UPCALL_MSR_GUARDED &&
				 args[1] == HUP_UPCALL_MSR_REFUSED);

	memcpy(answer, &out, sizeof(out));
	*len = sizeof(out);
	return 0;
}

/* -------------------------------------------------------------- handler */

static int hup_upcall_answer(u32 kind, const u64 *args, u8 *answer, u32 *len)
{
	switch (kind) {
	case HUP_UPCALL_TRACE:
		return hup_upcall_trace(args);
	case HUP_UPCALL_FREE_PFNS:
		return hup_upcall_free_pfns(args, answer, len);
	case HUP_UPCALL_TLB_ACK:
		return hup_upcall_tlb_ack(args, answer, len);
	case HUP_UPCALL_MSR_WRITE:
		return hup_upcall_msr_write(args, answer, len);
	}
	return -EOPNOTSUPP;
}

/*
 * The host writes kind and args, then seq; we read seq, then the rest,
 * each once.  A question the host gave up on may be overwritten while we
 * read it: that answer goes back under the old seq, which the host
 * ignores, and the new question's edge, latched while we ran, brings us
 * back for it.
 */
static irqreturn_t hup_upcall_irq(int irq, void *dev_id)
{
	struct hup_upcall_block *b = dev_id;
	u64 args[HUP_UPCALL_NR_ARGS];
	u32 seq, kind, len = 0;
	unsigned int i;
	int result;

	seq = READ_ONCE(b->seq);
	if (seq == READ_ONCE(b->done_seq)) {
		/* nothing new: an edge for a question already answered */
		atomic_long_inc(&hup_upcalls_spurious);
		return IRQ_NONE;
	}
	smp_rmb();	/* the question after its seq */
	kind = READ_ONCE(b->kind);
	for (i = 0; i < HUP_UPCALL_NR_ARGS; i++)
		args[i] = READ_ONCE(b->args[i]);

	result = hup_upcall_answer(kind, args, b->answer, &len);

	WRITE_ONCE(b->answer_len, result ? 0 : len);
	WRITE_ONCE(b->result, result);
	smp_wmb();	/* the answer before done_seq */
	WRITE_ONCE(b->done_seq, seq);
	outl(seq, hup_backend.port + HUP_DB_UPCALL_DONE);
	atomic_long_inc(&hup_upcalls_answered);
	return IRQ_HANDLED;
}

/* ----------------------------------------------------------- lifecycle */

/*
 * HUP_DB_UPCALL_ATTACH with the block at pa (0 detaches): the high half is
 * latched per vCPU, so the writes and the status read stay on one CPU.
 */
static int hup_upcall_doorbell(phys_addr_t pa)
{
	u16 port = hup_backend.port;
	s32 status;

	preempt_disable();
	outl(upper_32_bits(pa), port + HUP_DB_REQ_HI);
	outl(lower_32_bits(pa), port + HUP_DB_UPCALL_ATTACH);
	status = (s32)inl(port + HUP_DB_STATUS);
	preempt_enable();
	if (status > 0 || status < -MAX_ERRNO)
		return -EPROTO;
	return status;
}

/* The host's GSI as a Linux irq: an ISA-style edge, active high. */
static int hup_upcall_map_gsi(u32 gsi)
{
#ifdef CONFIG_ACPI
	return acpi_register_gsi(NULL, gsi, ACPI_EDGE_SENSITIVE,
				 ACPI_ACTIVE_HIGH);
#else
	return -EOPNOTSUPP;
#endif
}

static void hup_upcall_unmap_gsi(u32 gsi)
{
#ifdef CONFIG_ACPI
	acpi_unregister_gsi(gsi);
#endif
}

/*
 * tlb_ack's symbols: kernel/smp.c's static per-CPU call_single_queue and
 * arch/x86/mm/tlb.c's static flush_tlb_func.  kallsyms gives a per-CPU
 * symbol as the value a __percpu pointer holds; that is checked on
 * cpu_tlbstate_shared, which the module also links against.
 */
static void hup_upcall_resolve(void)
{
	unsigned long q = hup_ksym_lookup("call_single_queue");
	unsigned long shared = hup_ksym_lookup("cpu_tlbstate_shared");

	hup_flush_tlb_func = hup_ksym_lookup("flush_tlb_func");
	if (q && shared == (__force unsigned long)&cpu_tlbstate_shared)
		hup_call_queue = (__force struct llist_head __percpu *)q;
	if (!hup_call_queue || !hup_flush_tlb_func)
		pr_info("upcall: call_single_queue or flush_tlb_func unresolved: tlb_ack answers EOPNOTSUPP\n");
}

void hup_upcall_init(u8 gsi)
{
	const char *what;
	int err;

	if (!upcall) {
		pr_info("upcall=0: the host's upcalls go unanswered\n");
		return;
	}
	hup_upcall_gsi = gsi;
	what = "no GSI advertised";
	err = -ENXIO;
	if (!gsi)
		goto fail;
	what = "block allocation";
	err = -ENOMEM;
	hup_ub = (struct hup_upcall_block *)get_zeroed_page(GFP_KERNEL);
	if (!hup_ub)
		goto fail;
	hup_ub->magic = HUP_UPCALL_MAGIC;
	hup_upcall_resolve();

	what = IS_ENABLED(CONFIG_ACPI) ? "acpi_register_gsi" :
		"GSI mapping (kernel built without CONFIG_ACPI)";
	err = hup_upcall_map_gsi(gsi);
	if (err < 0)
		goto err_page;
	hup_upcall_irqno = err;
	what = "request_irq";
	err = request_irq(hup_upcall_irqno, hup_upcall_irq, IRQF_NOBALANCING,
			  "hyperupcall-upcall", hup_ub);
	if (err)
		goto err_gsi;
	/*
	 * On CPU 0, where the host's tlb_ack for another CPU can reach it:
	 * the vector allocator may otherwise route the line to the very CPU
	 * the host holds descheduled, and the question would wait for it.
	 */
	if (irq_set_affinity(hup_upcall_irqno, cpumask_of(0)))
		pr_info("upcall: interrupt not pinned to CPU 0\n");
	what = "attach";
	err = hup_upcall_doorbell(virt_to_phys(hup_ub));
	if (err)
		goto err_irq;
	hup_upcall_state = HUP_UPCALL_ATTACHED;
	pr_info("answering the host's upcalls on GSI %u (irq %d)\n", gsi,
		hup_upcall_irqno);
	return;

err_irq:
	free_irq(hup_upcall_irqno, hup_ub);
err_gsi:
	hup_upcall_unmap_gsi(gsi);
err_page:
	free_page((unsigned long)hup_ub);
	hup_ub = NULL;
fail:
	hup_upcall_state = HUP_UPCALL_FAILED;
	hup_upcall_err = err;
	pr_warn("upcalls unavailable on GSI %u: %s failed (%d); the host's upcalls will time out\n",
		gsi, what, err);
}

/*
 * Detach first: the host then neither writes the block nor pulses the
 * GSI, and a question still out is answered by the handler meanwhile.
 * free_irq() then waits for a handler still running and masks the line, so
 * a late edge finds nothing; the page goes last, and only if the host let
 * go of it.
 */
void hup_upcall_exit(void)
{
	int err, i;

	if (hup_upcall_state != HUP_UPCALL_ATTACHED)
		return;
	for (i = 0; i < HUP_UPCALL_DETACH_TRIES; i++) {
		err = hup_upcall_doorbell(0);
		if (err != -EBUSY)
			break;
		msleep(HUP_UPCALL_DETACH_WAIT_MS);
	}
	free_irq(hup_upcall_irqno, hup_ub);
	hup_upcall_unmap_gsi(hup_upcall_gsi);
	if (atomic_read(&hup_upcall_reading))
		hup_trace_put();
	hup_upcall_state = HUP_UPCALL_OFF;
	if (err) {
		pr_err("upcall detach failed (%d): block leaked\n", err);
		return;
	}
	free_page((unsigned long)hup_ub);
	hup_ub = NULL;
}

void hup_upcall_show(struct seq_file *m)
{
	switch (hup_upcall_state) {
	case HUP_UPCALL_ATTACHED:
		seq_printf(m, "upcall_state: attached\nupcall_irq: %d\n",
			   hup_upcall_irqno);
		break;
	case HUP_UPCALL_FAILED:
		seq_printf(m, "upcall_state: failed (%d)\n", hup_upcall_err);
		break;
	default:
		seq_puts(m, "upcall_state: off\n");
		break;
	}
	seq_printf(m, "upcalls: %ld\nupcalls_spurious: %ld\n",
		   atomic_long_read(&hup_upcalls_answered),
		   atomic_long_read(&hup_upcalls_spurious));
}
