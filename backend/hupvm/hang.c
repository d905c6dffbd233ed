// SPDX-License-Identifier: BSD-2-Clause
/*
 * The timeout's hang report (see hang.h).
 */
#include "hang.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "kvmstats.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"
#include "vmreclaim.h"
#include "vsched.h"

#define HANG_SAMPLE_US 1000000u
/* The park lock's holders (a reclaim chunk, the scheduler) hold it for
 * milliseconds; one that holds it this long is stuck itself. */
#define HANG_PARK_LOCK_S 10u
#define HANG_MAX_VCPUS 64u

/* The vector waits for the CPU: above the task priority's class and any
 * vector in service (SDM vol. 3, 11.8.3: PPR). */
static bool deliverable(const struct hang_vcpu *h)
{
	int cls = h->irr >> 4;

	return h->irr >= 0 && cls > (int)(h->tpr >> 4) &&
	       (h->isr < 0 || cls > h->isr >> 4);
}

enum hang_verdict hang__verdict(const struct hang_vcpu *v, uint32_t n,
				uint32_t *which)
{
	for (uint32_t i = 0; i < n; i++)
		if (!v[i].stopped) {
			*which = i;
			return HANG_HOST_STUCK;
		}
	for (uint32_t i = 0; i < n; i++) {
		const struct hang_vcpu *h = &v[i];

		if (h->valid && h->irq_enabled && !h->halted &&
		    deliverable(h) && h->window_exits != UINT64_MAX &&
		    h->injections != UINT64_MAX && h->window_exits > 0 &&
		    h->injections == 0) {
			*which = i;
			return HANG_HOST_NO_IRQ;
		}
	}
	return HANG_GUEST;
}

/* KVM's per-vCPU counters the report samples.  The first three feed the verdict; the rest say what KVM's exits were
 * (a vCPU KVM keeps exiting that never reaches hupvm: page faults it
 * fixes, host interrupts, emulation), printed when not zero.  A stat the
 * kernel lacks is skipped. */
enum { K_EXITS, K_WINDOW, K_INJECT, K_DETAIL, K_NR = K_DETAIL + 12 };
static const char *const kstat_names[K_NR] = {
    "exits",	      "irq_window_exits", "irq_injections",
    "io_exits",	      "mmio_exits",	  "irq_exits",
    "halt_exits",     "signal_exits",	  "request_irq_exits",
    "nmi_window_exits", "pf_fixed",	  "pf_spurious",
    "pf_emulate",     "insn_emulation",	  "tlb_flush"};

struct sample {
	struct kvmstats st[K_NR];
	uint64_t before[K_NR], delta[K_NR], now[K_NR];
	/* hupvm's own count: no clock is read per exit for this report (a
	 * nested L1 may read its clock through a syscall and the HPET) */
	unsigned long exits_before, exits_delta;
};

/* Through the stats file the vCPU opened when it was created, never a new
 * KVM_GET_STATS_FD: like every vCPU ioctl it waits for the vCPU's mutex,
 * which its thread holds while in KVM_RUN, forever when KVM never lets it
 * out (a report that asked hung there, past hupvm's --timeout). */
static void sample_open(struct sample *s, struct vcpu *v)
{
	int fd = v->kvm_exits.fd;

	s->exits_before = atomic_load(&v->exits);
	for (int k = 0; k < K_NR; k++) {
		s->before[k] = UINT64_MAX;
		s->st[k] = (struct kvmstats){.fd = -1};
		if (fd < 0 || kvmstats__open(&s->st[k], fd, kstat_names[k]) ||
		    kvmstats__read(&s->st[k], &s->before[k]))
			s->before[k] = UINT64_MAX;
	}
}

static void sample_close(struct sample *s, struct vcpu *v)
{
	s->exits_delta = atomic_load(&v->exits) - s->exits_before;
	for (int k = 0; k < K_NR; k++) {
		s->now[k] = s->delta[k] = UINT64_MAX;
		if (s->before[k] != UINT64_MAX &&
		    !kvmstats__read(&s->st[k], &s->now[k]))
			s->delta[k] = s->now[k] - s->before[k];
		kvmstats__close(&s->st[k]);
	}
}

static void say_detail(struct vcpu *v, const struct sample *s)
{
	char line[512];
	size_t len = 0;

	for (int k = K_DETAIL; k < K_NR && len < sizeof(line); k++)
		if (s->delta[k] && s->delta[k] != UINT64_MAX)
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						" %s=%llu", kstat_names[k],
						(unsigned long long)s->delta[k]);
	if (len)
		pr_err("hang: vCPU %u: KVM's exits in that second:%s", v->id,
		       line);
}

