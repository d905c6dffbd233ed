// SPDX-License-Identifier: BSD-2-Clause
/*
 * The pure exit decoder (see exit.h).  One switch over exit_reason; each
 * case validates the fields it forwards.
 */
#include "exit.h"

#include <errno.h>
#include <string.h>

static void decode_io(const struct kvm_run *run, size_t run_size,
		      struct exit_action *act)
{
	uint64_t bytes;
	uint32_t size = run->io.size;

	if (size != 1 && size != 2 && size != 4) {
		act->kind = EXIT_BAD;
		act->why = "port I/O width not 1, 2 or 4";
		return;
	}
	if (!run->io.count) {
		act->kind = EXIT_BAD;
		act->why = "port I/O count is zero";
		return;
	}
	if (run->io.direction != KVM_EXIT_IO_IN &&
	    run->io.direction != KVM_EXIT_IO_OUT) {
		act->kind = EXIT_BAD;
		act->why = "port I/O direction invalid";
		return;
	}
	/* count is u32 and size <= 4: the product cannot overflow u64. */
	bytes = (uint64_t)size * run->io.count;
	if (run->io.data_offset < sizeof(*run) ||
	    run->io.data_offset > run_size ||
	    bytes > run_size - run->io.data_offset) {
		act->kind = EXIT_BAD;
		act->why = "port I/O data outside the run area";
		return;
	}
	act->kind =
	    run->io.direction == KVM_EXIT_IO_IN ? EXIT_IO_IN : EXIT_IO_OUT;
	act->io.port = run->io.port;
	act->io.size = (uint8_t)size;
	act->io.count = run->io.count;
	act->io.data_off = run->io.data_offset;
}

static void decode_mmio(const struct kvm_run *run, struct exit_action *act)
{
	uint32_t len = run->mmio.len;

	if (!len || len > sizeof(run->mmio.data)) {
		act->kind = EXIT_BAD;
		act->why = "MMIO length not 1..8";
		return;
	}
	if (len - 1 > UINT64_MAX - run->mmio.phys_addr) {
		act->kind = EXIT_BAD;
		act->why = "MMIO access wraps the address space";
		return;
	}
	act->kind = run->mmio.is_write ? EXIT_MMIO_WRITE : EXIT_MMIO_READ;
	act->mmio.gpa = run->mmio.phys_addr;
	act->mmio.len = len;
	if (run->mmio.is_write)
		memcpy(act->mmio.data, run->mmio.data, len);
}

static void decode_internal(const struct kvm_run *run, struct exit_action *act)
{
	uint32_t n = run->internal.ndata;

	act->kind = EXIT_INTERNAL_ERROR;
	act->internal.suberror = run->internal.suberror;
	if (n > EXIT_INTERNAL_MAX_DATA)
		n = EXIT_INTERNAL_MAX_DATA;
	act->internal.ndata = n;
	for (uint32_t i = 0; i < n; i++)
		act->internal.data[i] = run->internal.data[i];
}

/* Only the filter reason is enabled (KVM_CAP_X86_USER_SPACE_MSR): any
 * other reason, or several bits at once, is malformed. */
static void decode_msr(const struct kvm_run *run, struct exit_action *act)
{
	uint32_t reason = run->msr.reason;

	if (reason != KVM_MSR_EXIT_REASON_FILTER &&
	    reason != KVM_MSR_EXIT_REASON_UNKNOWN &&
	    reason != KVM_MSR_EXIT_REASON_INVAL) {
		act->kind = EXIT_BAD;
		act->why = "MSR exit reason invalid";
		return;
	}
	act->kind = run->exit_reason == KVM_EXIT_X86_WRMSR ? EXIT_MSR_WRITE
							   : EXIT_MSR_READ;
	act->msr.index = run->msr.index;
	act->msr.reason = reason;
	act->msr.data = act->kind == EXIT_MSR_WRITE ? run->msr.data : 0;
}

int exit__decode(const struct kvm_run *run, size_t run_size,
		 struct exit_action *act)
{
	memset(act, 0, sizeof(*act));
	if (!run || run_size < sizeof(*run))
		return -EINVAL;
	act->reason = run->exit_reason;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		decode_io(run, run_size, act);
		break;
	case KVM_EXIT_MMIO:
		decode_mmio(run, act);
		break;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		act->kind = EXIT_RESUME;
		break;
	case KVM_EXIT_HLT:
		act->kind = EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		act->kind = EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		act->kind = EXIT_FAIL_ENTRY;
		act->fail.hw_reason =
		    run->fail_entry.hardware_entry_failure_reason;
		act->fail.cpu = run->fail_entry.cpu;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		decode_internal(run, act);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		act->kind = EXIT_SYSTEM_EVENT;
		act->sys.type = run->system_event.type;
		break;
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		decode_msr(run, act);
		break;
	default:
		act->kind = EXIT_UNKNOWN;
		break;
	}
	return 0;
}

const char *exit__reason_name(uint32_t reason)
{
	static const char *const names[] = {
	    [KVM_EXIT_UNKNOWN] = "UNKNOWN",
	    [KVM_EXIT_EXCEPTION] = "EXCEPTION",
	    [KVM_EXIT_IO] = "IO",
	    [KVM_EXIT_HYPERCALL] = "HYPERCALL",
	    [KVM_EXIT_DEBUG] = "DEBUG",
	    [KVM_EXIT_HLT] = "HLT",
	    [KVM_EXIT_MMIO] = "MMIO",
	    [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	    [KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
	    [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	    [KVM_EXIT_INTR] = "INTR",
	    [KVM_EXIT_SET_TPR] = "SET_TPR",
	    [KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
	    [KVM_EXIT_NMI] = "NMI",
	    [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	    [KVM_EXIT_OSI] = "OSI",
	    [KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	    [KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
	    [KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "?";
}

const char *exit__kind_name(enum exit_kind kind)
{
	static const char *const names[] = {
	    [EXIT_IO_IN] = "io-in",
	    [EXIT_IO_OUT] = "io-out",
	    [EXIT_MMIO_READ] = "mmio-read",
	    [EXIT_MMIO_WRITE] = "mmio-write",
	    [EXIT_RESUME] = "resume",
	    [EXIT_HLT] = "hlt",
	    [EXIT_SHUTDOWN] = "shutdown",
	    [EXIT_FAIL_ENTRY] = "fail-entry",
	    [EXIT_INTERNAL_ERROR] = "internal-error",
	    [EXIT_SYSTEM_EVENT] = "system-event",
	    [EXIT_MSR_READ] = "msr-read",
	    [EXIT_MSR_WRITE] = "msr-write",
	    [EXIT_BAD] = "bad",
	    [EXIT_UNKNOWN] = "unknown",
	};

	if ((unsigned)kind < sizeof(names) / sizeof(names[0]) && names[kind])
		return names[kind];
	return "?";
}
