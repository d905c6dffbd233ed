/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest page-table walker: resolves guest-virtual ranges to runs of
 * guest RAM by reading x86-64 4-level (or, with CR4.LA57, 5-level) page
 * tables out of guest memory, starting at a vCPU's CR3.  Pure: it reads
 * guest RAM only through mem.h's bounds-checked translation, so the unit
 * tests and the fuzz target feed it synthetic tables in a memfd.
 *
 * Hardware facts it follows (SDM vol. 3, 4.5): entry bit 0 is Present; bit
 * 7 (PS) makes a PDPTE map a 1 GiB page and a PDE a 2 MiB page (PS is
 * reserved in PML4Es and PML5Es: such an entry is treated as a hole);
 * bits 51:12 hold the next table or frame (bits below the page size are
 * flags, e.g. PAT at bit 12 of a large-page entry); CR3 bits 11:0 are PCID
 * or flags.  Addresses must be canonical (sign-extended from bit 47, or 56
 * with LA57): the non-canonical middle of a range is a hole.
 *
 * Everything the guest controls is bounded: each table read goes through
 * mem__gpa_to_hva (a table outside RAM makes a hole), recursion is at most
 * five levels deep, and `budget` caps the number of entries read, so a
 * hostile self-referencing table cannot make the host walk 2^35 pages.
 * Frames outside RAM (MMIO, the 3-4 GiB hole) are holes too.
 */
#ifndef HUPVM_HYPERUPCALL_PTWALK_H
#define HUPVM_HYPERUPCALL_PTWALK_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"

#define PTW_ADDR_MASK 0x000ffffffffff000ull
#define PTW_PRESENT (1ull << 0)
#define PTW_WRITE (1ull << 1)
#define PTW_PS (1ull << 7)

struct ptw_root {
	uint64_t cr3;
	bool la57; /* CR4.LA57: five levels */
};

struct ptw_stats {
	uint64_t entries;       /* page-table entries read */
	uint64_t present_bytes; /* bytes resolved to RAM */
	uint64_t hole_bytes;    /* bytes not present, not canonical, not RAM */
	uint64_t bad_tables;    /* table pointers outside RAM */
	uint64_t runs;          /* runs handed to the callback */
};

/*
 * One run: [gva, gva + len) maps guest RAM [gpa, gpa + len), which is
 * [off, off + len) of the memfd.  Runs are page aligned, maximal (adjacent
 * pages contiguous in both gpa and memfd offset are coalesced) and come in
 * ascending gva order.  A non-zero return stops the walk and is returned.
 */
typedef int (*ptw_run_fn)(void *opaque, uint64_t gva, uint64_t gpa,
			  uint64_t off, uint64_t len);

/*
 * Walk [gva, gva + size) (page aligned, size > 0, not wrapping).  Returns
 * 0, -EINVAL on bad arguments, -E2BIG when more than budget entries would
 * be read, or the callback's return.  st may be NULL.
 */
int ptw__walk(const struct mem *m, const struct ptw_root *root, uint64_t gva,
	      uint64_t size, uint64_t budget, ptw_run_fn fn, void *opaque,
	      struct ptw_stats *st);

/* One address: 0 with *gpa, or -ENOENT (hole) / -EINVAL (non-canonical). */
int ptw__translate(const struct mem *m, const struct ptw_root *root,
		   uint64_t gva, uint64_t *gpa);

#endif
