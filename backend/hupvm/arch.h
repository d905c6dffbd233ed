/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The seam between the generic core (vm.c, vcpu.c) and an architecture
 * (x86/arch.c): the board's devices and firmware tables, the boot
 * protocol, per-vCPU state, and register dumps for failure reports.
 */
#ifndef HUPVM_ARCH_H
#define HUPVM_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vm;
struct vcpu;
struct exit_action;

/* RAM below low_limit, the rest from high_base. */
void arch__mem_layout(uint64_t *low_limit, uint64_t *high_base);
/* Before RAM exists: VM-wide KVM state (irqchip, timers). */
int arch__init_vm_early(struct vm *vm);
/* After RAM exists: devices, firmware tables, kernel and initrd. */
int arch__init_vm(struct vm *vm);
/* Before a vCPU first runs: CPUID, MSRs, and entry state for the BSP. */
int arch__init_vcpu(struct vm *vm, struct vcpu *v);
/* Start whatever the board runs besides the vCPUs (console input). */
int arch__start(struct vm *vm);
void arch__dump_vcpu(struct vcpu *v, FILE *out);
/* Where a stopped vCPU is, for hang reports (hang.h): the facts the
 * verdict needs, and a line of text with them and more (rip, interrupt
 * being injected, shadow, NMI state). */
struct vcpu_brief {
	bool valid;	  /* the registers could be read */
	bool irq_enabled; /* RFLAGS.IF */
	bool halted;	  /* in HLT (mp_state) */
	int irr, isr;	  /* highest vector requested / in service, or -1 */
	unsigned int tpr;
	char text[256];
};
void arch__brief_vcpu(struct vcpu *v, struct vcpu_brief *b);
/* A user-space MSR exit (hyperupcall MSR-write events). */
int arch__msr_exit(struct vcpu *v, const struct exit_action *act);
/* Make the vCPU flush its TLB on its next entry (its own thread). */
int arch__flush_tlb(struct vcpu *v);
/* Tell the guest that vCPU v (parked by hupvm's scheduler) is preempted,
 * through the paravirtual interface it enabled: 0, or -errno (-ENOENT:
 * the guest uses none). */
int arch__mark_preempted(struct vcpu *v);
/* On v's own thread as it parks, before it counts as paused: read what
 * arch__mark_preempted needs, so that nobody issues a vCPU ioctl for it
 * from another thread (each would load v on that thread's CPU). */
void arch__parking(struct vcpu *v);
void arch__exit_vm(struct vm *vm);

#endif
