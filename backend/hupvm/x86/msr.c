// SPDX-License-Identifier: BSD-2-Clause
/*
 * Initial MSRs (see msr.h).  KVM_SET_MSRS returns how many entries it
 * applied: anything short of all of them is reported as -EIO.
 */
#include "msr.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
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

/*
 * A struct kvm_msrs with room for one entry.  Not a struct kvm_msrs
 * followed by an entry: kvm_msrs ends in a flexible array, and a struct
 * holding one anywhere but last is a GNU extension (clang warns).  The
 * asserts keep the copy in step with the kernel's layout.
 */
struct one_msr {
	__u32 nmsrs;
	__u32 pad;
	struct kvm_msr_entry e;
};
_Static_assert(offsetof(struct one_msr, nmsrs) ==
		   offsetof(struct kvm_msrs, nmsrs),
	       "one_msr must be laid out like kvm_msrs");
_Static_assert(offsetof(struct one_msr, e) ==
		   offsetof(struct kvm_msrs, entries),
	       "one_msr must be laid out like kvm_msrs");

/* KVM_GET_MSRS or KVM_SET_MSRS of one MSR; either returns the number of
 * entries it processed, so anything but 1 is a failure. */
static int one_msr_ioctl(int vcpu_fd, unsigned long req, uint32_t index,
			 uint64_t *data)
{
	struct one_msr m = {.nmsrs = 1, .e = {.index = index, .data = *data}};

	if (ioctl(vcpu_fd, req, &m) != 1)
		return -EIO;
	*data = m.e.data;
	return 0;
}

int msr__get(int vcpu_fd, uint32_t index, uint64_t *data)
{
	*data = 0;
	return one_msr_ioctl(vcpu_fd, KVM_GET_MSRS, index, data);
}

int msr__set(int vcpu_fd, uint32_t index, uint64_t data)
{
	return one_msr_ioctl(vcpu_fd, KVM_SET_MSRS, index, &data);
}
