// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/free_discard.c ported by hand to native C (native.h says why
 * not the same source): the same steps in the same order, with
 * hlib/buddy.h's and hlib/spinlock.h's helpers inlined below under their
 * hlib names, reading and writing guest memory at view base + (gva &
 * mask), as the guest-pointer pass makes the program do.  Any change to
 * the sample's decision must be made here too; the unit test
 * replay_native_fake checks both give the same pages on one snapshot.
 * Compiled -O2 (CMakeLists.txt).
 */
#include "native_fd.h"

#include <errno.h>

#define FD_MAX_NODES		2u
#define FD_MAX_NR_ZONES		8u /* HLIB_MAX_NR_ZONES */
#define FD_BUDDY_MAX_ORDER	10 /* HLIB_BUDDY_MAX_ORDER */
#define FD_WORDS		(HUP_RECLAIM_BATCH / 64)
#define FD_STRUCT_PAGE		64u /* HLIB_STRUCT_PAGE_SIZE without vmlinux.h */
#define FD_PAGE_TYPE_BASE_V61	0xf0000000u
#define FD_PG_BUDDY_V61		0x00000080u
#define FD_RT_MUTEX_HAS_WAITERS 1ul

/* A guest address as a host pointer in the view (HUP_GPTR). */
static inline void *gp(const struct fd_view *v, uint64_t gva)
{
	return v->base + (gva & v->mask);
}

#define READ(v, type, gva) (*(const volatile type *)gp(v, gva))

/* hlib_buddy_order */
static inline int buddy_order(const struct fd_layout *l,
			      const struct fd_view *v, uint64_t vmemmap,
			      uint64_t pfn)
{
	uint64_t page = vmemmap + pfn * FD_STRUCT_PAGE;
	uint32_t type;
	uint64_t order;
	int buddy;

	if (l->mark == FD_MARK_UNKNOWN)
		return -1;
	type = READ(v, uint32_t, page + l->page_type);
	if (l->mark == FD_MARK_PGTY)
		buddy = type >> 24 == l->pgty_buddy;
	else
		buddy = (type & (FD_PAGE_TYPE_BASE_V61 | FD_PG_BUDDY_V61)) ==
			FD_PAGE_TYPE_BASE_V61;
	if (!buddy)
		return -1;
	order = READ(v, uint64_t, page + l->page_private);
	return order <= FD_BUDDY_MAX_ORDER ? (int)order : -1;
}

/* hlib_spinlock_is_locked: the lock words are only read */
static int spinlock_is_locked(const struct fd_layout *l,
			      const struct fd_view *v, uint64_t lock)
{
	if (l->spin_q)
		return READ(v, uint32_t, lock + l->q_val) != 0;
	if (!l->spin_rt)
		return 1;
	return READ(v, uint32_t, lock + l->rt_wait) != 0 ||
	       READ(v, uint64_t, lock + l->rt_owner) != 0;
}

/* hlib_node_data */
static uint64_t node_data(const struct fd_layout *l, const struct fd_view *v,
			  unsigned int nid)
{
	if (l->node_data)
		return READ(v, uint64_t, l->node_data + nid * 8ull);
	if (!nid && l->contig_page_data)
		return l->contig_page_data;
	return 0;
}

/* The sample's refuse(): page poisoning, or a layout it does not know. */
static int refuse(const struct fd_layout *l, const struct fd_view *v)
{
	if ((l->poison_early && READ(v, uint8_t, l->poison_early)) ||
	    (l->poison_key && READ(v, int32_t, l->poison_key)))
		return 1;
	return l->mark == FD_MARK_UNKNOWN || (!l->spin_q && !l->spin_rt);
}

struct range {
	uint64_t lo, hi, start, found;
};

/* add_zone over every node and zone: the first zone overlapping the
 * batch whose lock is free. */
static void find_zone(const struct fd_layout *l, const struct fd_view *v,
		      uint64_t batch, uint64_t end, struct range *r)
{
	unsigned int nr_zones =
	    l->nr_zones < FD_MAX_NR_ZONES ? l->nr_zones : FD_MAX_NR_ZONES;

	for (unsigned int i = 0; i < FD_MAX_NODES * FD_MAX_NR_ZONES; i++) {
		uint64_t pgdat = node_data(l, v, i / FD_MAX_NR_ZONES);
		uint64_t zone, start, zend, lo, hi;

		if (!pgdat || i % FD_MAX_NR_ZONES >= nr_zones)
			continue;
		zone = pgdat + l->node_zones +
		       (uint64_t)(i % FD_MAX_NR_ZONES) * l->zone_size;
		start = READ(v, uint64_t, zone + l->zone_start_pfn);
		zend = start + READ(v, uint64_t, zone + l->zone_spanned);
		lo = batch > start ? batch : start;
		hi = end < zend ? end : zend;
		if (lo >= hi || spinlock_is_locked(l, v, zone + l->zone_lock))
			continue;
		*r = (struct range){lo, hi, start, 1};
		return;
	}
}

/* block_before: the end of a free block holding lo whose head lies
 * before it (in the zone), 0 if none. */
static uint64_t block_before(const struct fd_layout *l, const struct fd_view *v,
			     uint64_t vmemmap, uint64_t lo, uint64_t start)
{
	for (int o = 1; o <= FD_BUDDY_MAX_ORDER; o++) {
		uint64_t head = lo & ~((1ull << o) - 1);

		if (head == lo || head < start)
			continue;
		if (buddy_order(l, v, vmemmap, head) == o)
			return head + (1ull << o);
	}
	return 0;
}

long fd_decide(const struct fd_layout *l, const struct fd_view *v,
	       struct hup_reclaim_ctx *ctx)
{
	uint64_t free[FD_WORDS] = {0}, batch, end, vmemmap, block_end;
	struct range r = {0, 0, 0, 0};
	long words = 0;

	if (refuse(l, v))
		return -EOPNOTSUPP;
	batch = ctx->pfn_start;
	end = batch + (ctx->nr_pfns < HUP_RECLAIM_BATCH ? ctx->nr_pfns
							: HUP_RECLAIM_BATCH);
	find_zone(l, v, batch, end, &r);
	if (r.found) {
		/* read once per batch: the guest is stopped */
		vmemmap = READ(v, uint64_t, l->vmemmap_base);
		block_end = block_before(l, v, vmemmap, r.lo, r.start);
		for (unsigned int w = 0; w < FD_WORDS; w++) {
			uint64_t word = 0;

			for (unsigned int i = 0; i < 64; i++) {
				uint64_t pfn = batch + w * 64 + i;
				int order;

				if (pfn < r.lo || pfn >= r.hi)
					continue;
				if (pfn >= block_end) {
					order = buddy_order(l, v, vmemmap, pfn);
					if (order < 0 ||
					    (pfn & ((1ull << order) - 1)))
						continue;
					block_end = pfn + (1ull << order);
				}
				word |= 1ull << i;
			}
			free[w] |= word;
			words += word != 0;
		}
	}
	for (unsigned int w = 0; w < FD_WORDS; w++)
		ctx->free[w] = free[w];
	return words;
}
