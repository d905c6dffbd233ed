// SPDX-License-Identifier: BSD-2-Clause
/*
 * CPUID table building (see cpuid.h).  Per-vCPU facts the guest reads:
 * leaf 1 EBX[31:24] initial APIC id, EBX[23:16] logical processors per
 * package (meaningful with EDX.HTT), ECX[31] "running on a hypervisor",
 * ECX[24] TSC-deadline timer (KVM supports it with its in-kernel LAPIC
 * but leaves advertising it to userspace); leaves 0xb/0x1f EDX x2APIC id;
 * leaf 0x8000001e EAX extended APIC id (AMD).
 */
#include "cpuid.h"

#include <asm/kvm_para.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <hyperupcall/abi.h>

#define CPUID_MAX_ENTRIES	1024u
#define CPUID1_EDX_HTT		(1u << 28)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_HYPERVISOR	(1u << 31)

struct kvm_cpuid2 *cpuid__alloc(uint32_t nent)
{
	struct kvm_cpuid2 *c;

	if (nent > CPUID_MAX_ENTRIES)
		return NULL;
	c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
	if (c)
		c->nent = nent;
	return c;
}

struct kvm_cpuid2 *cpuid__dup(const struct kvm_cpuid2 *c)
{
	struct kvm_cpuid2 *n = cpuid__alloc(c->nent);

	if (n)
		memcpy(n->entries, c->entries, c->nent * sizeof(c->entries[0]));
	return n;
}

int cpuid__get_supported(int kvm_fd, struct kvm_cpuid2 **out)
{
	for (uint32_t nent = 64; nent <= CPUID_MAX_ENTRIES; nent *= 2) {
		struct kvm_cpuid2 *c = cpuid__alloc(nent);

		if (!c)
			return -ENOMEM;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			*out = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return -errno;
	}
	return -E2BIG;
}

struct kvm_cpuid_entry2 *cpuid__find(struct kvm_cpuid2 *c, uint32_t function,
				     uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    e->index != index)
			continue;
		return e;
	}
	return NULL;
}

static int set_leaf(struct kvm_cpuid2 **c, uint32_t fn, uint32_t eax,
		    uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	struct kvm_cpuid_entry2 *e = cpuid__find(*c, fn, 0);

	if (!e) {
		struct kvm_cpuid2 *n = cpuid__alloc((*c)->nent + 1);

		if (!n)
			return -ENOMEM;
		memcpy(n->entries, (*c)->entries,
		       (*c)->nent * sizeof(n->entries[0]));
		free(*c);
		*c = n;
		e = &n->entries[n->nent - 1];
	}
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->eax = eax;
	e->ebx = ebx;
	e->ecx = ecx;
	e->edx = edx;
	return 0;
}

int cpuid__add_hup_leaves(struct kvm_cpuid2 **c, const struct cpuid_hup *h)
{
	int err;

	err = set_leaf(c, HUP_CPUID_BASE, HUP_CPUID_INFO, HUP_CPUID_SIG_EBX,
		       HUP_CPUID_SIG_ECX, HUP_CPUID_SIG_EDX);
	if (err)
		return err;
	return set_leaf(c, HUP_CPUID_INFO, HUP_ABI_VERSION,
			h->doorbell_port | (uint32_t)h->upcall_gsi << 16,
			h->events, h->features);
}

void cpuid__patch_vcpu(struct kvm_cpuid2 *c, uint32_t apic_id, uint32_t nr_cpus,
		       bool tsc_deadline)
{
	uint32_t count = nr_cpus > 255 ? 255 : nr_cpus;

	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x0000ffffu) |
				 (apic_id & 0xff) << 24 | count << 16;
			if (nr_cpus > 1)
				e->edx |= CPUID1_EDX_HTT;
			else
				e->edx &= ~CPUID1_EDX_HTT;
			e->ecx |= CPUID1_ECX_HYPERVISOR;
			if (tsc_deadline)
				e->ecx |= CPUID1_ECX_TSC_DEADLINE;
			break;
		case 0xb:
		case 0x1f:
			e->edx = apic_id;
			break;
		case 0x8000001e:
			e->eax = apic_id;
			e->ebx = (e->ebx & ~0xffu) | (apic_id & 0xff);
			break;
		default:
			break;
		}
	}
}

int cpuid__kvm_pv_tlb_flush(struct kvm_cpuid2 *c, bool on)
{
	const uint32_t bits =
	    1u << KVM_FEATURE_STEAL_TIME | 1u << KVM_FEATURE_PV_TLB_FLUSH;
	struct kvm_cpuid_entry2 *e = cpuid__find(c, KVM_CPUID_FEATURES, 0);

	if (!e)
		return on ? -EOPNOTSUPP : 0;
	if (on && (e->eax & bits) != bits)
		return -EOPNOTSUPP; /* KVM too old to honour the flag */
	if (!on)
		e->eax &= ~bits;
	return 0;
}

int cpuid__set(int vcpu_fd, const struct kvm_cpuid2 *c)
{
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0)
		return -errno;
	return 0;
}
