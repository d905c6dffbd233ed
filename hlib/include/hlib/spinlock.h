/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/spinlock.h: taking the guest's spinlocks from the host.  A
 * hyperupcall may never wait for the guest, so only the try-lock exists:
 * the guest's qspinlock (arch_spinlock_t, the first 32-bit word of
 * spinlock_t without lockdep) is taken by a cmpxchg of 0 -> _Q_LOCKED_VAL on
 * guest memory, exactly as queued_spin_trylock(), and released by clearing
 * the locked byte, as queued_spin_unlock().  The guest-pointer pass
 * translates the cmpxchg; the host JIT emits lock cmpxchg.
 */
#ifndef HLIB_SPINLOCK_H
#define HLIB_SPINLOCK_H

#include <hlib/core.h>

#define _Q_LOCKED_VAL 1u

/* Any lock whose first word is a qspinlock: spinlock_t, raw_spinlock_t. */
static __always_inline int hlib_qspin_trylock(void *lock)
{
	__u32 *val = lock;

	if (READ_ONCE(*val))
		return 0;
	return __sync_val_compare_and_swap(val, 0u, _Q_LOCKED_VAL) == 0;
}

static __always_inline void hlib_qspin_unlock(void *lock)
{
	/* x86 is TSO: a plain byte store after a compiler barrier is the
	 * kernel's smp_store_release(&lock->locked, 0). */
	barrier();
	WRITE_ONCE(*(__u8 *)lock, 0);
}

/*
 * spinlock_t of whichever kernel runs, told apart by CO-RE: a qspinlock
 * (spinlock_t.rlock.raw_lock), or on PREEMPT_RT an rt_mutex
 * (spinlock_t.lock: its raw wait_lock and its owner word).  On RT the lock
 * is taken as the kernel's own slow path does: the wait_lock first, then
 * the owner word goes from NULL to RT_MUTEX_HAS_WAITERS (1), the state the
 * kernel itself passes through under the wait_lock ("no owner, waiters
 * pending").  A guest CPU then fails the owner cmpxchg fast path, queues on
 * the wait_lock and finds the lock free once it is released; nobody reads
 * an owner task, since rt_mutex_owner() masks the bit.
 */
struct qspinlock___hlib {
	__u32 val;
} __hup_core;
struct raw_spinlock___hlib {
	struct qspinlock___hlib raw_lock;
} __hup_core;
struct spinlock___hlib {
	struct raw_spinlock___hlib rlock;
} __hup_core;
struct rt_mutex_base___hlib {
	struct raw_spinlock___hlib wait_lock;
	void *owner;
} __hup_core;
struct spinlock___hlib_rt {
	struct rt_mutex_base___hlib lock;
} __hup_core;

#define HLIB_RT_MUTEX_HAS_WAITERS 1ul

/* 1 if this kernel's spinlock_t is one of the two layouts above. */
static __always_inline int hlib_spinlock_known(void)
{
	struct spinlock___hlib *l = (void *)0;
	struct spinlock___hlib_rt *rt = (void *)0;

	return hup_core_field_exists(l->rlock) ||
	       hup_core_field_exists(rt->lock);
}

/*
 * Whether the guest's spinlock_t at lock is held (or being taken: any
 * waiter, pending bit or queued CPU counts; on PREEMPT_RT an owner or a
 * held wait_lock), or of a layout hlib does not know: 1, else 0.  Only
 * reads.  With every vCPU of the guest stopped (a reclaim), a lock seen
 * free stays free until they run again, so this answers what a try-lock
 * would, without leaving anything to release: a run the host aborts (its
 * time budget) can stop anywhere, and a lock it had taken would stay
 * taken and stop the guest for good.
 */
static __always_inline int hlib_spinlock_is_locked(void *lock)
{
	struct spinlock___hlib *l = lock;
	struct spinlock___hlib_rt *rt = lock;

	/* Addresses of the locks by CO-RE, their words read through plain
	 * pointers, as hlib_spinlock_trylock() does: qspinlock.val is an
	 * atomic_t in the kernel's BTF, not the __u32 it is here, and a
	 * CO-RE access to it would not resolve. */
	if (hup_core_field_exists(l->rlock))
		return READ_ONCE(*(__u32 *)&l->rlock.raw_lock) != 0;
	if (!hup_core_field_exists(rt->lock))
		return 1;
	if (READ_ONCE(*(__u32 *)&rt->lock.wait_lock.raw_lock))
		return 1;
	return READ_ONCE(*(unsigned long *)&rt->lock.owner) != 0;
}

/* Try to take the guest's spinlock_t at lock: 1 if taken, 0 if not (held,
 * or a layout hlib does not know).  Beware: a run the host aborts between
 * this and hlib_spinlock_unlock() leaves the lock taken; where the guest
 * is stopped, hlib_spinlock_is_locked() is the safe test. */
static __always_inline int hlib_spinlock_trylock(void *lock)
{
	struct spinlock___hlib *l = lock;
	struct spinlock___hlib_rt *rt = lock;
	unsigned long *owner;

	if (hup_core_field_exists(l->rlock))
		return hlib_qspin_trylock(&l->rlock.raw_lock);
	if (!hup_core_field_exists(rt->lock))
		return 0;
	if (!hlib_qspin_trylock(&rt->lock.wait_lock.raw_lock))
		return 0;
	owner = (unsigned long *)&rt->lock.owner;
	if (__sync_val_compare_and_swap(owner, 0ul,
					HLIB_RT_MUTEX_HAS_WAITERS) == 0)
		return 1;
	hlib_qspin_unlock(&rt->lock.wait_lock.raw_lock);
	return 0;
}

/* Release a lock hlib_spinlock_trylock() took. */
static __always_inline void hlib_spinlock_unlock(void *lock)
{
	struct spinlock___hlib *l = lock;
	struct spinlock___hlib_rt *rt = lock;

	if (hup_core_field_exists(l->rlock)) {
		hlib_qspin_unlock(&l->rlock.raw_lock);
	} else if (hup_core_field_exists(rt->lock)) {
		WRITE_ONCE(*(unsigned long *)&rt->lock.owner, 0ul);
		hlib_qspin_unlock(&rt->lock.wait_lock.raw_lock);
	}
}

/* The kernel's names.  spin_* take the qspinlock word itself (the first
 * word of spinlock_t on a non-RT kernel); hlib_spinlock_*() take any
 * spinlock_t. */
#define spin_trylock(lock) hlib_qspin_trylock(lock)
#define spin_unlock(lock) hlib_qspin_unlock(lock)
#define raw_spin_trylock(lock) hlib_qspin_trylock(lock)
#define raw_spin_unlock(lock) hlib_qspin_unlock(lock)

#endif /* HLIB_SPINLOCK_H */
