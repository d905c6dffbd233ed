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

int x86_pvtime__mark_preempted(struct vcpu *v)
{
	struct kvm_steal_time *st;
	uint64_t msr;
	int err = msr__get(v->fd, MSR_KVM_STEAL_TIME, &msr);

	if (err)
		return err;
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
