// SPDX-License-Identifier: BSD-2-Clause
/*
 * vCPU threads and the run loop (see vcpu.h).  The loop treats the guest
 * as hostile: every exit goes through the validating decoder, port and
 * MMIO accesses reach devices only through the bus (which bounds them),
 * and anything unexpected stops the VM with a report, never a hang and
 * never an abort of the host process.
 */
#include "vcpu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "log.h"
#include "vm.h"

#define VCPU_UNCLAIMED_LOG_MAX 32u

static __thread struct kvm_run *tls_run;

static void kick_handler(int sig)
{
	(void)sig;
	if (tls_run)
		tls_run->immediate_exit = 1;
}

int vcpu__signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: KVM_RUN must return EINTR */
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int vcpu__create(struct vm *vm, struct vcpu *v, uint32_t id)
{
	void *run;
	int err;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	atomic_init(&v->exits, 0);
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0)
		return -errno;
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   v->fd, 0);
	if (run == MAP_FAILED) {
		err = -errno;
		goto close_fd;
	}
	v->run = run;
	return 0;

close_fd:
	close(v->fd);
	v->fd = -1;
	return err;
}

static void report(struct vcpu *v, const char *what)
{
	pr_err("vCPU %u: %s; registers:", v->id, what);
	arch__dump_vcpu(v, stderr);
	fflush(stderr);
}

/* Unclaimed accesses are normal (probes of absent hardware); the first
 * few are logged at debug level to help bring up new guests. */
static void note_unclaimed(struct vcpu *v, const char *bus, bool write,
			   uint64_t addr, uint32_t size)
{
	static atomic_uint logged;

	if (log__level() < LOG_DEBUG ||
	    atomic_fetch_add(&logged, 1) >= VCPU_UNCLAIMED_LOG_MAX)
		return;
	pr_debug("vCPU %u: unclaimed %s %s of %u byte(s) at %#llx", v->id, bus,
		 write ? "write" : "read", size, (unsigned long long)addr);
}

static void io_access(struct vcpu *v, const struct exit_action *act)
{
	uint8_t *data = (uint8_t *)v->run + act->io.data_off;
	bool write = act->kind == EXIT_IO_OUT, ok;

	/* rep ins/outs: count elements, all at the same port. */
	for (uint32_t i = 0; i < act->io.count; i++, data += act->io.size) {
		if (write)
			ok = bus__write(&v->vm->pio, (int)v->id, act->io.port,
					data, act->io.size);
		else
			ok = bus__read(&v->vm->pio, (int)v->id, act->io.port,
				       data, act->io.size);
		if (!ok)
			note_unclaimed(v, "port", write, act->io.port,
				       act->io.size);
	}
}

static int system_event(struct vcpu *v, const struct exit_action *act)
{
	switch (act->sys.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm__stop(v->vm, VM_STOP_POWEROFF, (int)v->id);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm__stop(v->vm, VM_STOP_REBOOT, (int)v->id);
		break;
	default:
		pr_err("vCPU %u: system event %u", v->id, act->sys.type);
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		break;
	}
	return -1;
}

static int internal_error(struct vcpu *v, const struct exit_action *act)
{
	char what[160];
	int n;

	n = snprintf(what, sizeof(what), "KVM_EXIT_INTERNAL_ERROR suberror %u",
		     act->internal.suberror);
	for (uint32_t i = 0;
	     i < act->internal.ndata && n > 0 && (size_t)n < sizeof(what); i++)
		n += snprintf(what + n, sizeof(what) - (size_t)n,
			      " data[%u]=%#llx", i,
			      (unsigned long long)act->internal.data[i]);
	report(v, what);
	vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
	return -1;
}

int vcpu__handle(struct vcpu *v, const struct exit_action *act)
{
	char what[128];

	switch (act->kind) {
	case EXIT_IO_IN:
	case EXIT_IO_OUT:
		io_access(v, act);
		return 0;
	case EXIT_MMIO_READ:
		if (!bus__read(&v->vm->mmio, (int)v->id, act->mmio.gpa,
			       v->run->mmio.data, act->mmio.len))
			note_unclaimed(v, "MMIO", false, act->mmio.gpa,
				       act->mmio.len);
		return 0;
	case EXIT_MMIO_WRITE:
		if (!bus__write(&v->vm->mmio, (int)v->id, act->mmio.gpa,
				act->mmio.data, act->mmio.len))
			note_unclaimed(v, "MMIO", true, act->mmio.gpa,
				       act->mmio.len);
		return 0;
	case EXIT_RESUME:
		return 0;
	case EXIT_SHUTDOWN:
		/* On AMD, KVM re-INITs the vCPU before reporting a shutdown,
		 * so the registers shown are the post-INIT ones there. */
		report(v, "triple fault (KVM_EXIT_SHUTDOWN; on AMD, KVM has "
			  "re-INITed the vCPU)");
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		return -1;
	case EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what),
			 "VM entry failed (KVM_EXIT_FAIL_ENTRY), hardware "
			 "reason %#llx on cpu %u",
			 (unsigned long long)act->fail.hw_reason,
			 act->fail.cpu);
		report(v, what);
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		return -1;
	case EXIT_INTERNAL_ERROR:
		return internal_error(v, act);
	case EXIT_SYSTEM_EVENT:
		return system_event(v, act);
	case EXIT_BAD:
		snprintf(what, sizeof(what), "malformed %s exit: %s",
			 exit__reason_name(act->reason), act->why);
		report(v, what);
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		return -1;
	case EXIT_HLT:
	case EXIT_UNKNOWN:
	default:
		snprintf(what, sizeof(what), "unexpected exit %u (KVM_EXIT_%s)",
			 act->reason, exit__reason_name(act->reason));
		report(v, what);
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		return -1;
	}
}

static void *vcpu_loop(void *arg)
{
	struct vcpu *v = arg;
	struct exit_action act;
	sigset_t set;

	tls_run = v->run;
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!vm__stopping(v->vm)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				continue;
			}
			pr_err("vCPU %u: KVM_RUN: %s", v->id, strerror(errno));
			report(v, "KVM_RUN failed");
			vm__stop(v->vm, VM_STOP_ERROR, (int)v->id);
			break;
		}
		atomic_fetch_add_explicit(&v->exits, 1, memory_order_relaxed);
		if (exit__decode(v->run, v->vm->run_size, &act) < 0 ||
		    vcpu__handle(v, &act) < 0)
			break;
	}
	return NULL;
}

int vcpu__start(struct vcpu *v)
{
	int err = pthread_create(&v->thread, NULL, vcpu_loop, v);

	if (err)
		return -err;
	v->started = true;
	return 0;
}

void vcpu__kick(struct vcpu *v)
{
	if (v->started)
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

void vcpu__join(struct vcpu *v)
{
	if (v->started) {
		pthread_join(v->thread, NULL);
		v->started = false;
	}
}

void vcpu__destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->vm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}
