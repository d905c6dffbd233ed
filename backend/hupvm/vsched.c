// SPDX-License-Identifier: BSD-2-Clause
/*
 * The vCPU overcommit scheduler (see vsched.h).
 */
#include "vsched.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "arch.h"
#include "hyperupcall/backend.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"
#include "vmreclaim.h"

uint64_t vsched__pick(uint32_t nr_vcpus, uint32_t pcpus, uint64_t k)
{
	uint64_t set = 0;
	uint32_t first;

	if (!nr_vcpus)
		return 0;
	if (nr_vcpus > 64)
		nr_vcpus = 64;
	if (pcpus >= nr_vcpus)
		return nr_vcpus == 64 ? ~0ull : (1ull << nr_vcpus) - 1;
	first = (uint32_t)((k % nr_vcpus) * pcpus % nr_vcpus);
	for (uint32_t j = 0; j < pcpus; j++)
		set |= 1ull << ((first + j) % nr_vcpus);
	return set;
}

/* HUP_EVENT_VCPU_DESCHED for held vCPU v (park lock held: it stays
 * parked); what the programs ask is done at its next entry. */
static void desched_run(struct vsched *s, struct vcpu *v, uint64_t now)
{
	struct backend *b = s->vm->hup;
	uint32_t actions;

	if (!backend__has_desched(b) || v->id >= 64)
		return;
	actions = backend__desched(b, v->id, now - s->held_since[v->id],
				   s->runs[v->id]++);
	atomic_fetch_or(&v->entry_actions, actions);
	atomic_fetch_add(&s->desched_runs, 1);
}

/* Hold v out of KVM_RUN; with pv_preempt tell the guest it is. */
static void deschedule(struct vsched *s, struct vcpu *v, uint64_t now)
{
	int err = vcpu__pause(v);

	if (err) {
		if (err != -ESHUTDOWN && err != -EALREADY)
			pr_warn("scheduler: vCPU %u: cannot deschedule: %s",
				v->id, strerror(-err));
		return;
	}
	atomic_fetch_add(&s->deschedules, 1);
	s->held_since[v->id] = now;
	s->runs[v->id] = 0;
	desched_run(s, v, now);
	if (!s->pv_preempt)
		return;
	err = arch__mark_preempted(v);
	if (!err)
		atomic_fetch_add(&s->pv_marks, 1);
	else if (err == -ENOENT)
		atomic_fetch_add(&s->pv_none, 1); /* early boot */
	else
		pr_warn("scheduler: vCPU %u: cannot mark it preempted: %s",
			v->id, strerror(-err));
}

/* One slice boundary: the leaving vCPUs stop before the coming ones run,
 * so no more than pcpus ever run at once. */
static void switch_to(struct vsched *s, uint64_t next)
{
	struct vm *vm = s->vm;
	uint64_t out = s->running & ~next, in = next & ~s->running;
	uint64_t now = backend__now_ns();

	vm__park_lock();
	for (uint32_t i = 0; i < vm->nr_vcpus && i < 64; i++)
		if (out & (1ull << i))
			deschedule(s, &vm->vcpus[i], now);
	for (uint32_t i = 0; i < vm->nr_vcpus && i < 64; i++)
		if (in & (1ull << i))
			vcpu__resume(&vm->vcpus[i]);
	vm__park_unlock();
	s->running = next;
}

/* Between slice boundaries: the held vCPUs' programs, once a period. */
static void held_runs(struct vsched *s)
{
	struct vm *vm = s->vm;
	uint64_t now = backend__now_ns();

	if (!backend__has_desched(vm->hup))
		return;
	vm__park_lock();
	for (uint32_t i = 0; i < vm->nr_vcpus && i < 64; i++)
		if (!(s->running & (1ull << i)) && vcpu__paused(&vm->vcpus[i]))
			desched_run(s, &vm->vcpus[i], now);
	vm__park_unlock();
}

