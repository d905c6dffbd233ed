/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The verifier's value domain: what is known about a 64-bit number.  Each
 * scalar carries known bits (a tnum: value + mask of unknown bits), a signed
 * and an unsigned 64-bit range, and a signed and an unsigned range of its
 * low 32 bits.  Every ALU operation maps these to a sound over-
 * approximation of the result; conditional jumps narrow them on each
 * branch.  Constants are folded exactly with the engines' semantics (so a
 * program computing with constants is judged on the values it will really
 * have).  When unsure, a result is made unknown: imprecision costs only
 * rejections, never safety.
 */
#include "alu_sem.h"
#include "env.h"

#include <limits.h>

#define U32_MAX_ 0xffffffffull
#define SIGN64 (1ull << 63)
#define SIGN32 (1ull << 31)

/* ---------------------------------------------------------------- tnum */

struct hup_tnum hup_tnum_const(uint64_t v)
{
	return (struct hup_tnum){v, 0};
}

struct hup_tnum hup_tnum_unknown(void)
{
	return (struct hup_tnum){0, ~0ull};
}

struct hup_tnum hup_tnum_range(uint64_t min, uint64_t max)
{
	uint64_t diff = min ^ max, delta;
	int bits;

	if (min > max)
		return hup_tnum_unknown();
	if (!diff)
		return hup_tnum_const(min);
	bits = 64 - __builtin_clzll(diff);
	if (bits >= 64)
		return hup_tnum_unknown();
	delta = (1ull << bits) - 1;
	return (struct hup_tnum){min & ~delta, delta};
}

bool hup_tnum_is_const(struct hup_tnum t)
{
	return !t.mask;
}

bool hup_tnum_in(struct hup_tnum a, struct hup_tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	return ((a.value ^ b.value) & ~a.mask) == 0;
}

static struct hup_tnum tnum_add(struct hup_tnum a, struct hup_tnum b)
{
	uint64_t sv = a.value + b.value, sm = a.mask + b.mask;
	uint64_t carries = (sv + sm) ^ sv;
	uint64_t mu = carries | a.mask | b.mask;

	return (struct hup_tnum){sv & ~mu, mu};
}

static struct hup_tnum tnum_sub(struct hup_tnum a, struct hup_tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t hi = dv + a.mask, lo = dv - b.mask;
	uint64_t mu = (hi ^ lo) | a.mask | b.mask;

	return (struct hup_tnum){dv & ~mu, mu};
}

static struct hup_tnum tnum_and(struct hup_tnum a, struct hup_tnum b)
{
	uint64_t v = a.value & b.value;

	return (struct hup_tnum){v, (a.value | a.mask) & (b.value | b.mask) & ~v};
}

static struct hup_tnum tnum_or(struct hup_tnum a, struct hup_tnum b)
{
	uint64_t v = a.value | b.value;

	return (struct hup_tnum){v, (a.mask | b.mask) & ~v};
}

static struct hup_tnum tnum_xor(struct hup_tnum a, struct hup_tnum b)
{
	uint64_t mu = a.mask | b.mask;

	return (struct hup_tnum){(a.value ^ b.value) & ~mu, mu};
}

/* Long multiplication over known bits: sum of b shifted by a's bits. */
static struct hup_tnum tnum_mul(struct hup_tnum a, struct hup_tnum b)
{
	struct hup_tnum acc = hup_tnum_const(a.value * b.value);
	struct hup_tnum unk = hup_tnum_const(0);
	int i;

	for (i = 0; i < 64 && (a.value | a.mask); i++) {
		if (a.mask & 1)
			unk = tnum_add(unk, (struct hup_tnum){0, b.value | b.mask});
		else if (a.value & 1)
			unk = tnum_add(unk, (struct hup_tnum){0, b.mask});
		a.value >>= 1, a.mask >>= 1;
		b.value <<= 1, b.mask <<= 1;
	}
	return tnum_add(acc, unk);
}

