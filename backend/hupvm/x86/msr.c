// SPDX-License-Identifier: BSD-2-Clause
/*
 * Initial MSRs (see msr.h).  KVM_SET_MSRS returns how many entries it
 * applied: anything short of all of them is reported as -EIO.
 */
#include "msr.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#define MSR_IA32_MISC_ENABLE	0x000001a0u
#define MISC_ENABLE_FAST_STRING (1ull << 0)

static const struct {
	uint32_t index;
	uint64_t value;
} boot_msrs[] = {
    {MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING},
};

#define NR_BOOT_MSRS (sizeof(boot_msrs) / sizeof(boot_msrs[0]))

int msr__setup_vcpu(int vcpu_fd)
{
	struct kvm_msrs *msrs;
	int r, err = 0;

	msrs =
	    calloc(1, sizeof(*msrs) + NR_BOOT_MSRS * sizeof(msrs->entries[0]));
	if (!msrs)
		return -ENOMEM;
	msrs->nmsrs = NR_BOOT_MSRS;
	for (unsigned int i = 0; i < NR_BOOT_MSRS; i++) {
		msrs->entries[i].index = boot_msrs[i].index;
		msrs->entries[i].data = boot_msrs[i].value;
	}
	r = ioctl(vcpu_fd, KVM_SET_MSRS, msrs);
	if (r < 0)
		err = -errno;
	else if ((unsigned int)r != NR_BOOT_MSRS)
		err = -EIO;
	free(msrs);
	return err;
}
