// SPDX-License-Identifier: BSD-2-Clause
/*
 * Free-memory discard: a reclaim program (HUP_EVENT_RECLAIM) that tells
 * the host which guest pages are free in the guest kernel's buddy
 * allocator, so the host can take their memory back (hupctl reclaim ID)
 * without asking the guest, as a balloon would.
 *
 * The host runs it for batches of up to HUP_RECLAIM_BATCH pfns, with every
 * vCPU stopped; a set bit of free[] is a page whose contents the guest no
 * longer needs.  It reports only what is certainly free:
 *   - pages of a free buddy block (hlib/buddy.h: the head's mark and order,
 *     the encoding of 6.1 or 6.12 picked by CO-RE), including a block
 *     whose head lies before the batch;
 *   - in a zone whose lock is free (hlib_spinlock_is_locked: a qspinlock,
 *     or PREEMPT_RT's rt_mutex); a zone whose lock a stopped vCPU holds,
 *     or is waiting for, is skipped.  With every vCPU stopped a free lock
 *     stays free, so the lock is only read, never taken: the program
 *     writes nothing in the guest, and a run the host aborts midway
 *     leaves nothing behind;
 *   - nothing on per-CPU lists, offline, reserved or outside the zones (no
 *     buddy mark there).
 * It refuses (-EOPNOTSUPP, with a line in the host log) to run on a guest
 * whose free pages must keep their contents: page poisoning on (page_poison=1:
 * the allocator checks a pattern in every free page it hands out, and a
 * page the host discarded reads as zeros), or a kernel whose buddy mark or
 * spinlock_t layout it does not know.
 *
 *	hupcc samples/free_discard.c -o free_discard.o
 *	hupload --window kernel --window direct --window vmemmap \
 *		free_discard.o                                  # in the guest
 *	hupctl reclaim ID                                       # on the host
 */
#include <hyperupcall.h>
#include <hlib/hlib.h>
#include <hlib/buddy.h>

/* Nodes looked at (Debian's guests on hupvm have one; pages of further
 * nodes are simply not reported). */
#define FD_MAX_NODES 2u
#define FD_EOPNOTSUPP 95

/* page_poison=1 (CONFIG_PAGE_POISONING): the early flag and the static key
 * the allocator tests; absent (0) in kernels built without it. */
extern _Bool _page_poisoning_enabled_early __ksym __weak;
extern int _page_poisoning_enabled __ksym __weak; /* static_key.enabled */

/*
 * Shape, for the host verifier: a loop callback is explored path by path
 * (nothing is pruned inside it), so the per-page work is a callback with
 * few branches that sets one bit of one 64-bit word; the program runs it
 * once per word of free[] (hup_loop over 64 pfns, the word index a
 * constant).  Zones, locks and the free block reaching into the batch from
 * before it are handled around those loops, where states are pruned.
 */
#define FD_WORDS (HUP_RECLAIM_BATCH / 64)
/* A batch is scanned in one zone: zone boundaries are 2 MiB aligned and
 * far apart (16 MiB, 4 GiB), batches 2 MiB aligned, so a batch lies in
 * one zone.  Were it not, the pages of its second zone would go
 * unreported, which is always safe. */

struct range {
	__u64 lo, hi; /* pfns of the zone in the batch; lo == hi: none */
	__u64 start;  /* the zone's first pfn (a free block never starts
		       * before it) */
	__u64 found;  /* 1 if a zone with a free lock covers the batch */
};

struct scan {
	__u64 pfn;       /* pfn of bit 0 of word */
	__u64 lo, hi;    /* the zone range being scanned */
	__u64 block_end; /* pfns below it (and >= lo) are in a free block */
	__u64 word;      /* bits found free */
	__u64 vmemmap;   /* vmemmap_base, read once per batch */
};

/* One pfn: free if inside the current free block, or heading one (a head
 * is aligned to its order).  The only per-page work of the program. */
static long scan_pfn(__u32 i, void *data)
{
	struct scan *s = data;
	__u64 pfn = s->pfn + i;
	int order;

	if (pfn < s->lo || pfn >= s->hi)
		return 0;
	if (pfn >= s->block_end) {
		order = hlib_buddy_order_at(s->vmemmap +
					    pfn * HLIB_STRUCT_PAGE_SIZE);
		if (order < 0 || (pfn & ((1ull << order) - 1)))
			return 0;
		s->block_end = pfn + (1ull << order);
	}
	s->word |= 1ull << i;
	return 0;
}

/* One order o = i + 1 of the search for a free block holding s->lo whose
 * head lies before it (in the zone from s->start): the head of a block of
 * order o holding lo is lo rounded down to 2^o.  A loop, not unrolled: ten
 * unrolled guesses multiply the verifier's paths. */
struct before {
	__u64 lo, start;
	__u64 end; /* the block's end, 0 if none */
};