static struct hup_tnum tnum_intersect(struct hup_tnum a, struct hup_tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask & b.mask;

	return (struct hup_tnum){v & ~mu, mu};
}

static bool tnum_conflict(struct hup_tnum a, struct hup_tnum b)
{
	return ((a.value ^ b.value) & ~(a.mask | b.mask)) != 0;
}

static struct hup_tnum tnum_low32(struct hup_tnum t)
{
	return (struct hup_tnum){t.value & U32_MAX_, t.mask & U32_MAX_};
}

static struct hup_tnum tnum_with_low32(struct hup_tnum t, struct hup_tnum lo)
{
	return (struct hup_tnum){(t.value & ~U32_MAX_) | (lo.value & U32_MAX_),
				 (t.mask & ~U32_MAX_) | (lo.mask & U32_MAX_)};
}

/* ---------------------------------------------------------------- marks */

static void set_full_ranges(struct hup_vreg *r)
{
	r->smin = INT64_MIN, r->smax = INT64_MAX;
	r->umin = 0, r->umax = UINT64_MAX;
	r->s32min = INT32_MIN, r->s32max = INT32_MAX;
	r->u32min = 0, r->u32max = UINT32_MAX;
}

void hup_reg__mark_not_init(struct hup_vreg *r)
{
	*r = (struct hup_vreg){0};
	r->type = HUP_VT_NOT_INIT;
}

void hup_reg__mark_unknown(struct hup_vreg *r)
{
	*r = (struct hup_vreg){0};
	r->type = HUP_VT_SCALAR;
	r->var = hup_tnum_unknown();
	set_full_ranges(r);
}

void hup_reg__mark_const(struct hup_vreg *r, uint64_t v)
{
	*r = (struct hup_vreg){0};
	r->type = HUP_VT_SCALAR;
	r->var = hup_tnum_const(v);
	r->smin = r->smax = (int64_t)v;
	r->umin = r->umax = v;
	r->s32min = r->s32max = (int32_t)(uint32_t)v;
	r->u32min = r->u32max = (uint32_t)v;
}

void hup_reg__mark_urange(struct hup_vreg *r, uint64_t min, uint64_t max)
{
	hup_reg__mark_unknown(r);
	r->umin = min, r->umax = max;
	hup_reg__sync(r);
}

void hup_reg__mark_sized(struct hup_vreg *r, unsigned int size, bool sext)
{
	uint64_t top = size >= 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;

	hup_reg__mark_unknown(r);
	if (size >= 8)
		return;
	if (!sext) {
		r->var = (struct hup_tnum){0, top};
		r->umax = top;
	} else {
		int64_t half = (int64_t)(top >> 1);

		r->smin = -half - 1, r->smax = half;
	}
	hup_reg__sync(r);
}

bool hup_reg__is_const(const struct hup_vreg *r)
{
	return r->type == HUP_VT_SCALAR && hup_tnum_is_const(r->var);
}

/* ---------------------------------------------------------------- sync */

#define MAXU(a, b) ((a) > (b) ? (a) : (b))
#define MINU(a, b) ((a) < (b) ? (a) : (b))

