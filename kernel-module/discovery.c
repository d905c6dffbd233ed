// SPDX-License-Identifier: GPL-2.0
/*
 * Backend discovery.  The host advertises the hyperupcall backend through
 * two CPUID leaves in the hypervisor range (abi.h, HUP_CPUID_BASE and
 * HUP_CPUID_INFO).  Without the hypervisor bit, our signature in all three
 * words, and our ABI major, there is no backend: the module still loads and
 * answers every registration with -ENODEV.
 */
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

#include "hup.h"

void hup_discover(struct hup_backend *b)
{
	u32 eax, ebx, ecx, edx;

	memset(b, 0, sizeof(*b));
	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return;
	cpuid(HUP_CPUID_BASE, &eax, &ebx, &ecx, &edx);
	if (ebx != HUP_CPUID_SIG_EBX || ecx != HUP_CPUID_SIG_ECX ||
	    edx != HUP_CPUID_SIG_EDX || eax < HUP_CPUID_INFO)
		return;
	cpuid(HUP_CPUID_INFO, &eax, &ebx, &ecx, &edx);
	b->abi_version = eax;
	b->port = ebx & 0xffff;
	b->events = ecx;
	b->features = edx;
	if (edx & HUP_FEAT_UPCALL)
		b->upcall_gsi = HUP_CPUID_UPCALL_GSI(ebx);
	if ((eax >> 16) != HUP_ABI_MAJOR) {
		pr_warn("backend speaks ABI %u.%u, this module %u.%u: ignored\n",
			eax >> 16, eax & 0xffff, HUP_ABI_MAJOR, HUP_ABI_MINOR);
		return;
	}
	if (!b->port) {
		pr_warn("backend reports no doorbell port: ignored\n");
		return;
	}
	b->present = true;
}

void hup_backend_show(struct seq_file *m, const struct hup_backend *b)
{
	if (!b->present) {
		seq_puts(m, "backend: none\n");
		return;
	}
	seq_printf(m, "backend: present\nabi: %u.%u\nport: 0x%x\n",
		   b->abi_version >> 16, b->abi_version & 0xffff, b->port);
	seq_printf(m, "events: 0x%x\nfeatures: 0x%x\n", b->events,
		   b->features);
	if (b->features & HUP_FEAT_UPCALL) {
		seq_printf(m, "upcall_gsi: %u\n", b->upcall_gsi);
		hup_upcall_show(m);
	}
}
