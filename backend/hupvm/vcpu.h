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

#include "exit.h"

#define VCPU_KICK_SIGNAL SIGUSR1

struct vm;

struct vcpu {
	struct vm *vm;
	uint32_t id; /* KVM vcpu id == APIC id */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	atomic_ulong exits; /* exits handled, for statistics */
};

int vcpu__signals_init(void);
int vcpu__create(struct vm *vm, struct vcpu *v, uint32_t id);
int vcpu__start(struct vcpu *v);
void vcpu__kick(struct vcpu *v);
void vcpu__join(struct vcpu *v);
void vcpu__destroy(struct vcpu *v);
/* Act on one decoded exit; < 0 means the vCPU must stop (VM stopped). */
int vcpu__handle(struct vcpu *v, const struct exit_action *act);

#endif