static void sync_once(struct hup_vreg *r)
{
	struct hup_tnum t = r->var, lo = tnum_low32(t);
	uint64_t hi;

	/* ranges from known bits */
	r->umin = MAXU(r->umin, t.value);
	r->umax = MINU(r->umax, t.value | t.mask);
	r->smin = MAXU(r->smin, (int64_t)(t.value | (t.mask & SIGN64)));
	r->smax = MINU(r->smax, (int64_t)(t.value | (t.mask & ~SIGN64)));
	r->u32min = MAXU(r->u32min, (uint32_t)lo.value);
	r->u32max = MINU(r->u32max, (uint32_t)(lo.value | lo.mask));
	r->s32min = MAXU(r->s32min, (int32_t)(uint32_t)(lo.value | (lo.mask & SIGN32)));
	r->s32max = MINU(r->s32max, (int32_t)(uint32_t)(lo.value | (lo.mask & ~SIGN32)));

	/* signed <-> unsigned, where the interval does not wrap */
	if ((r->umin ^ r->umax) < SIGN64) {
		r->smin = MAXU(r->smin, (int64_t)r->umin);
		r->smax = MINU(r->smax, (int64_t)r->umax);
	}
	if ((r->smin >= 0) == (r->smax >= 0)) {
		r->umin = MAXU(r->umin, (uint64_t)r->smin);
		r->umax = MINU(r->umax, (uint64_t)r->smax);
	}
	if ((r->u32min ^ r->u32max) < SIGN32) {
		r->s32min = MAXU(r->s32min, (int32_t)r->u32min);
		r->s32max = MINU(r->s32max, (int32_t)r->u32max);
	}
	if ((r->s32min >= 0) == (r->s32max >= 0)) {
		r->u32min = MAXU(r->u32min, (uint32_t)r->s32min);
		r->u32max = MINU(r->u32max, (uint32_t)r->s32max);
	}

	/* 64 -> 32: values sharing their upper half have monotone lows */
	if ((r->umin >> 32) == (r->umax >> 32)) {
		r->u32min = MAXU(r->u32min, (uint32_t)r->umin);
		r->u32max = MINU(r->u32max, (uint32_t)r->umax);
		if ((int32_t)(uint32_t)r->umin <= (int32_t)(uint32_t)r->umax) {
			r->s32min = MAXU(r->s32min, (int32_t)(uint32_t)r->umin);
			r->s32max = MINU(r->s32max, (int32_t)(uint32_t)r->umax);
		}
	}
	if ((r->smin >> 32) == (r->smax >> 32)) {
		r->u32min = MAXU(r->u32min, (uint32_t)r->smin);
		r->u32max = MINU(r->u32max, (uint32_t)r->smax);
		if ((int32_t)(uint32_t)r->smin <= (int32_t)(uint32_t)r->smax) {
			r->s32min = MAXU(r->s32min, (int32_t)(uint32_t)r->smin);
			r->s32max = MINU(r->s32max, (int32_t)(uint32_t)r->smax);
		}
	}

	/* 32 -> 64: with the upper half known, the low range bounds all */
	if (!(t.mask >> 32)) {
		hi = t.value & ~U32_MAX_;
		r->umin = MAXU(r->umin, hi | r->u32min);
		r->umax = MINU(r->umax, hi | r->u32max);
		r->smin = MAXU(r->smin, (int64_t)(hi | r->u32min));
		r->smax = MINU(r->smax, (int64_t)(hi | r->u32max));
	}

	/* known bits from ranges */
	t = tnum_intersect(t, hup_tnum_range(r->umin, r->umax));
	lo = tnum_intersect(tnum_low32(t), hup_tnum_range(r->u32min, r->u32max));
	r->var = tnum_with_low32(t, lo);
}

void hup_reg__sync(struct hup_vreg *r)
{
	if (r->type != HUP_VT_SCALAR && r->type != HUP_VT_VIEW)
		return;
	sync_once(r);
	sync_once(r);
	sync_once(r);
}

bool hup_reg__consistent(const struct hup_vreg *r)
{
	if (r->type != HUP_VT_SCALAR)
		return true;
	if (r->var.value & r->var.mask)
		return false;
	return r->umin <= r->umax && r->smin <= r->smax &&
	       r->u32min <= r->u32max && r->s32min <= r->s32max &&
	       r->var.value <= r->umax && (r->var.value | r->var.mask) >= r->umin;
}

void hup_reg__zext32(struct hup_vreg *r)
{
	uint32_t u32min = r->u32min, u32max = r->u32max;
	int32_t s32min = r->s32min, s32max = r->s32max;
	struct hup_tnum lo = tnum_low32(r->var);

	hup_reg__mark_unknown(r);
	r->var = lo;
	r->u32min = u32min, r->u32max = u32max;
	r->s32min = s32min, r->s32max = s32max;
	r->umin = u32min, r->umax = u32max;
	hup_reg__sync(r);
}

