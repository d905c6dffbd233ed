/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The views of one VM's programs (docs/abi.md section 5): each program
 * reaches exactly the guest memory its own windows resolved to, with its
 * own rights, because each gets a libhup view of its own.  Nothing another
 * program maps is in it: a program with no windows faults on every guest
 * access, a read-only window stays read-only whoever else maps the same
 * pages writable.  The access a program makes is unchanged (mask and base
 * are patched into each program at load), so isolation costs nothing per
 * access; it costs host mappings and address space per view, which the
 * limits below bound.
 *
 * Sharing: programs whose windows resolved to exactly the same runs with
 * the same rights share one view (reference counted).  They could reach
 * nothing more through each other's view than through their own, and a
 * guest registering the same broad window for many programs (a tracing
 * pair, or a loop of registrations) costs one set of mappings, not one
 * per program.
 *
 * Size: the smallest view of at least 2^PVIEW_BITS_FIRST bytes, up to the
 * VM's largest, in which no two runs alias (gva & mask overlapping), so
 * that registration never fails for a collision a larger view avoids.
 * Small views keep the address space a VM reserves bounded: 64 programs
 * at 2^44 bytes would need 2^50, more than a 4-level host has.
 *
 * Callers serialize all calls (the backend's writer lock); programs may
 * run concurrently in the views they hold.
 */
#ifndef HUPVM_HYPERUPCALL_PVIEW_H
#define HUPVM_HYPERUPCALL_PVIEW_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <hup/libhup.h>

/* Runs one program's windows may resolve to (each may be a mapping). */
#define PVIEW_MAX_RUNS 16384u
/* The smallest view: a wild guest pointer then lands in a mapped page of
 * a program's windows with a chance of (mapped bytes / 4 GiB) rather than
 * (mapped bytes / 1 MiB): most of them still fault. */
#define PVIEW_BITS_FIRST 32u
/* Host mappings (VMAs) in all the views of one VM, counted as 2 per run
 * plus the reservation (a run mapped inside the PROT_NONE reservation
 * splits it): 60 % of Linux's default vm.max_map_count (65,530), the rest
 * left to the VMM (guest RAM, thread stacks, JIT pages, large
 * allocations).  One program at PVIEW_MAX_RUNS fits. */
#define PVIEW_MAX_MAPS 40000u
/* The VMAs one view of nr runs may take. */
#define PVIEW_MAPS(nr) (2 * (size_t)(nr) + 1)
/* Address space reserved for all the views of one VM (64 TiB of the
 * 128 TiB a 4-level-paging host gives a process). */
#define PVIEW_MAX_VA (1ull << 46)

/* One run to map: guest virtual [gva, gva + len) is the memfd's
 * [off, off + len), with HUP_WIN_* rights. */
struct pview_claim {
	uint64_t gva, off, len;
	uint32_t prot;
};

/* What a view maps, at view offsets, sorted and merged. */
struct pview_run {
	uint64_t voff, len, off;
	uint32_t prot, reserved;
};

struct pview {
	struct pview *next;
	struct hup_view *view;
	unsigned int refs; /* programs holding it */
	unsigned int bits;
	uint64_t hash;
	struct pview_run *runs;
	size_t nr;
	uint64_t bytes; /* mapped */
};

struct pviews {
	int fd; /* guest RAM memfd */
	unsigned int max_bits;
	struct pview *head;
	/* Changed by the one writer; atomic so that the control plane's
	 * stats may read them without its lock. */
	_Atomic size_t nr_views;
	_Atomic size_t maps; /* host mappings, all views (PVIEW_MAPS) */
	_Atomic uint64_t va; /* bytes reserved, all views (guards included) */
	/* Runs sorted, compared and mapped, summed: the work registrations
	 * cost, which the unit tests bound (a count holds on a loaded
	 * machine where a time does not). */
	uint64_t steps;
};

/* max_bits: the largest view a program may get (HUP_VIEW_BITS_MIN to
 * HUP_VIEW_BITS_MAX). */
void pviews__init(struct pviews *pv, int fd, unsigned int max_bits);
/* Every view must have been put. */
void pviews__exit(struct pviews *pv);

/*
 * A view mapping exactly claims c[0..n) (n may be 0: a view with nothing
 * mapped, for a program whose windows are all holes or that has none),
 * shared with the programs that already hold the same one.  0 with *out,
 * -EADDRNOTAVAIL if two claims alias even in the largest view (or overlap
 * with different pages or rights), -E2BIG past PVIEW_MAX_RUNS, -ENOSPC past
 * PVIEW_MAX_MAPS or PVIEW_MAX_VA, -ENOMEM, or the view's error; nothing is
 * left behind on failure.
 */
int pviews__get(struct pviews *pv, const struct pview_claim *c, size_t n,
		struct pview **out);
/* Drop one holder; the last unmaps and frees the view.  NULL is a no-op. */
void pviews__put(struct pviews *pv, struct pview *v);

#endif
