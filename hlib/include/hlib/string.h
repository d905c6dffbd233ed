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

/* strncpy as the kernel's (dst padded with NULs up to n), but always
 * terminated; returns the length.  Every store is at a constant offset once
 * unrolled, and every byte of dst is written (a helper may read it all). */
#define hlib_strncpy(dst, src, n)                                            \
	({                                                                   \
		BUILD_BUG_ON((n) > HLIB_MAX_STR || (n) < 1);                 \
		char *__d = (char *)(dst);                                   \
		const char *__s = (const char *)(src);                       \
		unsigned int __len = 0;                                      \
		int __done = 0;                                              \
		_Pragma("unroll")                                            \
		for (unsigned int __i = 0; __i < (unsigned int)(n) - 1; __i++) { \
			char __c = __done ? 0 : READ_ONCE(__s[__i]);         \
			__d[__i] = __c;                                      \
			__done |= !__c;                                      \
			__len += !__done;                                    \
		}                                                            \
		__d[(n) - 1] = '\0';                                         \
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
