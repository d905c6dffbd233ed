/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest kernel layout free_discard's decision needs, as numbers (what
 * the program has as CO-RE constants and ksym addresses), and the
 * decision itself (native_free_discard.c, a port of samples/free_discard.c
 * with hlib/buddy.h and hlib/spinlock.h).
 */
#ifndef HUPREPLAY_NATIVE_FD_H
#define HUPREPLAY_NATIVE_FD_H

#include <stdbool.h>
#include <stdint.h>

#include <hyperupcall/abi.h>

/* hlib/buddy.h's encodings (enum hlib_buddy_mark). */
enum fd_mark { FD_MARK_UNKNOWN, FD_MARK_V61, FD_MARK_PGTY };

struct fd_layout {
	/* guest addresses of the kernel variables (ksyms); 0: absent */
	uint64_t vmemmap_base, node_data, contig_page_data;
	uint64_t poison_early, poison_key;
	/* CO-RE answers */
	enum fd_mark mark;
	uint32_t pgty_buddy;		  /* enum pagetype PGTY_buddy */
	uint32_t page_private, page_type; /* offsets in struct page */
	uint32_t zone_lock, zone_start_pfn, zone_spanned, zone_size;
	uint32_t node_zones;	    /* in pglist_data */
	uint32_t nr_zones;	    /* __MAX_NR_ZONES, at most 8 */
	bool spin_q, spin_rt;	    /* spinlock_t: qspinlock / rt_mutex */
	uint32_t q_val;		    /* spinlock_t -> its qspinlock word */
	uint32_t rt_wait, rt_owner; /* spinlock_t -> rt_mutex fields */
};

/* The view a port reads guest memory through, as a program does. */
struct fd_view {
	uint8_t *base;
	uint64_t mask;
};

/* One batch: ctx->free set, >= 0 (words with free pages) or -errno. */
long fd_decide(const struct fd_layout *l, const struct fd_view *v,
	       struct hup_reclaim_ctx *ctx);

#endif
