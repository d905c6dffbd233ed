/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86 vCPU state: the boot CPU's state at the 64-bit kernel entry (flat
 * GDT, identity page tables, long mode), and a register dump for reports
 * of KVM failures.  Application processors are left in KVM's reset state:
 * the in-kernel LAPIC starts them with INIT/SIPI from the guest.
 */
#ifndef HUPVM_X86_REGS_H
#define HUPVM_X86_REGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mem.h"

/* Build the GDT and page tables in guest memory (once per VM). */
int regs__setup_tables(struct mem *m);
/* Registers of the boot CPU: long mode, rip = entry, rsi = boot_params. */
int regs__setup_boot_cpu(int vcpu_fd, uint64_t entry, uint64_t boot_params);
struct kvm_sregs;
struct ptw_root;
/* The root of a vCPU's guest page tables for ptwalk, from its system
 * registers: 0, or -EINVAL outside 64-bit paging (only its tables are
 * walked). */
int regs__paging_root(const struct kvm_sregs *s, struct ptw_root *root);
/* Print general and system registers of a vCPU. */
void regs__dump(int vcpu_fd, FILE *out);
struct vcpu_brief;
/* What a stopped vCPU was doing, for hang reports (arch.h). */
void regs__brief(int vcpu_fd, struct vcpu_brief *b);
/* The highest vector set in a LAPIC 256-bit register (IRR, ISR) whose
 * eight 32-bit words lie 16 bytes apart from regs[off], or -1 (pure). */
int regs__apic_highest(const char *regs, unsigned int off);

#endif
