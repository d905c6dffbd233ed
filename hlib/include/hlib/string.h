/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/string.h: bounded memory and string functions.  n must be a
 * compile-time constant (they unroll: no back-edge); either side may be
 * guest memory (plain pointers, translated by the pass) or host memory (the
 * stack).  Copies bigger than HLIB_INLINE_COPY_MAX go through the
 * guest_read / guest_write helpers instead (hlib_guest_read/_write).
 */
#ifndef HLIB_STRING_H
#define HLIB_STRING_H

#include <hlib/core.h>

#define HLIB_INLINE_COPY_MAX 256
#define HLIB_MAX_STR 256

#define __hlib_const_n(n)                                                    \
	BUILD_BUG_ON(!__builtin_constant_p(n) || (n) > HLIB_INLINE_COPY_MAX)

/* memcpy/memset of a constant size, expanded into loads and stores. */
#define hlib_memcpy(dst, src, n)                                             \
	({                                                                   \
		__hlib_const_n(n);                                           \
		__builtin_memcpy(dst, src, n);                               \
	})
#define hlib_memset(dst, c, n)                                               \
	({                                                                   \
		__hlib_const_n(n);                                           \
		__builtin_memset(dst, c, n);                                 \
	})

/* Big copies between the stack and guest memory, through helpers. */
#define hlib_guest_read(dst, gptr, n)                                        \
	hup_guest_read(dst, n, HUP_GVA(gptr))
#define hlib_guest_write(gptr, src, n)                                       \
	hup_guest_write(HUP_GVA(gptr), src, n)

/*
 * strncpy as the kernel's (dst padded with NULs up to n), but always
 * terminated; returns the length, at most n - 1, which the verifier knows:
 * it may size a hup_output().  Every store is at a constant offset once
 * unrolled, and every byte of dst is written (a helper may read it all).
 * dst is cleared first and the characters copied over it: the length is
 * then the index of the first NUL, one constant per path.  (Counting the
 * characters instead lets clang defer the sum of per-byte flags to the
 * end, where the verifier sees an unbounded 32-bit value, and from n = 62
 * keep the flags on the stack past its 512 bytes.)  No `break` (see
 * hlib_strncmp); bytes after the NUL are not read.
 */
#define hlib_strncpy(dst, src, n)                                            \
	({                                                                   \
		BUILD_BUG_ON((n) > HLIB_MAX_STR || (n) < 1);                 \
		char *__d = (char *)(dst);                                   \
		const char *__s = (const char *)(src);                       \
		unsigned long __len = (n) - 1;                               \
		int __done = 0;                                              \
		hlib_memset(__d, 0, (n));                                    \
		_Pragma("unroll")                                            \
		for (unsigned int __i = 0; __i < (unsigned int)(n) - 1; __i++) { \
			if (!__done) {                                       \
				char __c = READ_ONCE(__s[__i]);              \
				if (__c) {                                   \
					__d[__i] = __c;                      \
				} else {                                     \
					__done = 1;                          \
					__len = __i;                         \
				}                                            \
			}                                                    \
		}                                                            \
		/* Opaque to clang, which would drop the clamp it can prove \
		 * useless; the verifier then has the bound in any case. */  \
		asm volatile("" : "+r"(__len));                              \
		if (__len > (n) - 1)                                         \
			__len = (n) - 1;                                     \
		__len;                                                       \
	})

/* strncmp over at most n characters.  No early exit (a `break` in the
 * unrolled loop keeps clang from unrolling it when it sits inside another
 * unrolled loop, a list walk: the verifier then rejects the back-edge);
 * bytes after the first difference or NUL are not read, so a string that
 * ends just before a hole in guest memory does not fault. */
#define hlib_strncmp(a, b, n)                                                \
	({                                                                   \
		BUILD_BUG_ON((n) > HLIB_MAX_STR);                            \
		const unsigned char *__a = (const unsigned char *)(a);       \
		const unsigned char *__b = (const unsigned char *)(b);       \
		int __r = 0, __done = 0;                                     \
		_Pragma("unroll")                                            \
		for (unsigned int __i = 0; __i < (unsigned int)(n); __i++) { \
			if (!__done) {                                       \
				unsigned char __x = READ_ONCE(__a[__i]);     \
				unsigned char __y = READ_ONCE(__b[__i]);     \
				if (__x != __y)                              \
					__r = __x < __y ? -1 : 1;            \
				__done = __x != __y || !__x;                 \
			}                                                    \
		}                                                            \
		__r;                                                         \
	})

#endif /* HLIB_STRING_H */