/* Forget the 32-bit ranges (stale after a 64-bit op) and re-derive. */
static void reset32(struct hup_vreg *r)
{
	r->s32min = INT32_MIN, r->s32max = INT32_MAX;
	r->u32min = 0, r->u32max = UINT32_MAX;
}

/* ---------------------------------------------------------------- consts */

static uint64_t sext(uint64_t v, unsigned int bits)
{
	unsigned int sh = 64 - bits;

	return (uint64_t)((int64_t)(v << sh) >> sh);
}

static uint64_t bswap(uint64_t v, int32_t width)
{
	switch (width) {
	case 16:
		return __builtin_bswap16((uint16_t)v);
	case 32:
		return __builtin_bswap32((uint32_t)v);
	default:
		return __builtin_bswap64(v);
	}
}

/*
 * The engines' semantics on constants: the interpreter's own definitions
 * (alu_sem.h) where C's differ (division and modulo by zero, signed
 * division of the minimum by -1, arithmetic shift), shifts masked.
 */
static uint64_t alu_fold(uint8_t op, bool is64, int16_t off, uint64_t a,
			 uint64_t b)
{
	uint64_t m = is64 ? 63 : 31;

	if (!is64) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return a << (b & m);
	case BPF_RSH: return a >> (b & m);
	case BPF_NEG: return -a;
	case BPF_ARSH:
		return is64 ? arsh64(a, b) : arsh32((uint32_t)a, (uint32_t)b);
	case BPF_MOV:
		if (off)
			return sext(a, (unsigned int)off);
		return a;
	case BPF_DIV:
		if (off == HUP_OFF_SDIV)
			return is64 ? sdiv64(a, b) : sdiv32((uint32_t)a, (uint32_t)b);
		return is64 ? udiv64(a, b) : udiv32((uint32_t)a, (uint32_t)b);
	case BPF_MOD:
		if (off == HUP_OFF_SDIV)
			return is64 ? smod64(a, b) : smod32((uint32_t)a, (uint32_t)b);
		return is64 ? umod64(a, b) : umod32((uint32_t)a, (uint32_t)b);
	}
	return 0;
}

/* ---------------------------------------------------------------- ops */

static void ranges_add(struct hup_vreg *d, const struct hup_vreg *s)
{
	int64_t lo, hi;
	uint64_t ulo, uhi;

	if (__builtin_add_overflow(d->smin, s->smin, &lo) ||
	    __builtin_add_overflow(d->smax, s->smax, &hi))
		d->smin = INT64_MIN, d->smax = INT64_MAX;
	else
		d->smin = lo, d->smax = hi;
	if (__builtin_add_overflow(d->umin, s->umin, &ulo) ||
	    __builtin_add_overflow(d->umax, s->umax, &uhi))
		d->umin = 0, d->umax = UINT64_MAX;
	else
		d->umin = ulo, d->umax = uhi;
}

static void ranges_sub(struct hup_vreg *d, const struct hup_vreg *s)
{
	int64_t lo, hi;

	if (__builtin_sub_overflow(d->smin, s->smax, &lo) ||
	    __builtin_sub_overflow(d->smax, s->smin, &hi))
		d->smin = INT64_MIN, d->smax = INT64_MAX;
	else
		d->smin = lo, d->smax = hi;
	if (d->umin >= s->umax) {
		uint64_t ulo = d->umin - s->umax, uhi = d->umax - s->umin;

		d->umin = ulo, d->umax = uhi;
	} else {
		d->umin = 0, d->umax = UINT64_MAX;
	}
}

