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

#define spin_trylock(lock) hlib_qspin_trylock(lock)
#define spin_unlock(lock) hlib_qspin_unlock(lock)
#define raw_spin_trylock(lock) hlib_qspin_trylock(lock)
#define raw_spin_unlock(lock) hlib_qspin_unlock(lock)

#endif /* HLIB_SPINLOCK_H */
