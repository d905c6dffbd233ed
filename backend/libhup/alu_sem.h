/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ISA's arithmetic where C's differs (RFC 9669): division and modulo by
 * zero, signed division of the minimum by -1, arithmetic right shift.  One
 * definition for the interpreter (the reference semantics) and the
 * verifier's constant folding: if the two drifted apart the verifier would
 * believe values the programs never compute, which is unsound.  The JIT's
 * code is checked against the interpreter by the differential tests.
 */
#ifndef HUP_ALU_SEM_H
#define HUP_ALU_SEM_H

#include <stdint.h>

/* Division by zero gives 0 (RFC 9669). */
static inline uint64_t udiv64(uint64_t a, uint64_t b)
{
	return b ? a / b : 0;
}

static inline uint32_t udiv32(uint32_t a, uint32_t b)
{
	return b ? a / b : 0;
}

/* Modulo by zero leaves the dividend (the 32-bit form zero-extends it). */
static inline uint64_t umod64(uint64_t a, uint64_t b)
{
	return b ? a % b : a;
}

static inline uint32_t umod32(uint32_t a, uint32_t b)
{
	return b ? a % b : a;
}

/*
 * Signed forms.  INT_MIN / -1 overflows (undefined in C, #DE on x86); the
 * ISA defines it as the wrapped negation, and INT_MIN % -1 as 0, so -1 is
 * handled without dividing.  The conversions to signed types are
 * implementation defined (modular in gcc and clang), not undefined.
 */
static inline uint64_t sdiv64(uint64_t a, uint64_t b)
{
	if (!b)
		return 0;
	if (b == UINT64_MAX)
		return 0 - a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint32_t sdiv32(uint32_t a, uint32_t b)
{
	if (!b)
		return 0;
	if (b == UINT32_MAX)
		return 0 - a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}

/* Truncated modulo: the result takes the dividend's sign, as in C. */
static inline uint64_t smod64(uint64_t a, uint64_t b)
{
	if (!b)
		return a;
	if (b == UINT64_MAX)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint32_t smod32(uint32_t a, uint32_t b)
{
	if (!b)
		return a;
	if (b == UINT32_MAX)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

/* Arithmetic right shift; gcc and clang define >> of a negative value. */
static inline uint64_t arsh64(uint64_t a, uint64_t n)
{
	return (uint64_t)((int64_t)a >> (n & 63));
}

static inline uint32_t arsh32(uint32_t a, uint32_t n)
{
	return (uint32_t)((int32_t)a >> (n & 31));
}

#endif /* HUP_ALU_SEM_H */
