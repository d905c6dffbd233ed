// SPDX-License-Identifier: BSD-2-Clause
/*
 * An MSR-write policy: the hypervisor runs it when the guest writes the MSR
 * it was registered for (hupload --event-arg MSR) and refuses the write
 * (the guest gets #GP) when it returns non-zero.  This one vets
 * IA32_TSC_AUX (0xc0000103) and refuses the value 0xdead, so a test or a
 * demo can show both verdicts.
 *
 *	hupcc samples/msr_guard.c -o msr_guard.o
 *	hupload --event-arg 0xc0000103 msr_guard.o
 */
#include <hyperupcall.h>

#define REFUSED_VALUE 0xdead

HUP_MSR_WRITE("tsc_aux")
int msr_guard(struct hup_msr_ctx *ctx)
{
	return ctx->value == REFUSED_VALUE;
}

HUP_LICENSE("GPL");
