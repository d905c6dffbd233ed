/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The x86 guest-physical memory map hupvm builds.  Everything the boot
 * path writes sits in RAM below 1 MiB except the kernel and the initrd:
 *
 *   0x00500  GDT (4 entries)            0x07000  boot_params (zero page)
 *   0x09000  page tables: PML4, PDPT, 4 PDs identity-mapping 4 GiB
 *   0x20000  kernel command line        0x9fc00  EBDA (reserved)
 *   0xe0000  ACPI tables, RSDP first (reserved up to 1 MiB)
 *   0x1000000 (pref_address) protected-mode kernel; initrd at the top of
 *            low RAM below initrd_addr_max
 *   RAM stops at 3 GiB and resumes at 4 GiB; the hole holds the IOAPIC
 *   (0xfec00000) and local APICs (0xfee00000), both emulated by KVM.
 */
#ifndef HUPVM_X86_LAYOUT_H
#define HUPVM_X86_LAYOUT_H

#define X86_GDT_ADDR	     0x500ull
#define X86_BOOT_PARAMS_ADDR 0x7000ull
#define X86_PML4_ADDR	     0x9000ull
#define X86_PDPT_ADDR	     0xa000ull
#define X86_PD_ADDR	     0xb000ull /* 4 pages */
#define X86_BOOT_STACK	     0x8ff0ull
#define X86_CMDLINE_ADDR     0x20000ull
#define X86_CMDLINE_MAX	     0x10000ull
#define X86_EBDA_START	     0x9fc00ull
#define X86_ACPI_ADDR	     0xe0000ull
#define X86_ACPI_SIZE	     0x20000ull
#define X86_HIMEM_START	     0x100000ull
#define X86_LOWMEM_LIMIT     0xc0000000ull
#define X86_HIGHMEM_BASE     0x100000000ull
#define X86_IOAPIC_ADDR	     0xfec00000ull
#define X86_LAPIC_ADDR	     0xfee00000ull
#define X86_TSS_ADDR	     0xfffbd000ull

#define X86_BOOT_CS 0x10 /* the boot protocol's __BOOT_CS */
#define X86_BOOT_DS 0x18 /* and __BOOT_DS */

/* Legacy ports and IRQs of our devices. */
#define X86_SERIAL_PORT	 0x3f8
#define X86_SERIAL_IRQ	 4
#define X86_ACPI_PM_PORT 0x600
#define X86_SCI_IRQ	 9
/* The upcall baseline's line (abi.h): ISA IRQ 5, which no device of ours
 * uses, so the guest maps it 1:1 (acpi_register_gsi) with no MADT entry. */
#define X86_UPCALL_GSI	 5

#endif
