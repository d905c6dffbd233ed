/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a guest that overran --timeout was doing, printed before it is
 * killed.  A timeout has two very different causes:
 *
 * - the guest: it is stuck or too slow in its own code; its vCPUs leave
 *   KVM_RUN when kicked, take their interrupts, and their registers say
 *   where they spin (a hang of the guest, or of ours: a program that
 *   acknowledged what it should not, a vCPU our scheduler never runs);
 * - the host kernel, or under nesting the emulated CPU (docs/nested.md):
 *   a vCPU does not leave KVM_RUN when kicked, or it does not take an
 *   interrupt it has every reason to take.
 *
 * The last line of the report gives the verdict, one of:
 *
 *   hang: verdict: guest (...)
 *   hang: verdict: host (vCPU N did not leave KVM_RUN within 5 s of a kick)
 *   hang: verdict: host (vCPU N does not take interrupt V: ...)
 *
 * "Does not take": over the report's first second KVM took the vCPU out
 * for interrupt windows and injected nothing, and once stopped the vCPU
 * runs with interrupts enabled, not halted, with vector V requested above
 * its task priority and any vector in service.  KVM asks for an interrupt
 * window only while an interrupt waits, and a CPU that opens the window
 * with IF set gets the interrupt injected at once: window exits without
 * injections never come from the guest.  (5 s: VCPU_PAUSE_TIMEOUT_S.)
 *
 * Per vCPU the report also shows its exits (hupvm's, and KVM's with the
 * window exits and injections of that second), and whether hupvm's
 * scheduler still switches slices.
 */
#ifndef HUPVM_HANG_H
#define HUPVM_HANG_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/* What the verdict looks at, per vCPU. */
struct hang_vcpu {
	bool stopped;	  /* it left KVM_RUN when kicked */
	bool valid;	  /* and its state below could be read */
	bool irq_enabled; /* RFLAGS.IF */
	bool halted;
	int irr, isr; /* highest vector requested / in service, or -1 */
	unsigned int tpr;
	/* in the sampled second; UINT64_MAX when KVM has no such stat */
	uint64_t window_exits, injections;
};

enum hang_verdict {
	HANG_GUEST,
	HANG_HOST_STUCK,  /* a vCPU did not leave KVM_RUN */
	HANG_HOST_NO_IRQ, /* a vCPU does not take its interrupt */
};

/* The verdict over n vCPUs; *which gets the vCPU index it names (pure,
 * tested). */
enum hang_verdict hang__verdict(const struct hang_vcpu *v, uint32_t n,
				uint32_t *which);

/* Report on every vCPU (takes a second, and up to 5 s per vCPU that does
 * not stop); leaves the vCPUs it stopped paused: the VM is being killed. */
enum hang_verdict hang__report(struct vm *vm);

#endif
