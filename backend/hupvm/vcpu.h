/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A vCPU: its KVM fd, its mapped kvm_run, and the thread running
 * vcpu_loop: KVM_RUN, decode the exit (exit.c, pure), act on the action.
 * A vCPU is kicked out of KVM_RUN with VCPU_KICK_SIGNAL, whose handler
 * sets kvm_run.immediate_exit so a kick that lands just before KVM_RUN is
 * not lost.
 */
#ifndef HUPVM_VCPU_H
#define HUPVM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <hyperupcall/abi.h>

#include "exit.h"
#include "kvmstats.h"
#include "x86/hup.h"

#define VCPU_KICK_SIGNAL SIGUSR1
/* How long vcpu__pause waits for a kicked vCPU to leave KVM_RUN. */
#define VCPU_PAUSE_TIMEOUT_S 5

struct vm;

/* Exits handled, by hyperupcall trace reason (HUP_EXIT_*; 0 unused). */
#define VCPU_EXIT_REASONS (HUP_EXIT_MAX + 1u)

struct vcpu {
	struct vm *vm;
	uint32_t id; /* KVM vcpu id == APIC id */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	atomic_int tid; /* the thread's, for reports (0 before it runs) */
	bool started;
	atomic_ulong exits; /* exits handled, for statistics */
	/* KVM's own count of this vCPU's exits, in-kernel ones included
	 * (kvmstats.h); fd -1 where the kernel has none. */
	struct kvmstats kvm_exits;
	atomic_ulong by_reason[VCPU_EXIT_REASONS];

	/* Pausing (vcpu__pause/resume): the thread parks itself between
	 * two KVM_RUNs.  pause_req and paused are guarded by pause_lock. */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	bool pause_req;
	bool paused;
	atomic_ulong pauses;
	atomic_ulong tlb_flushes;
	/* HUP_ENTRY_* asked for while it was parked (HUP_EVENT_VCPU_DESCHED
	 * programs, vsched.c): done at its next entry, with the resume
	 * programs' own. */
	atomic_uint entry_actions;
	/* MSR_KVM_STEAL_TIME as this vCPU's own thread read it when it last
	 * parked, or the -errno of that read (--pv-tlb-flush, x86/pvtime.h);
	 * written before paused is set, so whoever saw it paused may read. */
	uint64_t steal_time_msr;
	int steal_time_err;

	/* Guest TSC (x86/hup.c): method, cached offset, when refreshed,
	 * and what keeps the reported TSC from going back. */
	int tsc_mode;
	_Atomic uint64_t tsc_offset;
	uint64_t tsc_offset_ns;
	struct x86_hup_tsc_fwd tsc_fwd;
};

int vcpu__signals_init(void);
/* KVM's count of v's exits so far: 0, or -EOPNOTSUPP without one. */
int vcpu__kvm_exits(struct vcpu *v, uint64_t *n);
int vcpu__create(struct vm *vm, struct vcpu *v, uint32_t id);
int vcpu__start(struct vcpu *v);
void vcpu__kick(struct vcpu *v);
/* Wait up to timeout_s for v's thread to end: 0, or -ETIMEDOUT (a thread
 * KVM never lets out of KVM_RUN; it may still use v). */
int vcpu__join(struct vcpu *v, unsigned int timeout_s);
void vcpu__destroy(struct vcpu *v);
/*
 * Park the vCPU between two KVM_RUNs and wait until it is parked (from any
 * other thread): 0, -EALREADY if paused already, -ESHUTDOWN if the VM is
 * stopping, -ETIMEDOUT.  vcpu__resume lets it run again (-EALREADY if it
 * was not paused).  Hyperupcall trace events HUP_TRACE_PAUSE / RESUME and
 * HUP_EVENT_VCPU_RESUME fire on the vCPU's thread.
 */
int vcpu__pause(struct vcpu *v);
int vcpu__resume(struct vcpu *v);
bool vcpu__paused(struct vcpu *v);
/* A /proc/PID/task/TID/stat line: its state letter and last CPU (-1 if
 * the line is too short); 0 or -EINVAL.  For reports of a vCPU that did
 * not park (pure, tested). */
int vcpu__parse_stat(const char *line, char *state, int *cpu);
/* The vCPU whose thread this is, or NULL. */
struct vcpu *vcpu__current(void);
/* Act on one decoded exit; < 0 means the vCPU must stop (VM stopped). */
int vcpu__handle(struct vcpu *v, const struct exit_action *act);

#endif