static void ranges_mul(struct hup_vreg *d, const struct hup_vreg *s)
{
	uint64_t uhi;

	d->smin = INT64_MIN, d->smax = INT64_MAX;
	if (__builtin_mul_overflow(d->umax, s->umax, &uhi)) {
		d->umin = 0, d->umax = UINT64_MAX;
		return;
	}
	d->umin = d->umin * s->umin;
	d->umax = uhi;
}

/* Shift of a 64-bit value by a known amount k. */
static void shift64(struct hup_vreg *d, uint8_t op, unsigned int k)
{
	switch (op) {
	case BPF_LSH:
		d->var.value <<= k, d->var.mask <<= k;
		if (k && (d->umax >> (64 - k)) == 0) {
			d->umin <<= k, d->umax <<= k;
		} else if (k) {
			d->umin = 0, d->umax = UINT64_MAX;
		}
		d->smin = INT64_MIN, d->smax = INT64_MAX;
		break;
	case BPF_RSH:
		d->var.value >>= k, d->var.mask >>= k;
		d->umin >>= k, d->umax >>= k;
		d->smin = INT64_MIN, d->smax = INT64_MAX;
		break;
	case BPF_ARSH:
		d->var.value = (uint64_t)((int64_t)d->var.value >> k);
		d->var.mask = (uint64_t)((int64_t)d->var.mask >> k);
		d->smin >>= k, d->smax >>= k;
		d->umin = 0, d->umax = UINT64_MAX;
		break;
	}
}

/* dst OP= src on 64-bit values; dst and src are scalars. */
static void alu64(struct hup_vreg *d, const struct hup_vreg *s, uint8_t op,
		  int16_t off)
{
	uint64_t dmax = d->umax;

	switch (op) {
	case BPF_ADD:
		d->var = tnum_add(d->var, s->var);
		ranges_add(d, s);
		break;
	case BPF_SUB:
		d->var = tnum_sub(d->var, s->var);
		ranges_sub(d, s);
		break;
	case BPF_MUL:
		d->var = tnum_mul(d->var, s->var);
		ranges_mul(d, s);
		break;
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		d->var = op == BPF_AND ? tnum_and(d->var, s->var) :
			 op == BPF_OR ? tnum_or(d->var, s->var) :
					tnum_xor(d->var, s->var);
		set_full_ranges(d);
		/* AND of a non-negative never grows it */
		if (op == BPF_AND)
			d->umax = MINU(dmax, s->umax);
		break;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		if (hup_tnum_is_const(s->var) && s->var.value < 64) {
			shift64(d, op, (unsigned int)s->var.value);
		} else {
			hup_reg__mark_unknown(d);
			if (op == BPF_RSH)
				d->umax = dmax; /* never grows */
		}
		break;
	case BPF_NEG: {
		struct hup_vreg zero;

		hup_reg__mark_const(&zero, 0);
		d->var = tnum_sub(zero.var, d->var);
		ranges_sub(&zero, d);
		d->smin = zero.smin, d->smax = zero.smax;
		d->umin = zero.umin, d->umax = zero.umax;
		break;
	}
	case BPF_DIV:
	case BPF_MOD:
		hup_reg__mark_unknown(d);
		if (off == HUP_OFF_SDIV)
			break;
		if (op == BPF_DIV) {
			/* x / y <= x, and x / 0 == 0 */
			d->umax = dmax;
			if (s->umin)
				d->umax = dmax / s->umin;
		} else {
			/* x % y < y, and x % 0 == x */
			d->umax = s->umin ? MINU(dmax, s->umax - 1) : dmax;
		}
		break;
	case BPF_MOV:
		if (!off) {
			*d = *s;
			return;
		}
		/* movsx: the value of the low `off` bits, sign-extended */
		{
			int64_t half = (int64_t)(1ull << (off - 1));

			hup_reg__mark_unknown(d);
			d->smin = -half, d->smax = half - 1;
		}
		break;
	}
	reset32(d);
	hup_reg__sync(d);
}

