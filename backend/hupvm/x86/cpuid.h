/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest's CPUID: what KVM supports (KVM_GET_SUPPORTED_CPUID, including
 * KVM's paravirt leaves 0x40000000/1 that enable kvmclock), plus the
 * hyperupcall discovery leaves (abi.h: HUP_CPUID_BASE/INFO), patched per
 * vCPU with its APIC id and the topology.  Editing functions are pure so
 * tests check them on synthetic tables.
 */
#ifndef HUPVM_X86_CPUID_H
#define HUPVM_X86_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

struct cpuid_hup {
	uint16_t doorbell_port;
	uint8_t upcall_gsi; /* with HUP_FEAT_UPCALL */
	uint32_t events;   /* bit (1 << HUP_EVENT_*) per supported event */
	uint32_t features; /* HUP_FEAT_* */
};

struct kvm_cpuid2 *cpuid__alloc(uint32_t nent);
struct kvm_cpuid2 *cpuid__dup(const struct kvm_cpuid2 *c);
int cpuid__get_supported(int kvm_fd, struct kvm_cpuid2 **out);
struct kvm_cpuid_entry2 *cpuid__find(struct kvm_cpuid2 *c, uint32_t function,
				     uint32_t index);
/* Add (or overwrite) the two discovery leaves; may reallocate *c. */
int cpuid__add_hup_leaves(struct kvm_cpuid2 **c, const struct cpuid_hup *h);
void cpuid__patch_vcpu(struct kvm_cpuid2 *c, uint32_t apic_id, uint32_t nr_cpus,
		       bool tsc_deadline);
/*
 * KVM's paravirtual steal-time area and TLB flush (KVM_CPUID_FEATURES
 * EAX: KVM_FEATURE_STEAL_TIME, KVM_FEATURE_PV_TLB_FLUSH) are advertised
 * only when on (--pv-tlb-flush): without them a guest sends every TLB
 * shootdown as an IPI, the behaviour the hyperupcall path is measured
 * against.  0, or -EOPNOTSUPP if on and KVM offers no such leaf or bits.
 */
int cpuid__kvm_pv_tlb_flush(struct kvm_cpuid2 *c, bool on);
int cpuid__set(int vcpu_fd, const struct kvm_cpuid2 *c);

#endif
