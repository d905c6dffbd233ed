/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/mm.h: guest physical/virtual/pfn/struct page conversions on x86-64,
 * with the guest's KASLR bases read from its kernel variables (__ksym):
 * page_offset_base (the direct map), vmemmap_base (the struct page array)
 * and phys_base (where the kernel image was loaded).
 *
 * Addresses are __u64 guest virtual addresses; hlib_gptr() makes a guest
 * pointer of one.  struct page is 64 bytes in every x86-64 kernel Debian
 * ships; with vmlinux.h included its size comes from BTF (CO-RE) instead.
 */
#ifndef HLIB_MM_H
#define HLIB_MM_H

#include <hlib/core.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ul << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define __START_KERNEL_map 0xffffffff80000000ul

extern unsigned long page_offset_base __ksym;
extern unsigned long vmemmap_base __ksym;
extern unsigned long phys_base __ksym;

#ifdef __VMLINUX_H__
#define HLIB_STRUCT_PAGE_SIZE                                                \
	((unsigned long)__builtin_preserve_type_info(*(struct page *)0, 1))
#else
#define HLIB_STRUCT_PAGE_SIZE 64ul
#endif

#define hlib_gptr(type, gva) HUP_GPTR(type, gva)

/* Direct map: guest physical <-> guest virtual. */
static __always_inline __u64 hlib_va(__u64 pa)
{
	return pa + READ_ONCE(page_offset_base);
}

/* Physical address of a direct-map or kernel-image address. */
static __always_inline __u64 hlib_pa(__u64 va)
{
	if (va >= __START_KERNEL_map)
		return va - __START_KERNEL_map + READ_ONCE(phys_base);
	return va - READ_ONCE(page_offset_base);
}

#define hlib_pfn_to_phys(pfn) ((__u64)(pfn) << PAGE_SHIFT)
#define hlib_phys_to_pfn(pa) ((__u64)(pa) >> PAGE_SHIFT)
#define hlib_virt_to_pfn(va) hlib_phys_to_pfn(hlib_pa(va))
#define hlib_pfn_to_virt(pfn) hlib_va(hlib_pfn_to_phys(pfn))

/* Address of the struct page of pfn, and back. */
static __always_inline __u64 hlib_pfn_to_page(__u64 pfn)
{
	return READ_ONCE(vmemmap_base) + pfn * HLIB_STRUCT_PAGE_SIZE;
}

static __always_inline __u64 hlib_page_to_pfn(__u64 page)
{
	return (page - READ_ONCE(vmemmap_base)) / HLIB_STRUCT_PAGE_SIZE;
}

#ifdef __VMLINUX_H__
/* The kernel's names, with struct page pointers. */
#define pfn_to_page(pfn) hlib_gptr(struct page, hlib_pfn_to_page(pfn))
#define page_to_pfn(page) hlib_page_to_pfn((__u64)(unsigned long)(page))
#define __va(pa) ((void *)(unsigned long)hlib_va(pa))
#define __pa(va) hlib_pa((__u64)(unsigned long)(va))
#define virt_to_page(va) pfn_to_page(hlib_virt_to_pfn((__u64)(unsigned long)(va)))
#define page_to_virt(page) __va(hlib_pfn_to_phys(page_to_pfn(page)))
#endif

#endif /* HLIB_MM_H */
