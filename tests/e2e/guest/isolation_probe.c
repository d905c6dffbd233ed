// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two query programs for guest-isolation-e2e (test_isolation_e2e.py): the
 * same object registered with different windows, beside each other.
 *
 *   peek  reads jiffies_64 and answers it (8 bytes); returns 0.
 *   poke  reads jiffies_64 and answers it, then writes 'X' over the first
 *         letter of the guest's hostname (init_uts_ns.name.nodename);
 *         returns 1.
 *
 * Registered with a writable kernel-image window, poke renames the guest;
 * with no window, or with the kernel image read-only, its run must end at
 * the access its windows do not allow (a fault, counted), whatever windows
 * the programs beside it hold, and the hostname must stay as it was.
 */
#include <hyperupcall.h>

struct new_utsname {
	char nodename[65];
} __hup_core;

struct uts_namespace {
	struct new_utsname name;
} __hup_core;

extern struct uts_namespace init_uts_ns __ksym;
extern __u64 jiffies_64 __ksym;

HUP_QUERY("peek")
long peek(struct hup_query_ctx *ctx)
{
	__u64 j = jiffies_64;

	(void)ctx;
	hup_output(&j, sizeof(j));
	return 0;
}

HUP_QUERY("poke")
long poke(struct hup_query_ctx *ctx)
{
	__u64 j = jiffies_64;

	(void)ctx;
	hup_output(&j, sizeof(j));
	init_uts_ns.name.nodename[0] = 'X';
	return 1;
}

HUP_LICENSE("GPL");
