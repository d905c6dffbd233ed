/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A fake guest for the hyperupcall backend's unit tests: guest RAM is a
 * real memfd (mem.c, no KVM), page tables are built into it with a bump
 * allocator, and small BPF programs are assembled with the macros below.
 */
#ifndef HUPVM_TEST_FAKEGUEST_H
#define HUPVM_TEST_FAKEGUEST_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <hyperupcall/abi.h>

#include "hup_insn.h"
#include "hup_test_pt.h"
#include "hyperupcall/ptwalk.h"
#include "mem.h"

#define FG_4K 0x1000ull
#define FG_2M 0x200000ull
#define FG_1G 0x40000000ull
#define FG_TABLES 0x100000ull /* bump allocator for tables: 1 MiB.. */
#define FG_TABLES_END 0x400000ull

struct fake_guest {
	struct mem mem;
	struct ptw_root root;	/* what hupvm's walker is given */
	struct hup_test_pt pt;	/* the builder of the tables root points at */
};

static inline void *fg_hva(struct fake_guest *g, uint64_t gpa, uint64_t len)
{
	return mem__gpa_to_hva(&g->mem, gpa, len);
}

static inline void *fg_pt_table(void *g, uint64_t pa)
{
	return fg_hva(g, pa, FG_4K);
}

/* RAM [0, low) and [high, high + size - low). */
static inline int fg_init(struct fake_guest *g, uint64_t size, uint64_t low,
			  uint64_t high, bool la57)
{
	int err = mem__create(&g->mem, size, low, high);

	if (err)
		return err;
	g->pt = (struct hup_test_pt){ .table = fg_pt_table, .ctx = g,
				      .levels = la57 ? 5 : 4, .next = FG_TABLES };
	g->pt.root = hup_test_pt__new_table(&g->pt);
	g->root.la57 = la57;
	g->root.cr3 = g->pt.root;
	return 0;
}

static inline uint64_t *fg_entry(struct fake_guest *g, uint64_t table,
				 uint64_t va, int level)
{
	return hup_test_pt__entry(&g->pt, table, va, level);
}

/* Map gva -> gpa with a page of `size` (4K, 2M or 1G); flags | P | RW. */
static inline void fg_map(struct fake_guest *g, uint64_t gva, uint64_t gpa,
			  uint64_t size, uint64_t flags)
{
	int leaf = size == FG_1G ? 3 : size == FG_2M ? 2 : 1;

	hup_test_pt__set(&g->pt, gva, leaf,
			 gpa | flags | PTW_PRESENT | PTW_WRITE | (leaf > 1 ? PTW_PS : 0),
			 PTW_PRESENT | PTW_WRITE);
}

static inline void fg_unmap(struct fake_guest *g, uint64_t gva)
{
	hup_test_pt__clear(&g->pt, gva);
}

/* ---- BPF assembly */
/* INSN() .. LD_PSEUDO(): tests/include/hup_insn.h */
/* r1 = host pointer for the constant guest address gva (clobbers r2, r3) */
#define VIEW_PTR(gva)                                                        \
	LD_PSEUDO(2, HUP_PSEUDO_VIEW_MASK), LD_PSEUDO(3, HUP_PSEUDO_VIEW_BASE), \
	    LD_IMM64(1, gva), ALU64_REG(BPF_AND, 1, 2),                       \
	    ALU64_REG(BPF_ADD, 1, 3)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
