// SPDX-License-Identifier: BSD-2-Clause
/*
 * hang__verdict: a timeout blamed on the guest or on the host (hang.h),
 * from the facts the report gathers per vCPU.  The cases are the states
 * seen in nested runs: an idle guest, a guest spinning with interrupts
 * off, a vCPU stuck in KVM_RUN, and a vCPU that does not take a pending
 * interrupt while KVM keeps exiting it for interrupt windows.
 */
#include <stdint.h>

#include "check.h"
#include "hang.h"

static struct hang_vcpu idle(void)
{
	/* halted with IF set, nothing pending: the guest's idle loop */
	return (struct hang_vcpu){.stopped = true, .valid = true,
				  .irq_enabled = true, .halted = true,
				  .irr = -1, .isr = -1, .tpr = 0x10,
				  .window_exits = 0, .injections = 0};
}

int main(void)
{
	struct hang_vcpu v[4];
	uint32_t which = 99;

	for (int i = 0; i < 4; i++)
		v[i] = idle();
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_GUEST);

	/* spinning with interrupts off, a timer pending: the guest's */
	v[1].halted = false;
	v[1].irq_enabled = false;
	v[1].irr = 0xec;
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_GUEST);

	/* the same vCPU with IF set, KVM exiting it for interrupt windows
	 * and injecting nothing: the CPU does not take the interrupt */
	v[1].irq_enabled = true;
	v[1].window_exits = 19000;
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_HOST_NO_IRQ);
	CHECK_EQ(which, 1u);
	/* ... but not if KVM did inject in that second */
	v[1].injections = 3;
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_GUEST);
	v[1].injections = 0;
	/* ... nor if the vector is masked by the task priority or by a
	 * vector of its class in service, */
	v[1].tpr = 0xe0;
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_GUEST);
	v[1].tpr = 0x10;
	v[1].isr = 0xe1;
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_GUEST);
	v[1].isr = 0x30; /* a lower class in service does not mask it */
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_HOST_NO_IRQ);
	v[1].isr = -1;
	/* ... nor when halted (HLT waits for it: KVM's to wake), nor when
	 * KVM has no such statistics (an old kernel: no claim) */
	v[1].halted = true;
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_GUEST);
	v[1].halted = false;
	v[1].window_exits = UINT64_MAX;
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_GUEST);
	v[1].window_exits = 19000;
	v[1].valid = false;
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_GUEST);
	v[1].valid = true;

	/* a vCPU that did not leave KVM_RUN outranks everything */
	v[3].stopped = false;
	CHECK_EQ(hang__verdict(v, 4, &which), HANG_HOST_STUCK);
	CHECK_EQ(which, 3u);
	CHECK_EQ(hang__verdict(v, 3, &which), HANG_HOST_NO_IRQ);
	CHECK_EQ(hang__verdict(v, 0, &which), HANG_GUEST);
	return check_summary("hang_verdict");
}
