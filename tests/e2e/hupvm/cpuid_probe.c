// SPDX-License-Identifier: BSD-2-Clause
/*
 * cpuid-probe: runs inside the L2 guest and prints what the guest sees of
 * the hypervisor leaves, one "key=value" per line, for the e2e test:
 *   hv-signature=KVMKVMKVM     (leaf 0x40000000)
 *   hup-signature=HyperUpcall! (leaf HUP_CPUID_BASE)
 *   hup-max-leaf, hup-abi, hup-doorbell, hup-upcall-gsi, hup-events,
 *   hup-features
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

#include <hyperupcall/abi.h>

static void sig(unsigned int leaf, char out[13], unsigned int *eax)
{
	unsigned int a, b, c, d;

	__cpuid(leaf, a, b, c, d);
	memcpy(out, &b, 4);
	memcpy(out + 4, &c, 4);
	memcpy(out + 8, &d, 4);
	out[12] = 0;
	for (int i = 0; i < 12; i++)
		if (out[i] && (out[i] < 32 || out[i] > 126))
			out[i] = '?';
	*eax = a;
}

int main(void)
{
	unsigned int a, b, c, d, max;
	char s[13];

	sig(0x40000000, s, &max);
	printf("hv-signature=%s\n", s);
	sig(HUP_CPUID_BASE, s, &max);
	printf("hup-signature=%s\n", s);
	printf("hup-max-leaf=%#x\n", max);
	__cpuid(HUP_CPUID_INFO, a, b, c, d);
	printf("hup-abi=%#x\n", a);
	printf("hup-doorbell=%#x\n", b & 0xffffu);
	if (d & HUP_FEAT_UPCALL)
		printf("hup-upcall-gsi=%u\n", HUP_CPUID_UPCALL_GSI(b));
	printf("hup-events=%#x\n", c);
	printf("hup-features=%#x\n", d);
	printf("hup-expected-abi=%#x\n", HUP_ABI_VERSION);
	return 0;
}
