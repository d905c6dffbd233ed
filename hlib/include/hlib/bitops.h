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

/* Index of the lowest / highest set bit; word must not be 0. */
#define __ffs(word) ((unsigned long)__builtin_ctzl(word))
#define __fls(word) ((unsigned long)(63 - __builtin_clzl(word)))
/* 1-based, 0 if none, as the kernel's ffs/fls. */
#define ffs(x) __builtin_ffs(x)
#define fls64(x) ((x) ? 64 - __builtin_clzll(x) : 0)
#define hweight64(x) ((unsigned int)__builtin_popcountll(x))
#define hweight32(x) ((unsigned int)__builtin_popcount(x))

#endif /* HLIB_BITOPS_H */
