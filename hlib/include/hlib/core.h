/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/core.h: the kernel's basic helpers for hyperupcall programs:
 * container_of, READ_ONCE/WRITE_ONCE, barrier, BUILD_BUG_ON, min/max.
 * Guest pointers are plain C pointers (the guest-pointer pass translates
 * every access); these keep the kernel's names so kernel code reads the
 * same here.  Include "vmlinux.h" (if used) before any hlib header.
 */
#ifndef HLIB_CORE_H
#define HLIB_CORE_H

#include <hyperupcall.h>

#ifndef NULL
#define NULL ((void *)0)
#endif

#define barrier() __asm__ __volatile__("" ::: "memory")

/* One access, not torn, not repeated or elided by the compiler. */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)                                                   \
	do {                                                                 \
		*(volatile __typeof__(x) *)&(x) = (val);                     \
	} while (0)

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

/*
 * offsetof relocated against the running guest kernel's BTF (CO-RE), for
 * kernel structures (those of vmlinux.h).  For a structure the program
 * defines itself, which the guest kernel's BTF does not know, use
 * offsetof / container_of_local.
 */
#define hlib_offsetof(type, member)                                          \
	((unsigned long)__builtin_preserve_field_info(((type *)0)->member, 0))
#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif

/* The structure of type `type` whose `member` ptr points to. */
#define container_of(ptr, type, member)                                      \
	((type *)((char *)(ptr) - hlib_offsetof(type, member)))
#define container_of_local(ptr, type, member)                                \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* HLIB_CORE_H */
