/* SPDX-License-Identifier: BSD-2-Clause */
/* hlib/bitops.h on guest bitmaps (a cpumask in the kernel image, a bitmap
 * in the direct map), on the stack, and the bit-search builtins. */
#include "common.h"

#ifdef HLIB_TEST_BTF
extern struct cpumask __cpu_online_mask __ksym;
#define ONLINE_BITS __cpu_online_mask.bits
#else
extern unsigned long __cpu_online_mask[128] __ksym;
#define ONLINE_BITS __cpu_online_mask
#endif

/* test_bit(arg0, cpu_online_mask). */
HUP_QUERY()
long online(struct hup_query_ctx *c)
{
	return test_bit(c->arg[0], ONLINE_BITS);
}

/* On the guest bitmap at arg0: set_bit(arg1), clear_bit(arg2),
 * __set_bit(arg3), __clear_bit(arg3 + 1); returns test_bit of arg1, arg2,
 * arg3, arg3 + 1 as 4 bits. */
HUP_QUERY()
long modify(struct hup_query_ctx *c)
{
	unsigned long *map = G(unsigned long, c->arg[0]);

	set_bit(c->arg[1], map);
	clear_bit(c->arg[2], map);
	__set_bit(c->arg[3], map);
	__clear_bit(c->arg[3] + 1, map);
	return test_bit(c->arg[1], map) | test_bit(c->arg[2], map) << 1 |
	       test_bit(c->arg[3], map) << 2 | test_bit(c->arg[3] + 1, map) << 3;
}

/* set_bit(arg0) on cpu_online_mask: the kernel image is read-only. */
HUP_QUERY()
long set_online(struct hup_query_ctx *c)
{
	set_bit(c->arg[0], ONLINE_BITS);
	return 0;
}

/* A stack bitmap (constant bit numbers: the verifier refuses a variable
 * offset on the stack), and the searches of arg0. */
HUP_QUERY()
long search(struct hup_query_ctx *c)
{
	unsigned long m[2] = { 0, 0 };
	__u64 x = c->arg[0], out[8];

	__set_bit(70, m);
	__set_bit(1, m);
	__set_bit(3, m);
	__clear_bit(3, m);
	out[0] = x ? __ffs(x) : 99;
	out[1] = x ? __fls(x) : 99;
	out[2] = (__u64)ffs((int)x);
	out[3] = (__u64)fls64(x);
	out[4] = hweight64(x);
	out[5] = hweight32((__u32)x);
	out[6] = m[0];
	out[7] = (__u64)(test_bit(70, m) + 2 * test_bit(71, m));
	out[6] ^= m[1];
	hup_output(out, sizeof(out));
	return 0;
}
