/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/pgtable.h: a 4-level x86-64 page-table walk through the guest's
 * direct map, as the MMU does it: PGD (CR3) -> PUD -> PMD -> PTE, with 1 GiB
 * and 2 MiB pages.  Four loads, no loop.  The tables are read through
 * page_offset_base, so the direct-map window must cover them.
 *
 *	__u64 pa;
 *	if (!hlib_walk(hup_vcpu_reg(HUP_REG_CR3), gva, &pa)) ...
 */
#ifndef HLIB_PGTABLE_H
#define HLIB_PGTABLE_H

#include <hlib/mm.h>

#define _PAGE_PRESENT (1ul << 0)
#define _PAGE_RW (1ul << 1)
#define _PAGE_USER (1ul << 2)
#define _PAGE_PSE (1ul << 7)
#define _PAGE_NX (1ul << 63)
#define PTE_PFN_MASK 0x000ffffffffff000ul

#define PGDIR_SHIFT 39
#define PUD_SHIFT 30
#define PMD_SHIFT 21
#define PTRS_PER_TABLE 512

#define HLIB_ENOTMAPPED 14 /* HUP_EFAULT */

/* The entry at index of the table at physical address table_pa. */
static __always_inline __u64 hlib_pt_entry(__u64 table_pa, __u64 index)
{
	const __u64 *table = hlib_gptr(const __u64,
				       hlib_va(table_pa & PTE_PFN_MASK));

	return READ_ONCE(table[index & (PTRS_PER_TABLE - 1)]);
}

/*
 * Translate guest virtual va with the page tables at cr3.  0 with *pa set,
 * or -HLIB_ENOTMAPPED if va is not mapped.  *leaf_entry (if not NULL)
 * receives the last entry, for its permission bits.
 */
static __always_inline int hlib_walk_entry(__u64 cr3, __u64 va, __u64 *pa,
					   __u64 *leaf_entry)
{
	__u64 e;

	e = hlib_pt_entry(cr3, va >> PGDIR_SHIFT);
	if (!(e & _PAGE_PRESENT))
		return -HLIB_ENOTMAPPED;
	e = hlib_pt_entry(e, va >> PUD_SHIFT);
	if (!(e & _PAGE_PRESENT))
		return -HLIB_ENOTMAPPED;
	if (e & _PAGE_PSE) { /* 1 GiB page */
		*pa = (e & PTE_PFN_MASK & ~((1ul << PUD_SHIFT) - 1)) |
		      (va & ((1ul << PUD_SHIFT) - 1));
		goto out;
	}
	e = hlib_pt_entry(e, va >> PMD_SHIFT);
	if (!(e & _PAGE_PRESENT))
		return -HLIB_ENOTMAPPED;
	if (e & _PAGE_PSE) { /* 2 MiB page */
		*pa = (e & PTE_PFN_MASK & ~((1ul << PMD_SHIFT) - 1)) |
		      (va & ((1ul << PMD_SHIFT) - 1));
		goto out;
	}
	e = hlib_pt_entry(e, va >> PAGE_SHIFT);
	if (!(e & _PAGE_PRESENT))
		return -HLIB_ENOTMAPPED;
	*pa = (e & PTE_PFN_MASK) | (va & ~PAGE_MASK);
out:
	if (leaf_entry)
		*leaf_entry = e;
	return 0;
}

#define hlib_walk(cr3, va, pa) hlib_walk_entry(cr3, va, pa, NULL)

#endif /* HLIB_PGTABLE_H */
