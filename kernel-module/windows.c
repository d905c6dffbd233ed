// SPDX-License-Identifier: GPL-2.0
/*
 * Window kinds to guest-virtual ranges.  Userspace asks for "the direct
 * map", "the kernel image" ...; only the kernel knows where KASLR put them.
 * The host resolves each range through this vCPU's page tables at
 * registration (abi.h, struct hup_window), so every range is page aligned
 * and lies in the kernel's own mappings:
 *
 *   direct map   page_offset_base .. + max_pfn pages
 *   vmemmap      vmemmap_base .. + max_pfn struct pages
 *   kernel       _text .. _end (freed init pages become holes on the host)
 *   trace ring   the module's ring (vmalloc), read/write
 */
#include <linux/mm.h>
#include <linux/mm_types.h>

#include "hup.h"

/* max_pfn is not exported; its value is read through kallsyms. */
static unsigned long hup_max_pfn(void)
{
	unsigned long addr = hup_ksym_lookup("max_pfn");

	return addr ? *(unsigned long *)addr : 0;
}

int hup_window_resolve(const struct hup_ioc_window *w, struct hup_window *out)
{
	unsigned long start = 0, end = 0, pfns;

	if (!(w->prot & HUP_WIN_READ) ||
	    (w->prot & ~(HUP_WIN_READ | HUP_WIN_WRITE)))
		return -EINVAL;
	switch (w->kind) {
	case HUP_IOC_WIN_DIRECT_MAP:
		pfns = hup_max_pfn();
		start = PAGE_OFFSET;
		end = start + (pfns << PAGE_SHIFT);
		out->kind = HUP_WIN_DIRECT_MAP;
		break;
	case HUP_IOC_WIN_VMEMMAP:
		pfns = hup_max_pfn();
		start = (unsigned long)vmemmap;
		end = start + PAGE_ALIGN(pfns * sizeof(struct page));
		out->kind = HUP_WIN_VMEMMAP;
		break;
	case HUP_IOC_WIN_KERNEL:
		start = hup_ksym_lookup("_text") & PAGE_MASK;
		end = PAGE_ALIGN(hup_ksym_lookup("_end"));
		out->kind = HUP_WIN_KERNEL;
		break;
	case HUP_IOC_WIN_TRACE_RING:
		start = (unsigned long)hup_trace_ring_addr();
		end = start + hup_trace_ring_bytes();
		out->kind = HUP_WIN_BUFFER;
		break;
	default:
		return -EINVAL;
	}
	if (!start || end <= start)
		return -ENOENT;
	out->gva = start;
	out->size = end - start;
	out->prot = w->prot;
	return 0;
}
