/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vCPU overcommit (--pcpus N --timeslice-ms T): at most N of the guest's
 * vCPUs run at a time, round-robin, T ms each; the others are held out of
 * KVM_RUN, parked the way vcpu__pause parks a vCPU (PAUSE/RESUME trace
 * events and vcpu_resume programs fire as for any pause).  It stands in
 * for a host that runs more vCPUs than it has CPUs, where a guest that
 * waits for a descheduled vCPU (a TLB shootdown's IPI) waits a timeslice.
 *
 * With --pv-tlb-flush (vm_config.pv_tlb_flush) a vCPU it deschedules is
 * marked preempted in KVM's steal-time area (arch__mark_preempted), as
 * KVM's own scheduler would: the guest then flushes it paravirtually.
 *
 * With --sched-fifo its thread runs SCHED_FIFO: a host's scheduler
 * preempts what runs when a slice or a period ends, while a normal thread
 * waits for the host kernel to let it in, late by up to a wake-up
 * granularity when running vCPU threads fill the host's CPUs.  Its
 * lateness is counted either way (late_ns, late_max_ns).
 *
 * Slice changes take the park lock (vmreclaim.h): a reclaim chunk never
 * has a vCPU resumed under it.  While the scheduler runs, the vCPUs' run
 * state is its own: the control commands pause/resume are refused.
 *
 * N may be changed while the guest runs (`hupctl sched N`,
 * vsched__set_pcpus), from the next slice on; --pcpus equal to --cpus
 * starts the scheduler with every vCPU running, to be lowered later (a
 * test boots its guest at full speed, then overcommits its workload).
 */
#ifndef HUPVM_VSCHED_H
#define HUPVM_VSCHED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define VSCHED_DEFAULT_SLICE_MS 10u
#define VSCHED_MAX_SLICE_MS 1000u
/*
 * HUP_EVENT_VCPU_DESCHED programs run for every descheduled vCPU when it
 * is descheduled and then every period (--desched-period-us).  A guest CPU
 * waiting on a descheduled one (a TLB shootdown's sender) waits at most
 * about one period instead of the rest of a slice; each run costs a few
 * microseconds of host CPU per descheduled vCPU, so 500 us keeps that
 * under 1% of one host CPU per vCPU while cutting a 10 ms wait 20-fold.
 */
#define VSCHED_DEFAULT_PERIOD_US 500u
#define VSCHED_MIN_PERIOD_US 50u
#define VSCHED_MAX_PERIOD_US 100000u

struct vm;

struct vsched {
	struct vm *vm;
	atomic_uint pcpus; /* vsched__set_pcpus; read once a slice */
	uint64_t slice_ns;
	uint64_t period_ns; /* of HUP_EVENT_VCPU_DESCHED runs */
	bool pv_preempt;
	bool fifo; /* its thread runs SCHED_FIFO */
	pthread_t thread;
	bool started;
	atomic_bool stop;
	uint64_t running; /* vCPUs it lets run (the thread's own) */
	uint64_t held_since[64]; /* when each held vCPU was descheduled */
	uint32_t runs[64];	 /* desched runs in its current deschedule */
	atomic_ulong slices, deschedules;
	atomic_ulong pv_marks; /* marked preempted */
	atomic_ulong pv_none;  /* could not be: no steal-time area yet */
	atomic_ulong desched_runs; /* HUP_EVENT_VCPU_DESCHED dispatches */
	atomic_ulong wakeups;	   /* deadlines slept to */
	atomic_ulong late_ns;	   /* sum of how late it woke for them */
	atomic_ulong late_max_ns;
};

/* What --pcpus and its companions ask of the scheduler. */
struct vsched_config {
	uint32_t pcpus;
	uint32_t slice_ms;
	uint32_t period_us;
	bool pv_preempt; /* --pv-tlb-flush */
	bool fifo;	 /* --sched-fifo */
};

/* The vCPUs (bit per id) that run in slice k: pcpus of them, consecutive
 * in ring order from (k * pcpus) mod nr_vcpus, so every vCPU gets the same
 * share; all of them if pcpus >= nr_vcpus.  Pure. */
uint64_t vsched__pick(uint32_t nr_vcpus, uint32_t pcpus, uint64_t k);
/* Start the scheduler thread (vCPUs already started); 0 or -errno
 * (-EPERM: SCHED_FIFO asked for and not allowed). */
int vsched__start(struct vsched *s, struct vm *vm,
		  const struct vsched_config *c);
/* Run pcpus (1..the VM's vCPUs) vCPUs at a time from the next slice on;
 * 0 or -EINVAL. */
int vsched__set_pcpus(struct vsched *s, uint32_t pcpus);
/* Stop it; the vCPUs it held stay parked until the VM stops. */
void vsched__stop(struct vsched *s);

#endif
