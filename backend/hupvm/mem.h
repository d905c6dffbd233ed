/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Guest RAM: one memfd (so later components can map pieces of it again,
 * e.g. the hyperupcall windows, or dump it), mapped once in hupvm and split
 * into at most two guest-physical regions around the architecture's MMIO
 * hole: [0, low) and [high_base, high_base + size - low).
 *
 * mem__gpa_to_hva is the one translation every guest-supplied address goes
 * through: it answers NULL unless the whole [gpa, gpa + len) lies in RAM.
 */
#ifndef HUPVM_MEM_H
#define HUPVM_MEM_H

#include <stdint.h>

#define MEM_MAX_REGIONS 2u

struct mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

struct mem {
	int fd;
	uint8_t *hva; /* the whole memfd mapping */
	uint64_t size;
	struct mem_region regions[MEM_MAX_REGIONS];
	unsigned int nr;
};

/* Split points are arch policy: x86 passes its 3 GiB / 4 GiB layout. */
int mem__create(struct mem *m, uint64_t size, uint64_t low_limit,
		uint64_t high_base);
void mem__destroy(struct mem *m);
void *mem__gpa_to_hva(const struct mem *m, uint64_t gpa, uint64_t len);
/*
 * The memfd offset of [gpa, gpa + len), which must lie inside one RAM
 * region (len > 0): 0, or -EFAULT.  What the hyperupcall view maps.
 */
int mem__gpa_to_offset(const struct mem *m, uint64_t gpa, uint64_t len,
		       uint64_t *off);
/* Compute the regions without allocating (pure; used by tests). */
int mem__layout(struct mem *m, uint64_t size, uint64_t low_limit,
		uint64_t high_base);

#endif
