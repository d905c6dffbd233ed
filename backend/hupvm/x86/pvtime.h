/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * KVM's paravirtual steal-time area, as hupvm's vCPU scheduler uses it
 * (--pv-tlb-flush, vsched.h).  KVM marks a vCPU preempted in it only when
 * the host kernel preempts the vCPU thread inside KVM_RUN; a vCPU that
 * hupvm itself holds out of KVM_RUN is never marked, so a guest would keep
 * sending it TLB-flush IPIs and wait.  hupvm marks it: the guest's
 * kvm_flush_tlb_multi() then sets KVM_VCPU_FLUSH_TLB there instead of
 * sending an IPI, and KVM honours (and clears) both flags at the vCPU's
 * next KVM_RUN (record_steal_time on vcpu_load), exactly as against KVM's
 * own scheduler.
 */
#ifndef HUPVM_X86_PVTIME_H
#define HUPVM_X86_PVTIME_H

struct vcpu;

/* On v's own thread as it parks: read MSR_KVM_STEAL_TIME for
 * x86_pvtime__mark_preempted. */
void x86_pvtime__parking(struct vcpu *v);
/* Mark vCPU v (parked: out of KVM_RUN) preempted in its steal-time area,
 * at the address its thread read as it parked: 0, -ENOENT if the guest
 * has not enabled one, -EFAULT if it lies outside RAM, -EIO if KVM does
 * not know the MSR. */
int x86_pvtime__mark_preempted(struct vcpu *v);

#endif
