// pfn/page/virt/phys conversions use the KASLR bases read from the guest
// (page_offset_base, vmemmap_base, phys_base: translated ksym loads).
// RUN: %hupcc -v %s -o %t.o 2>&1 | %verified %s
// RUN: %objdump %t.o | FileCheck %s
// hupcc ran the host verifier on it (which rejects any loop):
// V: verified:

#include <hlib/mm.h>

// CHECK-LABEL: <conv>:
// CHECK-DAG:     R_BPF_64_64 vmemmap_base
// CHECK-DAG:     R_BPF_64_64 page_offset_base
// CHECK-DAG:     R_BPF_64_64 phys_base
// CHECK:         exit
HUP_QUERY()
long conv(struct hup_query_ctx *ctx)
{
	__u64 page = hlib_pfn_to_page(ctx->arg[0]);
	__u64 pfn = hlib_page_to_pfn(page);
	__u64 va = hlib_pfn_to_virt(pfn);

	return (long)(hlib_pa(va) + hlib_pa(ctx->arg[1]) +
		      *hlib_gptr(__u64, page)); /* flags of the page */
}
