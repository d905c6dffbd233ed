// SPDX-License-Identifier: BSD-2-Clause
/*
 * Marking a vCPU preempted in KVM's steal-time area (see pvtime.h).
 */
#include "x86/pvtime.h"

#include <asm/kvm_para.h>
#include <errno.h>
#include <stddef.h>

#include "mem.h"
#include "vcpu.h"
#include "vm.h"
#include "x86/msr.h"

/*
 * The guest may move or disable its area (CPU offline, kexec), so it is
 * read at every park.  Here, not by the scheduler: a KVM_GET_MSRS from the
 * scheduler's thread loaded the vCPU on that thread's CPU at every slice
 * (KVM then redoes its per-CPU state: TSC offset, steal-time update, ASID)
 * and back at its next KVM_RUN; and guest-tlb-e2e's PV scenario, the only
 * one that did, lost its nested L1 about ten times as often per second of
 * guest time as the hyperupcall ones (docs/nested.md).
 */
void x86_pvtime__parking(struct vcpu *v)
{
	uint64_t msr = 0;

	v->steal_time_err = msr__get(v->fd, MSR_KVM_STEAL_TIME, &msr);
	v->steal_time_msr = msr;
}

int x86_pvtime__mark_preempted(struct vcpu *v)
{
	struct kvm_steal_time *st;
	uint64_t msr = v->steal_time_msr;

	if (v->steal_time_err)
		return v->steal_time_err;
	if (!(msr & KVM_MSR_ENABLED))
		return -ENOENT;
	/* The guest chose the address; KVM checked it on the MSR write, we
	 * check it again against our RAM before touching it. */
	st = mem__gpa_to_hva(&v->vm->mem, msr & KVM_STEAL_VALID_BITS,
			     sizeof(*st));
	if (!st)
		return -EFAULT;
	/* Atomic: running vCPUs of the guest read and cmpxchg this byte. */
	__atomic_fetch_or(&st->preempted, (uint8_t)KVM_VCPU_PREEMPTED,
			  __ATOMIC_SEQ_CST);
	return 0;
}
