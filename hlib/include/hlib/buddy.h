/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/buddy.h: the guest's page allocator as the host reads it: which
 * pages head a free buddy block and of what order, and the zones of a node
 * with their locks.
 *
 * A free block of order k is 2^k pages, aligned to 2^k pfns, never across
 * a zone boundary; its head page carries the buddy mark and its order in
 * page->private (the kernel's set_buddy_order()); its other pages carry
 * nothing.  The mark's encoding changed, and CO-RE tells which one runs:
 *   - enum pagetype has PGTY_buddy (6.12): the top byte of page_type is
 *     PGTY_buddy;
 *   - no enum pagetype at all (6.1): page_type has PAGE_TYPE_BASE
 *     (0xf0000000) set and PG_buddy (0x80) clear;
 *   - anything else (6.9 and 6.10 have an enum pagetype without
 *     PGTY_buddy, a different encoding): unknown, and nothing is free.
 * Zones are found through node_data[] (NUMA kernels, all Debian ships) or
 * contig_page_data, both weak: the one the kernel lacks reads as 0.
 *
 * Only with every vCPU of the guest stopped (reclaim runs so) is what these
 * read a consistent picture; the zone lock (hlib_spinlock_trylock) keeps
 * out a guest CPU that is inside the allocator.
 */
#ifndef HLIB_BUDDY_H
#define HLIB_BUDDY_H

#include <hlib/core.h>
#include <hlib/mm.h>
#include <hlib/spinlock.h>

/* The largest order a free block has on x86-64 in every kernel Debian
 * ships (6.1: MAX_ORDER 11, orders 0-10; 6.12: MAX_PAGE_ORDER 10).  A page
 * claiming more is not believed. */
#define HLIB_BUDDY_MAX_ORDER 10u
/* Zones of a node hlib looks at (enum zone_type has 5 in Debian's). */
#define HLIB_MAX_NR_ZONES 8u

#define HLIB_PAGE_TYPE_BASE_V61 0xf0000000u
#define HLIB_PG_BUDDY_V61 0x00000080u

enum hlib_buddy_mark {
	HLIB_BUDDY_MARK_UNKNOWN = 0,
	HLIB_BUDDY_MARK_V61,  /* PAGE_TYPE_BASE with PG_buddy clear */
	HLIB_BUDDY_MARK_PGTY, /* page_type >> 24 == PGTY_buddy */
};

struct page___hlib {
	unsigned long private;
	unsigned int page_type;
} __hup_core;

enum pagetype___hlib { PGTY_buddy___hlib = 0xf0 };
enum zone_type___hlib { __MAX_NR_ZONES___hlib = 5 };

struct zone___hlib {
	struct spinlock___hlib lock;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
} __hup_core;

struct pglist_data___hlib {
	struct zone___hlib node_zones[1]; /* stride: hup_core_type_size() */
} __hup_core;

extern struct pglist_data___hlib *node_data[] __ksym __weak;
extern struct pglist_data___hlib contig_page_data __ksym __weak;

/* Which buddy mark this kernel uses (enum hlib_buddy_mark). */
static __always_inline int hlib_buddy_mark(void)
{
	if (!hup_core_field_exists(((struct page___hlib *)0)->page_type))
		return HLIB_BUDDY_MARK_UNKNOWN;
	if (hup_core_enum_value_exists(enum pagetype___hlib,
				       PGTY_buddy___hlib))
		return HLIB_BUDDY_MARK_PGTY;
	if (!hup_core_type_exists(enum pagetype___hlib))
		return HLIB_BUDDY_MARK_V61;
	return HLIB_BUDDY_MARK_UNKNOWN;
}

/* The order of the free block whose head's struct page is at guest
 * address page, or -1 if it heads none, its order is not believable, or
 * the mark's encoding is unknown.  The mark is computed here (inlined
 * CO-RE constants), not passed in through memory, so the host verifier
 * sees which branch runs and never reaches the other encoding's
 * unresolved access.  A scan over many pfns reads vmemmap_base once and
 * passes hlib_pfn_to_page()'s sum itself. */
static __always_inline int hlib_buddy_order_at(__u64 page)
{
	struct page___hlib *p = hlib_gptr(struct page___hlib, page);
	int mark = hlib_buddy_mark();
	unsigned long order;
	unsigned int type;
	int buddy;

	if (mark == HLIB_BUDDY_MARK_UNKNOWN)
		return -1;
	type = READ_ONCE(p->page_type);
	if (mark == HLIB_BUDDY_MARK_PGTY)
		buddy = type >> 24 ==
			hup_core_enum_value(enum pagetype___hlib,
					    PGTY_buddy___hlib);
	else
		buddy = (type & (HLIB_PAGE_TYPE_BASE_V61 | HLIB_PG_BUDDY_V61)) ==
			HLIB_PAGE_TYPE_BASE_V61;
	if (!buddy)
		return -1;
	order = READ_ONCE(p->private);
	return order <= HLIB_BUDDY_MAX_ORDER ? (int)order : -1;
}

/* The same for pfn's struct page. */
static __always_inline int hlib_buddy_order(__u64 pfn)
{
	return hlib_buddy_order_at(hlib_pfn_to_page(pfn));
}

/* Guest address of node nid's pg_data_t, 0 if there is none. */
static __always_inline __u64 hlib_node_data(unsigned int nid)
{
	if (&node_data[0])
		return (__u64)(unsigned long)READ_ONCE(node_data[nid]);
	if (!nid && &contig_page_data)
		return (__u64)(unsigned long)&contig_page_data;
	return 0;
}

/* Number of zones per node (enum zone_type's __MAX_NR_ZONES), at most
 * HLIB_MAX_NR_ZONES. */
static __always_inline unsigned int hlib_nr_zones(void)
{
	unsigned int n = hup_core_enum_value(enum zone_type___hlib,
					     __MAX_NR_ZONES___hlib);

	return n < HLIB_MAX_NR_ZONES ? n : HLIB_MAX_NR_ZONES;
}

/* Guest address of zone z of the node at pgdat. */
static __always_inline __u64 hlib_node_zone(__u64 pgdat, unsigned int z)
{
	struct pglist_data___hlib *d =
		hlib_gptr(struct pglist_data___hlib, pgdat);

	return (__u64)(unsigned long)&d->node_zones +
	       (__u64)z * hup_core_type_size(struct zone___hlib);
}

#endif /* HLIB_BUDDY_H */
