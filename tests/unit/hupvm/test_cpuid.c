// SPDX-License-Identifier: BSD-2-Clause
/*
 * CPUID table editing: the hyperupcall discovery leaves are added once
 * (and overwritten, not duplicated, on a second call) with the values
 * abi.h defines; per-vCPU patching sets APIC ids, topology count, the
 * hypervisor bit and TSC-deadline, and leaves KVM's own leaves alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hyperupcall/abi.h>

#include "check.h"
#include "x86/cpuid.h"

int main(void)
{
	struct kvm_cpuid2 *c = cpuid__alloc(4);
	struct cpuid_hup hup = {HUP_DB_PORT_DEFAULT, 5, 0, HUP_FEAT_UPCALL};
	struct kvm_cpuid_entry2 *e;
	char sig[13];

	CHECK(c != NULL);
	c->entries[0] = (struct kvm_cpuid_entry2){
	    .function = 1, .ebx = 0xaabb0800, .edx = 1u << 28};
	c->entries[1] =
	    (struct kvm_cpuid_entry2){.function = 0xb,
				      .index = 1,
				      .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX};
	c->entries[2] = (struct kvm_cpuid_entry2){
	    .function = 0x40000000, .eax = 0x40000001, .ebx = 0x4b4d564b};
	c->entries[3] = (struct kvm_cpuid_entry2){.function = 0x8000001e};

	CHECK_EQ(cpuid__add_hup_leaves(&c, &hup), 0);
	CHECK_EQ(c->nent, 6);
	CHECK_EQ(cpuid__add_hup_leaves(&c, &hup), 0);
	CHECK_EQ(c->nent, 6);
	e = cpuid__find(c, HUP_CPUID_BASE, 0);
	CHECK(e != NULL);
	CHECK_EQ(e->eax, HUP_CPUID_INFO);
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	sig[12] = 0;
	CHECK(!strcmp(sig, "HyperUpcall!"));
	e = cpuid__find(c, HUP_CPUID_INFO, 0);
	CHECK(e != NULL);
	CHECK_EQ(e->eax, HUP_ABI_VERSION);
	CHECK_EQ(e->ebx & 0xffff, HUP_DB_PORT_DEFAULT);
	CHECK_EQ(HUP_CPUID_UPCALL_GSI(e->ebx), 5);
	CHECK_EQ(e->edx, HUP_FEAT_UPCALL);
	CHECK_EQ(e->ecx, 0);
	/* KVM's own signature leaf is untouched. */
	e = cpuid__find(c, 0x40000000, 0);
	CHECK_EQ(e->eax, 0x40000001);
	CHECK(cpuid__find(c, 0xb, 0) == NULL); /* significant index */
	CHECK(cpuid__find(c, 0xb, 1) != NULL);

	{
		struct kvm_cpuid2 *v = cpuid__dup(c);

		cpuid__patch_vcpu(v, 3, 4, true);
		e = cpuid__find(v, 1, 0);
		CHECK_EQ(e->ebx >> 24, 3);
		CHECK_EQ((e->ebx >> 16) & 0xff, 4);
		CHECK_EQ(e->ebx & 0xffff, 0x0800); /* CLFLUSH size kept */
		CHECK(e->ecx & (1u << 31));
		CHECK(e->ecx & (1u << 24));
		CHECK(e->edx & (1u << 28));
		CHECK_EQ(cpuid__find(v, 0xb, 1)->edx, 3);
		CHECK_EQ(cpuid__find(v, 0x8000001e, 0)->eax, 3);
		free(v);
		v = cpuid__dup(c);
		cpuid__patch_vcpu(v, 0, 1, false);
		e = cpuid__find(v, 1, 0);
		CHECK_EQ(e->edx & (1u << 28), 0); /* one CPU: no HTT */
		CHECK_EQ(e->ecx & (1u << 24), 0);
		free(v);
	}
	free(c);

	/* KVM's PV leaf: steal time and PV TLB flush only when asked. */
	{
		const uint32_t st = 1u << 5, tlb = 1u << 9, other = 1u << 3;
		struct kvm_cpuid2 *k = cpuid__alloc(1);

		k->entries[0] = (struct kvm_cpuid_entry2){
		    .function = 0x40000001, .eax = st | tlb | other};
		CHECK_EQ(cpuid__kvm_pv_tlb_flush(k, true), 0);
		CHECK_EQ(k->entries[0].eax, st | tlb | other);
		CHECK_EQ(cpuid__kvm_pv_tlb_flush(k, false), 0);
		CHECK_EQ(k->entries[0].eax, other); /* the rest kept */
		/* asked for, but this KVM lacks it */
		CHECK_EQ(cpuid__kvm_pv_tlb_flush(k, true), -EOPNOTSUPP);
		k->entries[0].function = 0x40000002; /* no PV leaf at all */
		CHECK_EQ(cpuid__kvm_pv_tlb_flush(k, true), -EOPNOTSUPP);
		CHECK_EQ(cpuid__kvm_pv_tlb_flush(k, false), 0);
		free(k);
	}
	CHECK(cpuid__alloc(100000) == NULL);
	return check_summary("cpuid");
}
