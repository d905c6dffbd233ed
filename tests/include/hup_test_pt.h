/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86-64 page tables built into a fake guest's memory, for the tests of
 * the code that walks them (hupvm's ptwalk, hlib's guest reads): 4 or 5
 * levels, 4 KiB, 2 MiB and 1 GiB pages.  The caller gives how to reach
 * guest memory and where new tables go; the entries' flags are its own,
 * so a test can build any entry the hardware would meet.
 */
#ifndef HUP_TEST_PT_H
#define HUP_TEST_PT_H

#include <stdint.h>
#include <string.h>

#define HUP_TEST_PT_PRESENT 0x1ull
#define HUP_TEST_PT_PS 0x80ull
#define HUP_TEST_PT_ADDR 0x000ffffffffff000ull

struct hup_test_pt {
	/* the host address of the 4 KiB table at guest-physical pa */
	void *(*table)(void *ctx, uint64_t pa);
	void *ctx;
	uint64_t root;	/* the top table's guest-physical address */
	int levels;	/* 4, or 5 (LA57) */
	uint64_t next;	/* where the next new table goes (bump allocation) */
};

/* The entry for va in the table at pa, which is at the given level
 * (1: the page table, 4: PML4, 5: PML5). */
static inline uint64_t *hup_test_pt__entry(const struct hup_test_pt *pt, uint64_t pa,
					   uint64_t va, int level)
{
	unsigned int shift = 12 + 9 * (unsigned int)(level - 1);

	return (uint64_t *)pt->table(pt->ctx, pa & HUP_TEST_PT_ADDR) + ((va >> shift) & 511);
}

/* A zeroed table at pt->next; its guest-physical address. */
static inline uint64_t hup_test_pt__new_table(struct hup_test_pt *pt)
{
	uint64_t pa = pt->next;

	pt->next += 0x1000;
	memset(pt->table(pt->ctx, pa), 0, 0x1000);
	return pa;
}

/* Set va's entry at level leaf (1: 4 KiB, 2: 2 MiB, 3: 1 GiB page) to
 * entry as given; the tables on the way that are not present are made
 * new and linked with table_flags. */
static inline void hup_test_pt__set(struct hup_test_pt *pt, uint64_t va, int leaf,
				    uint64_t entry, uint64_t table_flags)
{
	uint64_t table = pt->root;

	for (int level = pt->levels; level > leaf; level--) {
		uint64_t *e = hup_test_pt__entry(pt, table, va, level);

		if (!(*e & HUP_TEST_PT_PRESENT))
			*e = hup_test_pt__new_table(pt) | table_flags;
		table = *e & HUP_TEST_PT_ADDR;
	}
	*hup_test_pt__entry(pt, table, va, leaf) = entry;
}

/* Clear va's leaf entry (a page of any size); nothing if unmapped. */
static inline void hup_test_pt__clear(const struct hup_test_pt *pt, uint64_t va)
{
	uint64_t table = pt->root;

	for (int level = pt->levels; level >= 1; level--) {
		uint64_t *e = hup_test_pt__entry(pt, table, va, level);

		if (!(*e & HUP_TEST_PT_PRESENT))
			return;
		if (level == 1 || (*e & HUP_TEST_PT_PS)) {
			*e = 0;
			return;
		}
		table = *e & HUP_TEST_PT_ADDR;
	}
}

#endif /* HUP_TEST_PT_H */