static void add_ns(struct timespec *t, uint64_t ns)
{
	ns += (uint64_t)t->tv_nsec;
	t->tv_sec += (time_t)(ns / 1000000000ull);
	t->tv_nsec = (long)(ns % 1000000000ull);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Sleep to the absolute deadline t and count how late we woke. */
static void sleep_until(struct vsched *s, const struct timespec *t)
{
	struct timespec now;
	int64_t late;

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) ==
	       EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &now);
	late = (int64_t)(now.tv_sec - t->tv_sec) * 1000000000 +
	       (now.tv_nsec - t->tv_nsec);
	if (late < 0)
		late = 0;
	atomic_fetch_add(&s->wakeups, 1);
	atomic_fetch_add(&s->late_ns, (unsigned long)late);
	for (unsigned long m = atomic_load(&s->late_max_ns);
	     (unsigned long)late > m &&
	     !atomic_compare_exchange_weak(&s->late_max_ns, &m,
					   (unsigned long)late);)
		;
}

static void *loop(void *arg)
{
	struct vsched *s = arg;
	struct timespec slice_end, tick;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL); /* the vCPUs' kick is not ours */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	clock_gettime(CLOCK_MONOTONIC, &slice_end);
	while (!atomic_load(&s->stop) && !vm__stopping(s->vm)) {
		uint64_t k = atomic_fetch_add(&s->slices, 1);

		switch_to(s, vsched__pick(s->vm->nr_vcpus, atomic_load(&s->pcpus), k));
		/* Absolute deadlines: a slow switch does not stretch the
		 * slices after it. */
		tick = slice_end;
		add_ns(&slice_end, s->slice_ns);
		for (;;) {
			add_ns(&tick, s->period_ns);
			if (!before(&tick, &slice_end))
				tick = slice_end;
			sleep_until(s, &tick);
			if (!before(&tick, &slice_end) ||
			    atomic_load(&s->stop) || vm__stopping(s->vm))
				break;
			held_runs(s);
		}
	}
	return NULL;
}

int vsched__start(struct vsched *s, struct vm *vm,
		  const struct vsched_config *c)
{
	pthread_attr_t attr;
	struct sched_param sp = {.sched_priority = 1};
	int err;

	memset(s, 0, sizeof(*s));
	if (!c->pcpus || c->pcpus > vm->nr_vcpus || !c->slice_ms ||
	    c->slice_ms > VSCHED_MAX_SLICE_MS ||
	    c->period_us < VSCHED_MIN_PERIOD_US ||
	    c->period_us > VSCHED_MAX_PERIOD_US)
		return -EINVAL;
	s->vm = vm;
	atomic_init(&s->pcpus, c->pcpus);
	s->slice_ns = c->slice_ms * 1000000ull;
	s->period_ns = c->period_us * 1000ull;
	s->pv_preempt = c->pv_preempt;
	s->running = vsched__pick(vm->nr_vcpus, vm->nr_vcpus, 0); /* all */
	pthread_attr_init(&attr);
	if (c->fifo) {
		/* the lowest real-time priority: above every normal thread
		 * (the vCPUs'), below anything the host made real-time */
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &sp);
	}
	vm->sched = s; /* before the thread: the control plane may look */
	err = pthread_create(&s->thread, &attr, loop, s);
	pthread_attr_destroy(&attr);
	if (err) {
		vm->sched = NULL;
		return err == EPERM ? -EPERM : -EAGAIN;
	}
	s->fifo = c->fifo;
	s->started = true;
	return 0;
}

int vsched__set_pcpus(struct vsched *s, uint32_t pcpus)
{
	if (!pcpus || pcpus > s->vm->nr_vcpus)
		return -EINVAL;
	atomic_store(&s->pcpus, pcpus);
	return 0;
}

void vsched__stop(struct vsched *s)
{
	if (!s->started)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	s->started = false;
}
