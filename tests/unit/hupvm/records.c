// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two query programs declaring records (HUP_QUERY_RECORD) of every kind
 * hupctl --obj prints: a string, signed and unsigned integers, bitfields,
 * an enum, an array, a nested structure, a bool.  For
 * hupvm-unit-hupctl_records; they are never run (the fake hupvm answers).
 */
#include <hyperupcall.h>

enum colour { RED = 1, GREEN = 2, BLUE = 300 };

struct inner {
	__u8 a;
	__s8 b;
};

struct rec {
	char name[8];
	__s32 neg;
	__u32 low : 3;
	__u32 high : 29;
	enum colour colour;
	__u16 arr[3];
	struct inner in;
	_Bool ok;
	__u64 big;
};

struct pair {
	__u32 x;
	__u32 y;
};

HUP_QUERY_RECORD(one, struct rec);
HUP_QUERY_RECORD(two, struct pair);

HUP_QUERY("one")
long one(struct hup_query_ctx *ctx)
{
	(void)ctx;
	return 0;
}

HUP_QUERY("two")
long two(struct hup_query_ctx *ctx)
{
	(void)ctx;
	return 0;
}

HUP_LICENSE("GPL");
