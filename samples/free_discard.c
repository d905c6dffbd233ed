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
 *   - in a zone whose lock it could take (hlib_spinlock_trylock: a
 *     qspinlock, or PREEMPT_RT's rt_mutex), released before it returns; a
 *     zone whose lock a stopped vCPU holds is skipped;
 *   - nothing on per-CPU lists, offline, reserved or outside the zones (no
 *     buddy mark there).
 * It refuses (-EOPNOTSUPP, with a line in the host log) to run on a guest
 * whose free pages must keep their contents: page poisoning on (page_poison=1:
 * the allocator checks a pattern in every free page it hands out, and a
 * page the host discarded reads as zeros), or a kernel whose buddy mark or
 * spinlock_t layout it does not know.
 *
 *	hupcc samples/free_discard.c -o free_discard.o
 *	hupload --window kernel --window direct:rw --window vmemmap \
 *		free_discard.o                                  # in the guest
 *	hupctl reclaim ID                                       # on the host
 */
#include <hyperupcall.h>
#include <hlib/hlib.h>
#include <hlib/buddy.h>

/* Nodes looked at (Debian's guests on hupvm have one; pages of further
 * nodes are simply not reported). */
#define FD_MAX_NODES 4u
#define FD_EOPNOTSUPP 95

/* page_poison=1 (CONFIG_PAGE_POISONING): the early flag and the static key
 * the allocator tests; absent (0) in kernels built without it. */
extern _Bool _page_poisoning_enabled_early __ksym __weak;
extern int _page_poisoning_enabled __ksym __weak; /* static_key.enabled */

/* The scan is one bounded loop (hup_loop) of steps over the batch: a step
 * either enters the next zone overlapping the batch (taking its lock,
 * after releasing the previous one's) or looks at one page of the current
 * zone, taking a whole free block at once. */
#define FD_ZONES (FD_MAX_NODES * HLIB_MAX_NR_ZONES)
#define FD_STEPS (HUP_RECLAIM_BATCH + FD_ZONES + 1)

struct scan {
	__u64 batch;    /* pfn of bit 0 */
	__u64 end;      /* batch + nr_pfns */
	__u64 pos;      /* next pfn to look at in the current zone */
	__u64 hi;       /* end of the current zone's part of the batch */
	__u64 zone;     /* guest address of the current zone, 0 if none */
	__u64 locked;   /* guest address of the zone lock held, 0 if none */
	__u32 next;     /* next zone index: node * HLIB_MAX_NR_ZONES + zone */
	__u32 nr_zones; /* hlib_nr_zones() */
	int mark;       /* hlib_buddy_mark() */
	__u64 free[HUP_RECLAIM_BATCH / 64];
};

/* Bits [a, b) of the batch (0 <= a <= b <= HUP_RECLAIM_BATCH). */
static __always_inline void mark_free(struct scan *s, __u64 a, __u64 b)
{
#pragma unroll
	for (unsigned int w = 0; w < HUP_RECLAIM_BATCH / 64; w++) {
		__u64 lo = a > w * 64 ? a : w * 64;
		__u64 hi = b < w * 64 + 64 ? b : w * 64 + 64;
		__u64 n = hi - lo;

		if (lo >= hi)
			continue;
		s->free[w] |= (n == 64 ? ~0ull : (1ull << n) - 1)
			      << (lo - w * 64);
	}
}

/* Pages [from, end) are free: mark the part below s->hi, go on at end. */
static __always_inline void take(struct scan *s, __u64 from, __u64 end)
{
	mark_free(s, from - s->batch, (end < s->hi ? end : s->hi) - s->batch);
	s->pos = end;
}

static __always_inline void release(struct scan *s)
{
	if (s->locked)
		hlib_spinlock_unlock(hlib_gptr(void, s->locked));
	s->locked = 0;
}

/* Enters zone index s->next if it overlaps the batch and its lock can be
 * taken; then looks for the free block that holds the first pfn with its
 * head before it (a block of order o is aligned to 2^o pfns). */
static __always_inline void enter_zone(struct scan *s)
{
	__u32 k = s->next++;
	__u64 pgdat = hlib_node_data(k / HLIB_MAX_NR_ZONES);
	struct zone___hlib *zone;
	__u64 start, end, lo, hi, head_end = 0;

	release(s);
	s->pos = s->hi = 0;
	if (!pgdat || k % HLIB_MAX_NR_ZONES >= s->nr_zones)
		return;
	zone = hlib_gptr(struct zone___hlib,
			 hlib_node_zone(pgdat, k % HLIB_MAX_NR_ZONES));
	start = READ_ONCE(zone->zone_start_pfn);
	end = start + READ_ONCE(zone->spanned_pages);
	lo = s->batch > start ? s->batch : start;
	hi = s->end < end ? s->end : end;
	if (lo >= hi || !hlib_spinlock_trylock(&zone->lock))
		return;
	s->locked = (__u64)(unsigned long)&zone->lock;
	s->pos = lo;
	s->hi = hi;
#pragma unroll
	for (unsigned int o = 1; o <= HLIB_BUDDY_MAX_ORDER; o++) {
		__u64 head = lo & ~((1ull << o) - 1);

		if (!head_end && head < lo && head >= start &&
		    hlib_buddy_order(head, s->mark) == (int)o)
			head_end = head + (1ull << o);
	}
	if (head_end)
		take(s, lo, head_end);
}

static long scan_step(__u32 i, void *data)
{
	struct scan *s = data;
	__u64 pos = s->pos;
	int order;

	(void)i;
	if (pos >= s->hi) {
		if (s->next >= FD_ZONES) {
			release(s);
			return 1;
		}
		enter_zone(s);
		return 0;
	}
	order = hlib_buddy_order(pos, s->mark);
	if (order < 0 || (pos & ((1ull << order) - 1)))
		s->pos = pos + 1;
	else
		take(s, pos, pos + (1ull << order));
	return 0;
}

static __always_inline int refuse(void)
{
	if ((&_page_poisoning_enabled_early &&
	     READ_ONCE(_page_poisoning_enabled_early)) ||
	    (&_page_poisoning_enabled && READ_ONCE(_page_poisoning_enabled))) {
		hup_print("free_discard: page poisoning is on (page_poison=1): "
			  "discarded pages would read as corruption; refusing");
		return 1;
	}
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
	struct scan s = {};

	if (refuse())
		return -FD_EOPNOTSUPP;
	s.batch = ctx->pfn_start;
	s.end = s.batch + (ctx->nr_pfns < HUP_RECLAIM_BATCH ? ctx->nr_pfns
							    : HUP_RECLAIM_BATCH);
	s.nr_zones = hlib_nr_zones();
	s.mark = hlib_buddy_mark();
	hup_loop(FD_STEPS, scan_step, &s, 0);
	/* Every lock is released, even if the steps ran out. */
	release(&s);
#pragma unroll
	for (unsigned int w = 0; w < HUP_RECLAIM_BATCH / 64; w++)
		ctx->free[w] = s.free[w];
	return 0;
}

HUP_LICENSE("GPL");
