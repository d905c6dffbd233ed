/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Linux x86 boot protocol, 64-bit entry: parse a bzImage's setup header,
 * copy the protected-mode kernel to its preferred address, place the
 * initrd below initrd_addr_max, and fill boot_params (command line, e820
 * map, RSDP).  The vCPU state for the entry lives in regs.c.
 *
 * The parsing and placement steps are pure functions over buffers so that
 * tests/unit/hupvm exercises them with crafted headers.
 */
#ifndef HUPVM_X86_BOOT_H
#define HUPVM_X86_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

struct bzimage {
	uint16_t version;    /* boot protocol, e.g. 0x020f */
	uint32_t setup_size; /* bytes before the protected-mode kernel */
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t kernel_alignment;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size; /* max length, excluding the NUL */
	uint16_t xloadflags;
	uint8_t relocatable;
	uint32_t hdr_end; /* end of the setup header in the image */
};

struct e820_entry_x {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

#define BOOT_E820_MAX	   8u
#define BOOT_E820_RAM	   1u
#define BOOT_E820_RESERVED 2u

struct boot_config {
	const char *kernel_path;
	const char *initrd_path; /* may be NULL */
	const char *cmdline;
	uint64_t rsdp_gpa;
};

struct boot_result {
	uint64_t entry;	      /* 64-bit entry point */
	uint64_t boot_params; /* %rsi at entry */
	uint64_t kernel_addr;
	uint64_t initrd_addr;
	uint64_t initrd_size;
};

int bzimage__parse(const uint8_t *img, size_t len, struct bzimage *bz);
/* The e820 map of m's layout; returns the number of entries. */
unsigned int boot__e820(const struct mem *m, struct e820_entry_x *e,
			unsigned int max);
/* Top-of-low-RAM placement; -ENOSPC if it would overlap [0, floor). */
int boot__initrd_addr(uint64_t low_end, uint32_t addr_max, uint64_t size,
		      uint64_t floor, uint64_t *addr);
int boot__load(struct mem *m, const struct boot_config *cfg,
	       struct boot_result *res);

#endif
