/* SPDX-License-Identifier: BSD-2-Clause */
/* hlib/spinlock.h on the guest's qspinlocks: a per-CPU runqueue's
 * raw_spinlock_t and a task's alloc_lock (Debian 6.1 layouts). */
#include "common.h"

extern struct rq runqueues __ksym;

/* Under CPU arg0's rq->__lock: nr_running += 1.  Returns the old value, or
 * -16 (EBUSY) if the lock is taken. */
HUP_QUERY()
long rq_bump(struct hup_query_ctx *c)
{
	struct rq *rq = per_cpu_ptr(&runqueues, c->arg[0]);
	unsigned int n;

	if (!raw_spin_trylock(&rq->__lock))
		return -16;
	n = rq->nr_running;
	rq->nr_running = n + 1;
	raw_spin_unlock(&rq->__lock);
	return n;
}

/* spin_trylock(&task->alloc_lock) of the task at arg0, left held if arg1;
 * returns 1 if taken. */
HUP_QUERY()
long task_lock(struct hup_query_ctx *c)
{
	struct task_struct *t = G(struct task_struct, c->arg[0]);
	int ok = spin_trylock(&t->alloc_lock);

	if (ok && !c->arg[1])
		spin_unlock(&t->alloc_lock);
	return ok;
}

/* spin_unlock alone on the lock at arg0. */
HUP_QUERY()
long unlock(struct hup_query_ctx *c)
{
	spin_unlock(G(spinlock_t, c->arg[0]));
	return 0;
}