static long block_before(__u32 i, void *data)
{
	struct before *b = data;
	__u64 o = i + 1;
	__u64 head = b->lo & ~((1ull << o) - 1);

	if (head == b->lo || head < b->start)
		return 0;
	if (hlib_buddy_order(head) != (int)o)
		return 0;
	b->end = head + (1ull << o);
	return 1;
}

struct zones {
	__u64 batch, end;             /* the batch's pfns */
	__u32 nr_zones;               /* hlib_nr_zones() */
	struct range r;
};

/* Zone i % HLIB_MAX_NR_ZONES of node i / HLIB_MAX_NR_ZONES, if it overlaps
 * the batch and its lock is free: the range (and the loop stops).
 * A loop callback: after the loop the verifier knows the range only as
 * any values, so the scan is checked once, not once per zone. */
static long add_zone(__u32 i, void *data)
{
	struct zones *zs = data;
	__u64 pgdat = hlib_node_data(i / HLIB_MAX_NR_ZONES);
	struct range *slot = &zs->r;
	struct zone___hlib *zone;
	__u64 start, zend, lo, hi;

	if (!pgdat || i % HLIB_MAX_NR_ZONES >= zs->nr_zones)
		return 0;
	zone = hlib_gptr(struct zone___hlib,
			 hlib_node_zone(pgdat, i % HLIB_MAX_NR_ZONES));
	start = READ_ONCE(zone->zone_start_pfn);
	zend = start + READ_ONCE(zone->spanned_pages);
	lo = zs->batch > start ? zs->batch : start;
	hi = zs->end < zend ? zs->end : zend;
	if (lo >= hi || hlib_spinlock_is_locked(&zone->lock))
		return 0;
	slot->lo = lo;
	slot->hi = hi;
	slot->start = start;
	slot->found = 1;
	return 1;
}

/* free[] |= the free pfns of range r.  Returns how many words of free[]
 * it found pages in. */
static __always_inline int scan_range(const struct range *r, __u64 batch,
				      __u64 *free)
{
	struct before b = {};
	struct scan s = {};
	int words = 0;

	if (!r->found)
		return 0;
	b.lo = r->lo;
	b.start = r->start;
	hup_loop(HLIB_BUDDY_MAX_ORDER, block_before, &b, 0);
	s.lo = r->lo;
	s.hi = r->hi;
	s.block_end = b.end;
	s.vmemmap = hlib_pfn_to_page(0);
#pragma unroll
	for (unsigned int w = 0; w < FD_WORDS; w++) {
		s.pfn = batch + w * 64;
		s.word = 0;
		hup_loop(64, scan_pfn, &s, 0);
		free[w] |= s.word;
		words += s.word != 0;
	}
	return words;
}

static __always_inline int refuse(void)
{
	/* Built with -DFD_AUDIT (tests only), it answers on a poisoning
	 * guest too, for a host that only audits its answers (hupctl
	 * reclaim ID --audit: every page it calls free must still hold the
	 * poison) and never discards. */
#ifndef FD_AUDIT
	if ((&_page_poisoning_enabled_early &&
	     READ_ONCE(_page_poisoning_enabled_early)) ||
	    (&_page_poisoning_enabled && READ_ONCE(_page_poisoning_enabled))) {
		hup_print("free_discard: page poisoning is on (page_poison=1): "
			  "discarded pages would read as corruption; refusing");
		return 1;
	}
#endif
	if (hlib_buddy_mark() == HLIB_BUDDY_MARK_UNKNOWN) {
		hup_print("free_discard: unknown free-page mark (page_type) "
			  "in this kernel; refusing");
		return 1;
	}
	if (!hlib_spinlock_known()) {
		hup_print("free_discard: unknown spinlock_t layout in this "
			  "kernel; refusing");
		return 1;
	}
	return 0;
}

HUP_RECLAIM("free_discard")
long free_discard(struct hup_reclaim_ctx *ctx)
{
	struct zones zs = {};
	__u64 free[FD_WORDS] = {};
	long rc;

	if (refuse())
		return -FD_EOPNOTSUPP;
	zs.batch = ctx->pfn_start;
	zs.end = zs.batch + (ctx->nr_pfns < HUP_RECLAIM_BATCH
				     ? ctx->nr_pfns : HUP_RECLAIM_BATCH);
	zs.nr_zones = hlib_nr_zones();
	hup_loop(FD_MAX_NODES * HLIB_MAX_NR_ZONES, add_zone, &zs, 0);
	rc = scan_range(&zs.r, zs.batch, free);
#pragma unroll
	for (unsigned int w = 0; w < FD_WORDS; w++)
		ctx->free[w] = free[w];
	return rc; /* >= 0: words with free pages, for the host's log */
}

HUP_LICENSE("GPL");
