/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/list.h: bounded walks of the guest kernel's lists (list_head and
 * hlist).  The host verifier rejects every back-edge, so each walk is a
 * loop with a constant bound that clang unrolls completely (max iterations
 * at most HLIB_MAX_UNROLL); a walk that may be longer stops at the bound,
 * and the caller can tell (the cursor is not back at the head).  For long
 * walks use hup_loop() (HUP_FN_loop) with a callback instead.
 *
 *	struct task_struct *p;
 *	list_for_each_entry_bounded(p, &init_task.tasks, tasks, 64)
 *		n++;
 */
#ifndef HLIB_LIST_H
#define HLIB_LIST_H

#include <hlib/core.h>

/* Bigger bounds blow up the program (HUP_MAX_INSNS is 4,096). */
#define HLIB_MAX_UNROLL 256

#ifndef __VMLINUX_H__
/* Without vmlinux.h: the kernel's definitions, CO-RE relocatable. */
struct list_head {
	struct list_head *next, *prev;
} __hup_core;
struct hlist_node {
	struct hlist_node *next, **pprev;
} __hup_core;
struct hlist_head {
	struct hlist_node *first;
} __hup_core;
#endif

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member)                                 \
	list_entry(READ_ONCE((head)->next), type, member)
#define list_next_entry(pos, member)                                         \
	list_entry(READ_ONCE((pos)->member.next), __typeof__(*(pos)), member)
#define hlist_entry(ptr, type, member) container_of(ptr, type, member)

static __always_inline int list_empty(const struct list_head *head)
{
	return READ_ONCE(head->next) == head;
}

#define __hlib_bound(max)                                                    \
	BUILD_BUG_ON((max) > HLIB_MAX_UNROLL || (max) < 1)

/*
 * pos walks the entries of the list at head (a guest pointer), at most max
 * of them.  Unrolled: no back-edge.
 */
#define list_for_each_entry_bounded(pos, head, member, max)                  \
	__hlib_bound(max);                                                   \
	_Pragma("unroll")                                                    \
	for (unsigned int __hlib_i =                                         \
		     ((pos) = list_first_entry(head, __typeof__(*(pos)),     \
					       member), 0u);                 \
	     __hlib_i < (unsigned int)(max) && &(pos)->member != (head);     \
	     __hlib_i++, (pos) = list_next_entry(pos, member))

/* The raw list_head walk. */
#define list_for_each_bounded(pos, head, max)                                \
	__hlib_bound(max);                                                   \
	_Pragma("unroll")                                                    \
	for (unsigned int __hlib_i = ((pos) = READ_ONCE((head)->next), 0u);  \
	     __hlib_i < (unsigned int)(max) && (pos) != (head);              \
	     __hlib_i++, (pos) = READ_ONCE((pos)->next))

/* An hlist bucket: pos is the entry, NULL-terminated. */
#define hlist_for_each_entry_bounded(pos, head, member, max)                 \
	__hlib_bound(max);                                                   \
	_Pragma("unroll")                                                    \
	for (unsigned int __hlib_i = 0;                                      \
	     __hlib_i < (unsigned int)(max) &&                               \
	     ({                                                              \
		     struct hlist_node *__n = __hlib_i ?                      \
			     READ_ONCE((pos)->member.next) :                 \
			     READ_ONCE((head)->first);                       \
		     (pos) = __n ? hlist_entry(__n, __typeof__(*(pos)),      \
					       member) : NULL;               \
		     __n != NULL;                                            \
	     });                                                             \
	     __hlib_i++)

#endif /* HLIB_LIST_H */
