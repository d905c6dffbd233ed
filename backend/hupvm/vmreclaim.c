// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reclaim of one VM (see vmreclaim.h): the park callbacks of
 * backend__reclaim pause and resume hupvm's vCPUs, under the park lock.
 *
 * The locks are process-wide: hupvm runs one VM per process.
 */
#include "vmreclaim.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "vcpu.h"
#include "vm.h"

/* One reclaim at a time: two would interleave their chunks and double
 * the guest's stop rate for no gain. */
static pthread_mutex_t reclaim_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool running;
/* Held from a chunk's park to its resume, and by pause/resume/dump. */
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;

void vm__park_lock(void)
{
	pthread_mutex_lock(&park_lock);
}

int vm__park_lock_timed(unsigned int timeout_s)
{
	struct timespec dl;

	/* pthread_mutex_timedlock's deadline is CLOCK_REALTIME */
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += (time_t)timeout_s;
	return pthread_mutex_timedlock(&park_lock, &dl) ? -ETIMEDOUT : 0;
}

void vm__park_unlock(void)
{
	pthread_mutex_unlock(&park_lock);
}

void vm__resume_mask(struct vm *vm, uint64_t mask)
{
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if (mask & (1ull << i))
			vcpu__resume(&vm->vcpus[i]);
}

int vm__pause_all(struct vm *vm, uint64_t *mask)
{
	*mask = 0;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		int err = vcpu__pause(&vm->vcpus[i]);

		if (!err)
			*mask |= 1ull << i;
		else if (err != -EALREADY) {
			vm__resume_mask(vm, *mask);
			*mask = 0;
			return err;
		}
	}
	return 0;
}

struct park {
	struct vm *vm;
	uint64_t mask;
};

static int park(void *opaque)
{
	struct park *p = opaque;
	int err;

	vm__park_lock();
	err = vm__pause_all(p->vm, &p->mask);
	if (err)
		vm__park_unlock();
	return err;
}

static void unpark(void *opaque)
{
	struct park *p = opaque;

	vm__resume_mask(p->vm, p->mask);
	p->mask = 0;
	vm__park_unlock();
}

int vm__reclaim(struct vm *vm, uint32_t id,
		const struct backend_reclaim_opts *how,
		struct backend_reclaim_report *rep)
{
	struct park pk = {vm, 0};
	struct backend_reclaim_opts o = *how;
	int err;

	memset(rep, 0, sizeof(*rep));
	if (pthread_mutex_trylock(&reclaim_lock))
		return -EBUSY;
	atomic_store(&running, true);
	o.park = park;
	o.unpark = unpark;
	o.opaque = &pk;
	err = backend__reclaim(vm->hup, id, &o, rep);
	atomic_store(&running, false);
	pthread_mutex_unlock(&reclaim_lock);
	return err;
}

bool vm__reclaim_running(void)
{
	return atomic_load(&running);
}
