// SPDX-License-Identifier: BSD-2-Clause
/*
 * The program registry and its grace periods (see registry.h).
 */
#include "hyperupcall/registry.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void registry__init(struct registry *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->next_id = 1;
	for (unsigned int i = 0; i <= HUP_EVENT_MAX; i++)
		atomic_init(&r->lists[i], NULL);
	for (unsigned int i = 0; i < REGISTRY_READERS; i++)
		atomic_init(&r->readers[i].seq, 0);
}

void registry__exit(struct registry *r)
{
	for (unsigned int i = 0; i <= HUP_EVENT_MAX; i++) {
		free(atomic_load(&r->lists[i]));
		atomic_store(&r->lists[i], NULL);
	}
	pthread_mutex_destroy(&r->lock);
}

void registry__read_lock(struct registry *r, unsigned int reader)
{
	struct registry_reader *rd = &r->readers[reader % REGISTRY_READERS];

	/* Only this thread writes its slot: load + store is enough. */
	atomic_store_explicit(
	    &rd->seq, atomic_load_explicit(&rd->seq, memory_order_relaxed) + 1,
	    memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
}

void registry__read_unlock(struct registry *r, unsigned int reader)
{
	struct registry_reader *rd = &r->readers[reader % REGISTRY_READERS];

	atomic_store_explicit(
	    &rd->seq, atomic_load_explicit(&rd->seq, memory_order_relaxed) + 1,
	    memory_order_release);
}

const struct registry_list *registry__list(struct registry *r, uint32_t event)
{
	if (event > HUP_EVENT_MAX)
		return NULL;
	return atomic_load_explicit(&r->lists[event], memory_order_acquire);
}

int registry__any(struct registry *r, uint32_t event)
{
	if (event > HUP_EVENT_MAX)
		return 0;
	return atomic_load_explicit(&r->lists[event], memory_order_relaxed) !=
	       NULL;
}

void registry__synchronize(struct registry *r)
{
	uint64_t snap[REGISTRY_READERS];

	atomic_thread_fence(memory_order_seq_cst);
	for (unsigned int i = 0; i < REGISTRY_READERS; i++)
		snap[i] = atomic_load_explicit(&r->readers[i].seq,
					       memory_order_acquire);
	for (unsigned int i = 0; i < REGISTRY_READERS; i++) {
		unsigned int spins = 0;

		if (!(snap[i] & 1))
			continue;
		while (atomic_load_explicit(&r->readers[i].seq,
					    memory_order_acquire) == snap[i]) {
			if (++spins < 64) {
				sched_yield();
			} else {
				struct timespec ts = {0, 50000};

				nanosleep(&ts, NULL);
			}
		}
	}
}

int registry__room(const struct registry *r, uint32_t event)
{
	const struct registry_list *l;

	if (r->nr_progs >= HUP_MAX_PROGS)
		return -ENOSPC;
	if (event > HUP_EVENT_MAX)
		return -EINVAL;
	l = atomic_load(&r->lists[event]);
	if (l && l->n >= HUP_MAX_PROGS_PER_EVENT)
		return -EBUSY;
	return 0;
}

struct registry_prog *registry__find(const struct registry *r, uint32_t id)
{
	for (unsigned int i = 0; i < HUP_MAX_PROGS; i++)
		if (r->progs[i] && r->progs[i]->id == id)
			return r->progs[i];
	return NULL;
}

/* Publish a new list for event and free the old one after a grace period. */
static void publish(struct registry *r, uint32_t event, struct registry_list *nl)
{
	struct registry_list *old;

	if (nl && !nl->n) {
		free(nl);
		nl = NULL;
	}
	old = atomic_exchange(&r->lists[event], nl);
	registry__synchronize(r);
	free(old);
}

int registry__add(struct registry *r, struct registry_prog *p)
{
	const struct registry_list *l;
	struct registry_list *nl;
	unsigned int slot;
	int err;

	err = registry__room(r, p->event);
	if (err)
		return err;
	for (slot = 0; slot < HUP_MAX_PROGS && r->progs[slot]; slot++)
		;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	l = atomic_load(&r->lists[p->event]);
	if (l)
		*nl = *l;
	nl->p[nl->n++] = p;
	/* Ids are never reused while hupvm runs (until 2^32 registrations),
	 * so a stale id from the guest cannot name a newer program. */
	p->id = r->next_id++;
	if (!r->next_id)
		r->next_id = 1;
	r->progs[slot] = p;
	r->nr_progs++;
	publish(r, p->event, nl);
	return 0;
}

int registry__remove(struct registry *r, struct registry_prog *p)
{
	const struct registry_list *l = atomic_load(&r->lists[p->event]);
	struct registry_list *nl = calloc(1, sizeof(*nl));

	if (!nl)
		return -ENOMEM;
	for (uint32_t i = 0; l && i < l->n; i++)
		if (l->p[i] != p)
			nl->p[nl->n++] = l->p[i];
	for (unsigned int i = 0; i < HUP_MAX_PROGS; i++)
		if (r->progs[i] == p)
			r->progs[i] = NULL;
	r->nr_progs--;
	publish(r, p->event, nl); /* includes the grace period */
	return 0;
}