/* Sign-extend the low 32 bits (for arsh32 / signed 32-bit ops). */
static void sext32(struct hup_vreg *r)
{
	int32_t lo = r->s32min, hi = r->s32max;
	struct hup_tnum t = tnum_low32(r->var);

	hup_reg__mark_unknown(r);
	if (!(t.mask & SIGN32))
		r->var = (struct hup_tnum){sext(t.value, 32), t.mask};
	else
		r->var = (struct hup_tnum){t.value, t.mask | ~U32_MAX_};
	r->smin = lo, r->smax = hi;
	hup_reg__sync(r);
}

bool hup_scalar__alu(struct hup_vreg *dst, const struct hup_vreg *src,
		     uint8_t op, bool is64, int16_t off)
{
	struct hup_vreg s = *src;

	if (op == BPF_NEG)
		s = *dst;
	/*
	 * The engines mask shift amounts by 63, or for ALU32 by 31 of the
	 * low half only.  So an ALU32 amount is its low half, masked, even
	 * when only that half is known: a source whose low half is 32 and
	 * whose high half is unknown shifts by 0, not 32 (and not
	 * "unknown").  Masking only fully known sources once let such a
	 * source reach shift64() unmasked: `w3 = 1; w3 <<= w2` was believed
	 * 0 where both engines compute 1.
	 */
	if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) {
		/* Test builds only (tests/verifier): the mutant puts the hole
		 * back, to show the oracle and the engines' confinement
		 * catch it.  The product never defines it. */
#ifndef HUP_VERIFIER_MUTANT_SHIFT32
		if (!is64)
			hup_reg__zext32(&s);
#endif
		if (hup_reg__is_const(&s))
			hup_reg__mark_const(&s, s.var.value & (is64 ? 63 : 31));
	}
	if (op == BPF_MOV && hup_reg__is_const(&s)) {
		uint64_t v = alu_fold(op, is64, off, s.var.value, 0);

		hup_reg__mark_const(dst, is64 ? v : (uint32_t)v);
		return true;
	}
	if (hup_reg__is_const(dst) && hup_reg__is_const(&s)) {
		uint64_t v = alu_fold(op, is64, off, dst->var.value,
				      s.var.value);

		hup_reg__mark_const(dst, is64 ? v : (uint32_t)v);
		return true;
	}
	if (op == BPF_MOV && !off) {
		*dst = s;
		if (!is64)
			hup_reg__zext32(dst);
		return true;
	}
	if (op == BPF_MOV && !hup_reg__is_const(&s)) {
		/* movsx of an unknown: only the sign-extended range is known */
		alu64(dst, &s, op, off);
		if (!is64)
			hup_reg__zext32(dst);
		return true;
	}
	if (is64) {
		alu64(dst, &s, op, off);
		return true;
	}
	/* 32-bit: compute on the zero-extended (or, for signed ops, sign-
	 * extended) low halves, then keep the low half. */
	if (op == BPF_ARSH) {
		sext32(dst);
		if (hup_tnum_is_const(s.var) && (s.var.value & 0xffffffffu) < 32) {
			shift64(dst, BPF_ARSH, (unsigned int)(s.var.value & 31));
			reset32(dst);
			hup_reg__sync(dst);
		} else {
			hup_reg__mark_unknown(dst);
		}
		hup_reg__zext32(dst);
		return true;
	}
	if ((op == BPF_DIV || op == BPF_MOD) && off == HUP_OFF_SDIV) {
		hup_reg__mark_unknown(dst);
		hup_reg__zext32(dst);
		return true;
	}
	hup_reg__zext32(dst);
	hup_reg__zext32(&s);
	alu64(dst, &s, op, off);
	hup_reg__zext32(dst);
	return true;
}