static void say_running(struct vcpu *v, const struct sample *s)
{
	char kvm[128] = "KVM's exits unknown";

	if (s->delta[K_EXITS] != UINT64_MAX)
		snprintf(kvm, sizeof(kvm),
			 "KVM exits %llu, in 1 s +%llu (%lld interrupt-window, "
			 "%lld injections)",
			 (unsigned long long)s->now[K_EXITS],
			 (unsigned long long)s->delta[K_EXITS],
			 s->delta[K_WINDOW] == UINT64_MAX
			     ? -1LL
			     : (long long)s->delta[K_WINDOW],
			 s->delta[K_INJECT] == UINT64_MAX
			     ? -1LL
			     : (long long)s->delta[K_INJECT]);
	pr_err("hang: vCPU %u: %s, %lu exits handled, %lu in 1 s; %s", v->id,
	       vcpu__paused(v) ? "paused" : "running", atomic_load(&v->exits),
	       s->exits_delta, kvm);
	say_detail(v, s);
}

enum hang_verdict hang__report(struct vm *vm)
{
	uint32_t nr = vm->nr_vcpus < HANG_MAX_VCPUS ? vm->nr_vcpus
						     : HANG_MAX_VCPUS;
	static struct sample smp[HANG_MAX_VCPUS];
	struct hang_vcpu h[HANG_MAX_VCPUS];
	unsigned long slices = 0;
	enum hang_verdict verdict;
	uint32_t which = 0;
	bool locked;

	pr_err("hang: the guest is still running: what each vCPU is doing");
	for (uint32_t i = 0; i < nr; i++)
		sample_open(&smp[i], &vm->vcpus[i]);
	if (vm->sched)
		slices = atomic_load(&vm->sched->slices);
	usleep(HANG_SAMPLE_US);
	for (uint32_t i = 0; i < nr; i++) {
		sample_close(&smp[i], &vm->vcpus[i]);
		say_running(&vm->vcpus[i], &smp[i]);
	}
	if (vm->sched)
		pr_err("hang: scheduler: %lu slices switched in 1 s, %lu in all",
		       atomic_load(&vm->sched->slices) - slices,
		       atomic_load(&vm->sched->slices));
	/* Stop the vCPUs with the scheduler kept out, or its next slice
	 * resumes them under us. */
	locked = vm__park_lock_timed(HANG_PARK_LOCK_S) == 0;
	if (!locked)
		pr_err("hang: the park lock is still held after %u s (a reclaim "
		       "or the scheduler is stuck); stopping the vCPUs anyway",
		       HANG_PARK_LOCK_S);
	for (uint32_t i = 0; i < nr; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct vcpu_brief b;
		int err = vcpu__paused(v) ? 0 : vcpu__pause(v);

		memset(&h[i], 0, sizeof(h[i]));
		h[i].window_exits = smp[i].delta[K_WINDOW];
		h[i].injections = smp[i].delta[K_INJECT];
		if (err && err != -EALREADY) {
			/* vcpu__pause said where its thread is */
			pr_err("hang: vCPU %u: did not stop: %s", v->id,
			       strerror(-err));
			h[i].stopped = err != -ETIMEDOUT;
			continue;
		}
		arch__brief_vcpu(v, &b);
		h[i].stopped = true;
		h[i].valid = b.valid;
		h[i].irq_enabled = b.irq_enabled;
		h[i].halted = b.halted;
		h[i].irr = b.irr;
		h[i].isr = b.isr;
		h[i].tpr = b.tpr;
		pr_err("hang: vCPU %u: %s", v->id, b.text);
		if (b.valid && !b.halted) {
			/* running: where exactly (a spin, a loop of emulated
			 * accesses) takes the registers and the code */
			pr_err("hang: vCPU %u: registers:", v->id);
			arch__dump_vcpu(v, stderr);
			fflush(stderr);
		}
	}
	if (locked)
		vm__park_unlock();
	verdict = hang__verdict(h, nr, &which);
	switch (verdict) {
	case HANG_HOST_STUCK:
		pr_err("hang: verdict: host (vCPU %u did not leave KVM_RUN "
		       "within %d s of a kick)",
		       vm->vcpus[which].id, VCPU_PAUSE_TIMEOUT_S);
		break;
	case HANG_HOST_NO_IRQ:
		pr_err("hang: verdict: host (vCPU %u does not take interrupt "
		       "%d: %llu interrupt-window exits and no injection in 1 "
		       "s, interrupts enabled)",
		       vm->vcpus[which].id, h[which].irr,
		       (unsigned long long)h[which].window_exits);
		break;
	default:
		pr_err("hang: verdict: guest (every vCPU left KVM_RUN when "
		       "kicked and takes its interrupts)");
	}
	return verdict;
}
