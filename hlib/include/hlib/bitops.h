/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/bitops.h: the kernel's bit operations on bitmaps of unsigned longs,
 * in guest memory (translated accesses; set_bit/clear_bit are atomic, as in
 * the kernel) or on the stack, and the bit-search builtins.
 */
#ifndef HLIB_BITOPS_H
#define HLIB_BITOPS_H

#include <hlib/core.h>

#define BITS_PER_LONG 64
#define BIT(nr) (1ul << (nr))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BIT_MASK(nr) (1ul << ((nr) % BITS_PER_LONG))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

static __always_inline int test_bit(unsigned long nr,
				    const unsigned long *addr)
{
	return (READ_ONCE(addr[BIT_WORD(nr)]) >> (nr % BITS_PER_LONG)) & 1;
}

static __always_inline void set_bit(unsigned long nr, unsigned long *addr)
{
	__sync_fetch_and_or(&addr[BIT_WORD(nr)], BIT_MASK(nr));
}

static __always_inline void clear_bit(unsigned long nr, unsigned long *addr)
{
	__sync_fetch_and_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr));
}

static __always_inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static __always_inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

/*
 * Trailing zeros of x (63 for 0), the kernel's generic __ffs: a binary
 * search.  Not __builtin_ctz: BPF has no such instruction and clang expands
 * it with a de Bruijn lookup table in .rodata, global data a hyperupcall
 * cannot have (hupcc rejects it); clang also turns popcount((x & -x) - 1)
 * and clz(x & -x) back into that ctz.
 */
static __always_inline unsigned long __hlib_ctz64(__u64 x)
{
	unsigned long n = 0;

	if (!(x & 0xffffffffull)) {
		n += 32;
		x >>= 32;
	}
	if (!(x & 0xffff)) {
		n += 16;
		x >>= 16;
	}
	if (!(x & 0xff)) {
		n += 8;
		x >>= 8;
	}
	if (!(x & 0xf)) {
		n += 4;
		x >>= 4;
	}
	if (!(x & 0x3)) {
		n += 2;
		x >>= 2;
	}
	if (!(x & 0x1))
		n += 1;
	return n;
}

/* Index of the lowest / highest set bit; word must not be 0. */
#define __ffs(word) __hlib_ctz64((__u64)(word))
#define __fls(word) ((unsigned long)(63 - __builtin_clzl(word)))
/* 1-based, 0 if none, as the kernel's ffs/fls. */
#define ffs(x)                                                               \
	({                                                                   \
		__u32 __hlib_x = (__u32)(x);                                 \
		__hlib_x ? (int)__hlib_ctz64(__hlib_x) + 1 : 0;              \
	})
#define fls64(x) ((x) ? 64 - __builtin_clzll(x) : 0)
#define hweight64(x) ((unsigned int)__builtin_popcountll(x))
#define hweight32(x) ((unsigned int)__builtin_popcount(x))

#endif /* HLIB_BITOPS_H */