void hup_scalar__end(struct hup_vreg *dst, bool swap, int32_t width)
{
	if (hup_reg__is_const(dst)) {
		uint64_t v = dst->var.value;

		if (swap)
			v = bswap(v, width);
		else if (width < 64)
			v &= (1ull << width) - 1;
		hup_reg__mark_const(dst, v);
		return;
	}
	if (!swap && width == 64)
		return; /* le64 on a little-endian host: no-op */
	if (!swap) {
		/* le16/le32: truncation */
		hup_reg__mark_sized(dst, (unsigned int)width / 8, false);
		return;
	}
	hup_reg__mark_sized(dst, (unsigned int)width / 8, false);
}

/* ---------------------------------------------------------------- jumps */

/* One width's view of a register's ranges and bits. */
struct bnd {
	uint64_t umin, umax;
	int64_t smin, smax;
	struct hup_tnum t;
};

static struct bnd bnd_get(const struct hup_vreg *r, bool is32)
{
	if (!is32)
		return (struct bnd){r->umin, r->umax, r->smin, r->smax, r->var};
	return (struct bnd){r->u32min, r->u32max, r->s32min, r->s32max,
			    tnum_low32(r->var)};
}

static void bnd_put(struct hup_vreg *r, const struct bnd *b, bool is32)
{
	if (!is32) {
		r->umin = b->umin, r->umax = b->umax;
		r->smin = b->smin, r->smax = b->smax;
		r->var = b->t;
	} else {
		r->u32min = (uint32_t)b->umin, r->u32max = (uint32_t)b->umax;
		r->s32min = (int32_t)b->smin, r->s32max = (int32_t)b->smax;
		r->var = tnum_with_low32(r->var, b->t);
	}
}

static bool bnd_const(const struct bnd *b)
{
	return hup_tnum_is_const(b->t);
}

int hup_scalar__branch(const struct hup_vreg *ra, const struct hup_vreg *rb,
		       uint8_t op, bool is32)
{
	struct bnd a = bnd_get(ra, is32), b = bnd_get(rb, is32);

	switch (op) {
	case BPF_JEQ:
	case BPF_JNE: {
		int eq = -1;

		if (bnd_const(&a) && bnd_const(&b))
			eq = a.t.value == b.t.value;
		else if (tnum_conflict(a.t, b.t) || a.umin > b.umax ||
			 a.umax < b.umin || a.smin > b.smax || a.smax < b.smin)
			eq = 0;
		if (eq < 0)
			return -1;
		return op == BPF_JEQ ? eq : !eq;
	}
	case BPF_JSET:
		if (a.t.value & b.t.value)
			return 1;
		if (!((a.t.value | a.t.mask) & (b.t.value | b.t.mask)))
			return 0;
		return -1;
	case BPF_JGT:
		return a.umin > b.umax ? 1 : a.umax <= b.umin ? 0 : -1;
	case BPF_JGE:
		return a.umin >= b.umax ? 1 : a.umax < b.umin ? 0 : -1;
	case BPF_JLT:
		return a.umax < b.umin ? 1 : a.umin >= b.umax ? 0 : -1;
	case BPF_JLE:
		return a.umax <= b.umin ? 1 : a.umin > b.umax ? 0 : -1;
	case BPF_JSGT:
		return a.smin > b.smax ? 1 : a.smax <= b.smin ? 0 : -1;
	case BPF_JSGE:
		return a.smin >= b.smax ? 1 : a.smax < b.smin ? 0 : -1;
	case BPF_JSLT:
		return a.smax < b.smin ? 1 : a.smin >= b.smax ? 0 : -1;
	case BPF_JSLE:
		return a.smax <= b.smin ? 1 : a.smin > b.smax ? 0 : -1;
	}
	return -1;
}

static uint8_t negate(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGE;
	}
	return op;
}

/* a != c for a constant c: shave c off a's range ends. */
static void shave(struct bnd *a, uint64_t c, bool is32)
{
	int64_t sc = is32 ? (int32_t)(uint32_t)c : (int64_t)c;

	if (a->umin == c && a->umin < a->umax)
		a->umin++;
	else if (a->umax == c && a->umin < a->umax)
		a->umax--;
	if (a->smin == sc && a->smin < a->smax)
		a->smin++;
	else if (a->smax == sc && a->smin < a->smax)
		a->smax--;
}

