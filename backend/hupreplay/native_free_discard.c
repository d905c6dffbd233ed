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
#include "native_port.h"

#include <errno.h>

/* hlib/buddy.h's encodings (enum hlib_buddy_mark). */
enum fd_mark { FD_MARK_UNKNOWN, FD_MARK_V61, FD_MARK_PGTY };

/* The guest kernel layout the decision needs, as numbers (what the
 * program has as CO-RE constants and ksym addresses). */
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

#define FD_MAX_NODES		2u
#define FD_MAX_NR_ZONES		8u /* HLIB_MAX_NR_ZONES */
#define FD_BUDDY_MAX_ORDER	10 /* HLIB_BUDDY_MAX_ORDER */
#define FD_WORDS		(HUP_RECLAIM_BATCH / 64)
#define FD_STRUCT_PAGE		64u /* HLIB_STRUCT_PAGE_SIZE without vmlinux.h */
#define FD_PAGE_TYPE_BASE_V61	0xf0000000u
#define FD_PG_BUDDY_V61		0x00000080u
#define FD_RT_MUTEX_HAS_WAITERS 1ul

#define READ NATIVE_READ

/* hlib_buddy_order */
static inline int buddy_order(const struct fd_layout *l,
			      const struct native_view *v, uint64_t vmemmap,
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
			      const struct native_view *v, uint64_t lock)
{
	if (l->spin_q)
		return READ(v, uint32_t, lock + l->q_val) != 0;
	if (!l->spin_rt)
		return 1;
	return READ(v, uint32_t, lock + l->rt_wait) != 0 ||
	       READ(v, uint64_t, lock + l->rt_owner) != 0;
}

/* hlib_node_data */
static uint64_t node_data(const struct fd_layout *l,
			  const struct native_view *v, unsigned int nid)
{
	if (l->node_data)
		return READ(v, uint64_t, l->node_data + nid * 8ull);
	if (!nid && l->contig_page_data)
		return l->contig_page_data;
	return 0;
}

/* The sample's refuse(): page poisoning, or a layout it does not know. */
static int refuse(const struct fd_layout *l, const struct native_view *v)
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
static void find_zone(const struct fd_layout *l, const struct native_view *v,
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
static uint64_t block_before(const struct fd_layout *l,
			     const struct native_view *v, uint64_t vmemmap,
			     uint64_t lo, uint64_t start)
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

/* One batch: ctx->free set, >= 0 (words with free pages) or -errno. */
static long fd_decide(const struct fd_layout *l, const struct native_view *v,
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

/* hlib_buddy_mark, hlib_spinlock_known and the offsets the port reads. */
static int core_layout(struct native_setup *c, struct fd_layout *l)
{
	uint64_t v = 0;
	int e;

	if (!native__exists(c, "page___hlib", false, "0:1",
			    BPF_CORE_FIELD_EXISTS))
		l->mark = FD_MARK_UNKNOWN;
	else if (native__exists(c, "pagetype___hlib", true, "0",
				BPF_CORE_ENUMVAL_EXISTS))
		l->mark = FD_MARK_PGTY;
	else if (!native__exists(c, "pagetype___hlib", true, "0",
				 BPF_CORE_TYPE_EXISTS))
		l->mark = FD_MARK_V61;
	else
		l->mark = FD_MARK_UNKNOWN;
	if (l->mark == FD_MARK_PGTY) {
		e = native__core(c, "pagetype___hlib", true, "0",
				 BPF_CORE_ENUMVAL_VALUE, &v);
		if (e)
			return e;
		l->pgty_buddy = (uint32_t)v;
	}
	if (l->mark != FD_MARK_UNKNOWN &&
	    ((e = native__core_u32(c, "page___hlib", "0:0",
				   BPF_CORE_FIELD_BYTE_OFFSET,
				   &l->page_private)) ||
	     (e = native__core_u32(c, "page___hlib", "0:1",
				   BPF_CORE_FIELD_BYTE_OFFSET, &l->page_type))))
		return e;
	l->spin_q = native__exists(c, "spinlock___hlib", false, "0:0",
				   BPF_CORE_FIELD_EXISTS);
	l->spin_rt =
	    !l->spin_q && native__exists(c, "spinlock___hlib_rt", false, "0:0",
					 BPF_CORE_FIELD_EXISTS);
	if (l->spin_q &&
	    (e = native__core_u32(c, "spinlock___hlib", "0:0:0",
				  BPF_CORE_FIELD_BYTE_OFFSET, &l->q_val)))
		return e;
	if (l->spin_rt &&
	    ((e = native__core_u32(c, "spinlock___hlib_rt", "0:0:0:0",
				   BPF_CORE_FIELD_BYTE_OFFSET, &l->rt_wait)) ||
	     (e = native__core_u32(c, "spinlock___hlib_rt", "0:0:1",
				   BPF_CORE_FIELD_BYTE_OFFSET, &l->rt_owner))))
		return e;
	if ((e = native__core_u32(c, "zone___hlib", "0:0",
				  BPF_CORE_FIELD_BYTE_OFFSET, &l->zone_lock)) ||
	    (e = native__core_u32(c, "zone___hlib", "0:1",
				  BPF_CORE_FIELD_BYTE_OFFSET,
				  &l->zone_start_pfn)) ||
	    (e = native__core_u32(c, "zone___hlib", "0:2",
				  BPF_CORE_FIELD_BYTE_OFFSET,
				  &l->zone_spanned)) ||
	    (e = native__core_u32(c, "zone___hlib", "0", BPF_CORE_TYPE_SIZE,
				  &l->zone_size)) ||
	    (e = native__core_u32(c, "pglist_data___hlib", "0:0",
				  BPF_CORE_FIELD_BYTE_OFFSET, &l->node_zones)))
		return e;
	e = native__core(c, "zone_type___hlib", true, "0",
			 BPF_CORE_ENUMVAL_VALUE, &v);
	if (e)
		return e == -ENOENT ? native__fail(c, e,
						   "the kernel has no "
						   "__MAX_NR_ZONES")
				    : e;
	l->nr_zones = (uint32_t)v;
	return 0;
}

static int fd_setup(struct native_setup *c, void *state)
{
	struct fd_layout *l = state;

	l->vmemmap_base = native__ksym(c, "vmemmap_base");
	l->node_data = native__ksym(c, "node_data");
	l->contig_page_data = native__ksym(c, "contig_page_data");
	l->poison_early = native__ksym(c, "_page_poisoning_enabled_early");
	l->poison_key = native__ksym(c, "_page_poisoning_enabled");
	if (!l->vmemmap_base)
		return native__fail(c, -EINVAL,
				    "the program has no vmemmap_base");
	return core_layout(c, l);
}

static uint64_t fd_run(const void *state, const struct native_view *v,
		       void *ctx, const struct hup_run_env *env)
{
	(void)env;
	return (uint64_t)fd_decide(state, v, ctx);
}

const struct native_port native_free_discard = {
    .prog = "free_discard",
    .event = HUP_EVENT_RECLAIM,
    .ctx_size = sizeof(struct hup_reclaim_ctx),
    .state_size = sizeof(struct fd_layout),
    .setup = fd_setup,
    .run = fd_run,
};
