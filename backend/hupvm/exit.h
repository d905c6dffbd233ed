/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The exit decoder: a pure function from a struct kvm_run snapshot to what
 * the run loop must do.  It performs no I/O and touches no state, so unit
 * tests drive it with synthetic exits (tests/unit/hupvm/test_exit.c).
 *
 * Everything in kvm_run is treated as untrusted input: the decoder checks
 * that a port I/O access has a legal width, that its data buffer lies inside
 * the mapped run area, and that an MMIO length fits its 8-byte buffer.
 * A malformed exit decodes to EXIT_BAD with a reason, never to an access.
 */
#ifndef HUPVM_EXIT_H
#define HUPVM_EXIT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

enum exit_kind {
	EXIT_IO_IN,	     /* read ports into run + io.data_off */
	EXIT_IO_OUT,	     /* write ports from run + io.data_off */
	EXIT_MMIO_READ,	     /* fill run->mmio.data[0..len) */
	EXIT_MMIO_WRITE,     /* mmio.data holds what the guest wrote */
	EXIT_RESUME,	     /* nothing to do: enter the guest again */
	EXIT_HLT,	     /* only without an in-kernel irqchip */
	EXIT_SHUTDOWN,	     /* triple fault */
	EXIT_FAIL_ENTRY,     /* VM entry failed */
	EXIT_INTERNAL_ERROR, /* KVM could not emulate something */
	EXIT_SYSTEM_EVENT,   /* reset / shutdown / crash request */
	EXIT_MSR_READ,	     /* user-space RDMSR: answer in run->msr */
	EXIT_MSR_WRITE,	     /* user-space WRMSR: vet, perform, set error */
	EXIT_BAD,	     /* malformed exit data: see .why */
	EXIT_UNKNOWN,	     /* an exit reason we do not handle */
};

#define EXIT_INTERNAL_MAX_DATA 4u

struct exit_action {
	enum exit_kind kind;
	uint32_t reason; /* the raw KVM_EXIT_* value */
	const char *why; /* EXIT_BAD: what was wrong */
	union {
		struct {
			uint16_t port;
			uint8_t size;	   /* 1, 2 or 4 */
			uint32_t count;	   /* >= 1; rep ins/outs */
			uint64_t data_off; /* from the start of kvm_run */
		} io;
		struct {
			uint64_t gpa;
			uint32_t len; /* 1..8 */
			uint8_t data[8];
		} mmio;
		struct {
			uint64_t hw_reason;
			uint32_t cpu;
		} fail;
		struct {
			uint32_t suberror;
			uint32_t ndata; /* how many of data[] are valid */
			uint64_t data[EXIT_INTERNAL_MAX_DATA];
		} internal;
		struct {
			uint32_t type; /* KVM_SYSTEM_EVENT_* */
		} sys;
		struct {
			uint32_t index;	 /* MSR */
			uint32_t reason; /* one KVM_MSR_EXIT_REASON_* bit */
			uint64_t data;	 /* WRMSR: the value written */
		} msr;
	};
};

/*
 * Decode run (of run_size mapped bytes, the KVM_GET_VCPU_MMAP_SIZE value)
 * into *act.  Returns 0, or -EINVAL if run_size cannot hold a kvm_run.
 */
int exit__decode(const struct kvm_run *run, size_t run_size,
		 struct exit_action *act);
const char *exit__reason_name(uint32_t reason);
const char *exit__kind_name(enum exit_kind kind);

#endif
