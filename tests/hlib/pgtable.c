// The 4-level walk: CR3 from the vCPU, four translated table reads through
// the direct map, no loop.
// RUN: %hupcc -v %s -o %t.o 2>&1 | %verified %s
// RUN: %objdump %t.o | FileCheck %s
// hupcc ran the host verifier on it (which rejects any loop):
// V: verified:

#include <hlib/pgtable.h>

// CHECK-LABEL: <walk>:
// CHECK:         call 0x6
// CHECK-COUNT-4: = *(u64 *)(r{{[0-9]}} + 0x0)
// CHECK:         exit
HUP_MSR_WRITE()
int walk(struct hup_msr_ctx *ctx)
{
	__u64 pa = 0;
	long cr3 = hup_vcpu_reg(HUP_REG_CR3);

	if (cr3 < 0)
		return 0;
	if (hlib_walk((__u64)cr3, ctx->value, &pa))
		return 1; /* deny a write of an unmapped address */
	return pa == 0;
}
