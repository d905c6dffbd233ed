/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virtual machine: the generic core.  Opens /dev/kvm, creates the VM,
 * backs its RAM with a memfd, owns the port and MMIO buses and the vCPUs,
 * and decides when the VM stops and why.  Everything x86-specific (board
 * devices, boot protocol, ACPI, CPUID, registers) is behind arch.h.
 *
 * Stopping: any thread calls vm__stop(reason); the first reason wins, the
 * waiter in vm__wait wakes, and every vCPU is kicked out of KVM_RUN.
 */
#ifndef HUPVM_VM_H
#define HUPVM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "console.h"
#include "mem.h"

#define VM_MAX_CPUS 64u
/* How long vm__destroy waits for each kicked vCPU thread to end.  A
 * kicked thread leaves KVM_RUN at once; one that has not after this is
 * held there by KVM (the hang report's "host" verdict), and hupvm exits
 * without it rather than never. */
#define VM_JOIN_TIMEOUT_S 10u

enum vm_stop_reason {
	VM_RUNNING,
	VM_STOP_POWEROFF, /* guest asked for power off (ACPI S5) */
	VM_STOP_REBOOT,	  /* guest reset the machine */
	VM_STOP_FAULT,	  /* KVM failure or triple fault: reported */
	VM_STOP_TIMEOUT,  /* --timeout expired */
	VM_STOP_SIGNAL,	  /* SIGINT/SIGTERM/SIGHUP to hupvm */
	VM_STOP_ERROR,	  /* hupvm itself failed */
};

struct vm_config {
	uint64_t mem_size;
	uint32_t nr_cpus;
	const char *kernel;
	const char *initrd; /* may be NULL */
	const char *cmdline;
	int console_fd;	    /* where guest console output goes */
	bool console_input; /* feed stdin to the guest console */
	bool pv_tlb_flush;  /* advertise steal time + PV TLB flush */
};

struct vcpu;
struct arch_vm;
struct backend;
struct upcall;
struct vsched;

struct vm {
	struct vm_config cfg;
	int kvm_fd;
	int vm_fd;
	size_t run_size; /* KVM_GET_VCPU_MMAP_SIZE */
	struct mem mem;
	struct bus pio;
	struct bus mmio;
	struct console console;
	struct vcpu *vcpus;
	uint32_t nr_vcpus; /* created so far */
	struct arch_vm *arch;
	struct backend *hup; /* the hyperupcall backend (x86/hup.c) */
	struct upcall *upcall; /* the upcall baseline (upcall.h), or NULL */
	struct vsched *sched; /* vCPU overcommit (vsched.h), or NULL */
	void *hup_priv;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum vm_stop_reason stop;
	int stop_cpu; /* vCPU that caused the stop, or -1 */
};

int vm__create(struct vm *vm, const struct vm_config *cfg);
int vm__start(struct vm *vm);
/* Wait for a stop; timeout_s == 0 waits forever.  *interrupted is polled. */
enum vm_stop_reason vm__wait(struct vm *vm, unsigned int timeout_s,
			     volatile int *interrupted);
void vm__stop(struct vm *vm, enum vm_stop_reason why, int cpu);
bool vm__stopping(struct vm *vm);
void vm__destroy(struct vm *vm);
/* Assert or deassert an interrupt line of the in-kernel irqchip. */
int vm__irq_line(struct vm *vm, uint32_t irq, int level);
bool vm__panic_seen(struct vm *vm);
const char *vm__stop_name(enum vm_stop_reason why);

#endif