bool hup_scalar__refine(struct hup_vreg *ra, struct hup_vreg *rb, uint8_t op,
			bool is32, bool taken)
{
	struct bnd a = bnd_get(ra, is32), b = bnd_get(rb, is32);
	uint64_t umax_all = is32 ? U32_MAX_ : UINT64_MAX;
	int64_t smin_all = is32 ? INT32_MIN : INT64_MIN;
	int64_t smax_all = is32 ? INT32_MAX : INT64_MAX;

	if (op == BPF_JSET) {
		/* taken: at least one common bit; nothing simple to learn
		 * unless b is one known bit.  not taken: a & b == 0. */
		if (bnd_const(&b)) {
			uint64_t c = b.t.value;

			if (taken && c && !(c & (c - 1))) {
				if (!(a.t.mask & c) && !(a.t.value & c))
					return false;
				a.t.value |= c, a.t.mask &= ~c;
			} else if (!taken) {
				if (a.t.value & c)
					return false;
				a.t.mask &= ~c;
			}
		}
		goto out;
	}
	if (!taken)
		op = negate(op);
	switch (op) {
	case BPF_JEQ:
		if (tnum_conflict(a.t, b.t))
			return false;
		a.t = b.t = tnum_intersect(a.t, b.t);
		a.umin = b.umin = MAXU(a.umin, b.umin);
		a.umax = b.umax = MINU(a.umax, b.umax);
		a.smin = b.smin = MAXU(a.smin, b.smin);
		a.smax = b.smax = MINU(a.smax, b.smax);
		break;
	case BPF_JNE:
		if (bnd_const(&a) && bnd_const(&b) && a.t.value == b.t.value)
			return false;
		if (bnd_const(&b))
			shave(&a, b.t.value, is32);
		if (bnd_const(&a))
			shave(&b, a.t.value, is32);
		break;
	case BPF_JGT: /* a > b */
		if (b.umin == umax_all || a.umax == 0)
			return false;
		a.umin = MAXU(a.umin, b.umin + 1);
		b.umax = MINU(b.umax, a.umax - 1);
		break;
	case BPF_JGE:
		a.umin = MAXU(a.umin, b.umin);
		b.umax = MINU(b.umax, a.umax);
		break;
	case BPF_JLT: /* a < b */
		if (a.umin == umax_all || b.umax == 0)
			return false;
		b.umin = MAXU(b.umin, a.umin + 1);
		a.umax = MINU(a.umax, b.umax - 1);
		break;
	case BPF_JLE:
		b.umin = MAXU(b.umin, a.umin);
		a.umax = MINU(a.umax, b.umax);
		break;
	case BPF_JSGT:
		if (b.smin == smax_all || a.smax == smin_all)
			return false;
		a.smin = MAXU(a.smin, b.smin + 1);
		b.smax = MINU(b.smax, a.smax - 1);
		break;
	case BPF_JSGE:
		a.smin = MAXU(a.smin, b.smin);
		b.smax = MINU(b.smax, a.smax);
		break;
	case BPF_JSLT:
		if (a.smin == smax_all || b.smax == smin_all)
			return false;
		b.smin = MAXU(b.smin, a.smin + 1);
		a.smax = MINU(a.smax, b.smax - 1);
		break;
	case BPF_JSLE:
		b.smin = MAXU(b.smin, a.smin);
		a.smax = MINU(a.smax, b.smax);
		break;
	}
out:
	if (a.umin > a.umax || a.smin > a.smax || b.umin > b.umax ||
	    b.smin > b.smax)
		return false;
	bnd_put(ra, &a, is32);
	bnd_put(rb, &b, is32);
	hup_reg__sync(ra);
	hup_reg__sync(rb);
	return hup_reg__consistent(ra) && hup_reg__consistent(rb);
}
