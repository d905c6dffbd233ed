/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The x86 control-register, EFER and MSR numbers hupvm uses (SDM vol. 3),
 * one definition for the boot state (regs.c) and the backend (hup.c).
 */
#ifndef HUPVM_X86_BITS_H
#define HUPVM_X86_BITS_H

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_PGE (1ull << 7)
#define X86_CR4_LA57 (1ull << 12)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NX (1ull << 11)
#define X86_PAGE_SIZE 4096ull

#define MSR_IA32_TSC 0x10u
#define MSR_EFER 0xc0000080u

#endif
