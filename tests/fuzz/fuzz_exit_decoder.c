// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: hupvm's pure exit decoder (backend/hupvm/exit.c) on
 * arbitrary kvm_run snapshots and mapped sizes.  Whatever KVM (or a
 * corrupted run page) says, the decoded action must be safe to act on:
 * port I/O data wholly inside the mapped area and past the header, widths
 * 1/2/4, MMIO lengths 1..8 without wrap, MSR reasons known.
 */
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exit.h"

#define RUN_MAX 8192u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[RUN_MAX] __attribute__((aligned(64)));
	struct exit_action act;
	uint16_t sz;
	size_t run_size;

	if (size < 2)
		return 0;
	memcpy(&sz, data, 2);
	data += 2;
	size -= 2;
	/* a mapped size around sizeof(struct kvm_run), up to RUN_MAX */
	run_size = sizeof(struct kvm_run) - 64 + sz % (RUN_MAX -
						   sizeof(struct kvm_run) + 65);
	if (run_size > RUN_MAX)
		run_size = RUN_MAX;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, data, size < RUN_MAX ? size : RUN_MAX);
	if (exit__decode((const struct kvm_run *)buf, run_size, &act)) {
		if (run_size >= sizeof(struct kvm_run))
			__builtin_trap();
		return 0;
	}
	(void)exit__reason_name(act.reason);
	(void)exit__kind_name(act.kind);
	switch (act.kind) {
	case EXIT_IO_IN:
	case EXIT_IO_OUT:
		if ((act.io.size != 1 && act.io.size != 2 && act.io.size != 4) ||
		    !act.io.count || act.io.data_off < sizeof(struct kvm_run) ||
		    act.io.data_off > run_size ||
		    (uint64_t)act.io.size * act.io.count >
			run_size - act.io.data_off)
			__builtin_trap();
		/* touch the data as the run loop would */
		for (uint64_t i = 0; i < (uint64_t)act.io.size * act.io.count;
		     i++)
			buf[act.io.data_off + i] ^= 0;
		break;
	case EXIT_MMIO_READ:
	case EXIT_MMIO_WRITE:
		if (!act.mmio.len || act.mmio.len > 8 ||
		    act.mmio.gpa + (act.mmio.len - 1) < act.mmio.gpa)
			__builtin_trap();
		break;
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		if (act.msr.reason != KVM_MSR_EXIT_REASON_FILTER &&
		    act.msr.reason != KVM_MSR_EXIT_REASON_UNKNOWN &&
		    act.msr.reason != KVM_MSR_EXIT_REASON_INVAL)
			__builtin_trap();
		break;
	case EXIT_INTERNAL_ERROR:
		if (act.internal.ndata > EXIT_INTERNAL_MAX_DATA)
			__builtin_trap();
		break;
	case EXIT_BAD:
		if (!act.why)
			__builtin_trap();
		break;
	default:
		break;
	}
	return 0;
}
