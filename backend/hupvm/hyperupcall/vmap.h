/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM's view map: which guest RAM each program's windows put where in
 * the VM's single libhup view, shared between programs.
 *
 * Every program's windows are resolved to runs (ptwalk.h) and mapped into
 * one view at view offset gva & mask.  Two programs commonly declare the
 * same memory (the direct map, one trace buffer), so a view page may be
 * claimed by several programs: that is allowed when every claim maps the
 * same memfd page with the same rights (the page is then mapped once and
 * stays mapped while any claim remains), and refused with -EADDRNOTAVAIL
 * otherwise (a different guest page, e.g. the same user address in another
 * process, or windows of one program that alias modulo the view size).
 *
 * A set is one program's claims.  vmap__add maps the part of a run no
 * committed set (and no earlier run of the same set) maps yet; vmap__commit
 * makes the set visible to later registrations; vmap__release drops a set
 * (committed or not, e.g. rolling back a failed registration) and unmaps
 * every page no remaining set claims.  Callers serialize all calls (the
 * backend's writer lock); programs may run concurrently: a page stays
 * mapped as long as a live program claims it.
 *
 * Cost: all claims of all sets are kept in one ordered map of segments
 * (maximal ranges of the view with one memfd offset, one set of rights
 * and one count of the claims covering them), so a run is checked and
 * counted in O(log S + k) for S segments of which k overlap it, whatever
 * the other sets hold: 40 programs claiming the same 16,384 runs cost
 * each what the first did (docs/bench-vmap.md).  A set still keeps its
 * own runs: release walks them.
 */
#ifndef HUPVM_HYPERUPCALL_VMAP_H
#define HUPVM_HYPERUPCALL_VMAP_H

#include <stddef.h>
#include <stdint.h>

#include <hup/libhup.h>

/* Limits on what one registration may create (host resources). */
#define VMAP_MAX_RUNS_PER_SET 16384u

struct vmap_run {
	uint64_t voff; /* view offset (gva & mask), page aligned */
	uint64_t len;
	uint64_t off; /* memfd offset */
	uint32_t prot;
};

struct vmap_set {
	struct vmap_run *runs;
	size_t nr, cap;
	uint64_t bytes; /* sum of run lengths */
	int committed;
};

struct vmap_seg; /* vmap.c */

struct vmap {
	struct hup_view *view;
	int fd; /* guest RAM memfd */
	struct vmap_seg *root; /* every claim, by view offset (a treap) */
	size_t nr_segs;
	size_t nr_sets; /* committed */
	uint64_t rnd;	/* the treap's priorities */
	/* Segments visited by add and release, summed: the work a
	 * registration costs, which the unit tests bound (a count, not a
	 * time, so the bound holds on a loaded machine). */
	uint64_t steps;
};

void vmap__init(struct vmap *vm, struct hup_view *view, int fd);
void vmap__exit(struct vmap *vm);
/*
 * Claim [gva, gva + len) -> memfd [off, off + len) with prot for set
 * (split where it wraps the top of the view).  0, -EADDRNOTAVAIL on a
 * conflicting claim, -E2BIG past VMAP_MAX_RUNS_PER_SET, -ENOMEM, or the
 * view's error.
 */
int vmap__add(struct vmap *vm, struct vmap_set *set, uint64_t gva,
	      uint64_t off, uint64_t len, uint32_t prot);
int vmap__commit(struct vmap *vm, struct vmap_set *set);
/* Drop set's claims and free its runs (the set itself is the caller's).
 * Cannot fail: a run whose segments cannot be split for want of memory
 * stays claimed, its pages mapped (never a page another set uses
 * unmapped). */
void vmap__release(struct vmap *vm, struct vmap_set *set);

#endif
