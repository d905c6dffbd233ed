/* SPDX-License-Identifier: BSD-2-Clause */
/* hlib/mm.h: pfn/page/virt/phys conversions through the page_offset_base,
 * vmemmap_base and phys_base ksyms, and reads through their results. */
#include "common.h"

/* arg0 pa, arg1 a direct-map va, arg2 a kernel-image va, arg3 pfn.
 * Output: every conversion (hlib_ names). */
HUP_QUERY()
long conv(struct hup_query_ctx *c)
{
	__u64 out[9];

	out[0] = hlib_va(c->arg[0]);
	out[1] = hlib_pa(c->arg[1]);
	out[2] = hlib_pa(c->arg[2]);
	out[3] = hlib_pfn_to_phys(c->arg[3]);
	out[4] = hlib_phys_to_pfn(c->arg[0]);
	out[5] = hlib_virt_to_pfn(c->arg[1]);
	out[6] = hlib_pfn_to_virt(c->arg[3]);
	out[7] = hlib_pfn_to_page(c->arg[3]);
	out[8] = hlib_page_to_pfn(hlib_pfn_to_page(c->arg[3]));
	hup_output(out, sizeof(out));
	return 0;
}

/* The first word (flags) of the struct page of pfn arg0, read through the
 * vmemmap; and the u64 at offset arg1 of the pfn's page, through the direct
 * map. */
HUP_QUERY()
long page_word(struct hup_query_ctx *c)
{
	__u64 out[2];

	out[0] = READ_ONCE(*hlib_gptr(__u64, hlib_pfn_to_page(c->arg[0])));
	out[1] = READ_ONCE(*hlib_gptr(__u64, hlib_pfn_to_virt(c->arg[0]) +
					    (c->arg[1] & (PAGE_SIZE - 8))));
	hup_output(out, sizeof(out));
	return 0;
}

#ifdef HLIB_TEST_BTF
/* The kernel's names, with struct page pointers and CO-RE fields: arg0 a
 * pfn, arg1 a direct-map va, arg2 a pa. */
HUP_QUERY()
long kconv(struct hup_query_ctx *c)
{
	struct page *pg = pfn_to_page(c->arg[0]);
	struct page *vp = virt_to_page(c->arg[1]);
	__u64 out[8];

	out[0] = (__u64)(unsigned long)pg;
	out[1] = page_to_pfn(pg);
	out[2] = pg->flags;
	out[3] = (__u64)pg->_refcount.counter;
	out[4] = (__u64)(unsigned long)vp;
	out[5] = (__u64)(unsigned long)page_to_virt(vp);
	out[6] = __pa(G(char, c->arg[1]));
	out[7] = (__u64)(unsigned long)__va(c->arg[2]);
	hup_output(out, sizeof(out));
	return 0;
}
#endif
