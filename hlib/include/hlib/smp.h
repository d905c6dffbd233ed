/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/smp.h: the guest kernel's cross-CPU function calls as the host
 * sees them.  A CPU that wants another to run a function queues a
 * call_single_data_t (csd) on the target's per-CPU lock-free list
 * call_single_queue (an llist: senders only ever cmpxchg its head), sends
 * an IPI if the list was empty, and, for a synchronous call, spins until
 * the target clears CSD_FLAG_LOCK in the csd's flags.  The target takes
 * the whole list (xchg), runs each function, then clears the flag.
 *
 * The layouts (an llist_node, the flags word inside an anonymous union,
 * the function pointer) are found by CO-RE; the flag and type values are
 * the same in every kernel Debian ships (include/linux/smp_types.h).
 */
#ifndef HLIB_SMP_H
#define HLIB_SMP_H

#include <hlib/core.h>
#include <hlib/percpu.h>

#define HLIB_CSD_FLAG_LOCK 0x01u
#define HLIB_CSD_TYPE_MASK 0xf0u
#define HLIB_CSD_TYPE_SYNC 0x10u

struct llist_node___hlib {
	struct llist_node___hlib *next;
} __hup_core;
struct llist_head___hlib {
	struct llist_node___hlib *first;
} __hup_core;
struct __call_single_node___hlib {
	struct llist_node___hlib llist;
	unsigned int u_flags;
} __hup_core;
struct __call_single_data___hlib {
	struct __call_single_node___hlib node;
	void *func;
} __hup_core;

/* The per-CPU queue (kernel/smp.c); its value is a per-CPU offset. */
extern struct llist_head___hlib call_single_queue __ksym;

/* Guest address of CPU cpu's call_single_queue. */
static __always_inline __u64 hlib_call_queue(__u32 cpu)
{
	return (__u64)(unsigned long)per_cpu_ptr(&call_single_queue, cpu);
}

#endif /* HLIB_SMP_H */
