/* SPDX-License-Identifier: BSD-2-Clause */
/* hlib/pgtable.h: the 4-level walk over page tables in guest RAM. */
#include "common.h"

/* Walk arg1 with the tables at arg0 (a CR3 value).  Returns 0 or the
 * walk's error; output: pa and the leaf entry. */
HUP_QUERY()
long walk(struct hup_query_ctx *c)
{
	__u64 out[2] = { ~0ull, ~0ull };
	int err = hlib_walk_entry(c->arg[0], c->arg[1], &out[0], &out[1]);

	hup_output(out, sizeof(out));
	return err;
}

/* hlib_walk (no leaf entry): the pa, or the error. */
HUP_QUERY()
long walk_pa(struct hup_query_ctx *c)
{
	__u64 pa = ~0ull;
	int err = hlib_walk(c->arg[0], c->arg[1], &pa);

	return err ? err : (long)pa;
}

/* An MSR-write policy with the event vCPU's CR3: 0 if the written value is
 * a mapped address whose walk agrees with hlib_pa (direct map and kernel
 * image), 1 if unmapped, 2 if they disagree, 3 if CR3 is unavailable. */
HUP_MSR_WRITE()
int walk_cr3(struct hup_msr_ctx *c)
{
	long cr3 = hup_vcpu_reg(HUP_REG_CR3);
	__u64 pa = 0;

	if (cr3 < 0)
		return 3;
	if (hlib_walk((__u64)cr3, c->value, &pa))
		return 1;
	return pa == hlib_pa(c->value) ? 0 : 2;
}
