// SPDX-License-Identifier: BSD-2-Clause
/*
 * The generic VM core (see vm.h): KVM handles, guest RAM, buses, vCPU
 * lifecycle, and the stop protocol.  Creation unwinds through goto labels
 * named after what they undo; vm__destroy undoes whatever was done.
 */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "hang.h"
#include "log.h"
#include "vcpu.h"

#define KVM_API_EXPECTED 12
#define VM_WAIT_SLICE_MS 100

static const struct {
	long cap;
	const char *name;
} required_caps[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
    {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
    {KVM_CAP_PIT2, "KVM_CAP_PIT2"},
    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
};

static int open_kvm(struct vm *vm)
{
	int r;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		r = -errno;
		pr_err("/dev/kvm: %s", strerror(errno));
		return r;
	}
	r = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_EXPECTED) {
		pr_err("KVM API version %d, expected %d", r, KVM_API_EXPECTED);
		return -ENOTSUP;
	}
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]);
	     i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
			  required_caps[i].cap) <= 0) {
			pr_err("KVM lacks %s", required_caps[i].name);
			return -ENOTSUP;
		}
	}
	r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (r > 0 && vm->cfg.nr_cpus > (uint32_t)r) {
		pr_err("KVM supports at most %d vCPUs", r);
		return -EINVAL;
	}
	r = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r < (int)sizeof(struct kvm_run)) {
		pr_err("KVM_GET_VCPU_MMAP_SIZE: %d", r);
		return -ENOTSUP;
	}
	vm->run_size = (size_t)r;
	return 0;
}

static int map_memory(struct vm *vm)
{
	uint64_t low, high;
	int err;

	arch__mem_layout(&low, &high);
	err = mem__create(&vm->mem, vm->cfg.mem_size, low, high);
	if (err) {
		pr_err("guest RAM of %llu bytes: %s",
		       (unsigned long long)vm->cfg.mem_size, strerror(-err));
		return err;
	}
	for (unsigned int i = 0; i < vm->mem.nr; i++) {
		struct kvm_userspace_memory_region r = {
		    .slot = i,
		    .guest_phys_addr = vm->mem.regions[i].gpa,
		    .memory_size = vm->mem.regions[i].size,
		    .userspace_addr = (uintptr_t)vm->mem.regions[i].hva,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
			err = -errno;
			pr_err("KVM_SET_USER_MEMORY_REGION slot %u: %s", i,
			       strerror(errno));
			return err;
		}
	}
	return 0;
}

static int create_vcpus(struct vm *vm)
{
	int err;

	vm->vcpus = calloc(vm->cfg.nr_cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (uint32_t i = 0; i < vm->cfg.nr_cpus; i++) {
		err = vcpu__create(vm, &vm->vcpus[i], i);
		if (err) {
			pr_err("vCPU %u: KVM_CREATE_VCPU: %s", i,
			       strerror(-err));
			return err;
		}
		vm->nr_vcpus++;
		err = arch__init_vcpu(vm, &vm->vcpus[i]);
		if (err) {
			pr_err("vCPU %u: setup failed: %s", i, strerror(-err));
			return err;
		}
	}
	return 0;
}

int vm__create(struct vm *vm, const struct vm_config *cfg)
{
	pthread_condattr_t ca;
	int err;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->kvm_fd = vm->vm_fd = -1;
	vm->mem.fd = -1;
	vm->stop_cpu = -1;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	bus__init(&vm->pio, "pio");
	bus__init(&vm->mmio, "mmio");
	console__init(&vm->console, cfg->console_fd);

	err = vcpu__signals_init();
	if (err)
		goto fail;
	err = open_kvm(vm);
	if (err)
		goto fail;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		err = -errno;
		pr_err("KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	pr_debug("VM created");
	err = arch__init_vm_early(vm);
	if (err)
		goto fail;
	err = map_memory(vm);
	if (err)
		goto fail;
	pr_debug("irqchip, PIT and %llu MiB of RAM set up",
		 (unsigned long long)(cfg->mem_size >> 20));
	err = arch__init_vm(vm);
	if (err)
		goto fail;
	pr_debug("devices, firmware tables, kernel and initrd ready");
	err = create_vcpus(vm);
	if (err)
		goto fail;
	pr_debug("%u vCPU(s) created", vm->nr_vcpus);
	return 0;

fail:
	vm__destroy(vm);
	return err;
}

int vm__start(struct vm *vm)
{
	int err = arch__start(vm);

	if (err)
		return err;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		err = vcpu__start(&vm->vcpus[i]);
		if (err) {
			pr_err("vCPU %u: thread: %s", i, strerror(-err));
			vm__stop(vm, VM_STOP_ERROR, -1);
			return err;
		}
	}
	return 0;
}

bool vm__stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stop, __ATOMIC_ACQUIRE) != VM_RUNNING;
}

void vm__stop(struct vm *vm, enum vm_stop_reason why, int cpu)
{
	bool first = false;

	pthread_mutex_lock(&vm->lock);
	if (vm->stop == VM_RUNNING) {
		__atomic_store_n(&vm->stop, why, __ATOMIC_RELEASE);
		vm->stop_cpu = cpu;
		first = true;
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
	if (!first)
		return;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if ((int)i != cpu)
			vcpu__kick(&vm->vcpus[i]);
}

enum vm_stop_reason vm__wait(struct vm *vm, unsigned int timeout_s,
			     volatile int *interrupted)
{
	struct timespec now, deadline;
	enum vm_stop_reason why;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;
	pthread_mutex_lock(&vm->lock);
	while (vm->stop == VM_RUNNING) {
		struct timespec slice;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout_s && (now.tv_sec > deadline.tv_sec ||
				  (now.tv_sec == deadline.tv_sec &&
				   now.tv_nsec >= deadline.tv_nsec))) {
			pthread_mutex_unlock(&vm->lock);
			/* say what it was doing before it is gone */
			hang__report(vm);
			vm__stop(vm, VM_STOP_TIMEOUT, -1);
			pthread_mutex_lock(&vm->lock);
			break;
		}
		if (interrupted && *interrupted) {
			pthread_mutex_unlock(&vm->lock);
			vm__stop(vm, VM_STOP_SIGNAL, -1);
			pthread_mutex_lock(&vm->lock);
			break;
		}
		slice = now;
		slice.tv_nsec += VM_WAIT_SLICE_MS * 1000000L;
		if (slice.tv_nsec >= 1000000000L) {
			slice.tv_sec++;
			slice.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&vm->cond, &vm->lock, &slice);
	}
	why = vm->stop;
	pthread_mutex_unlock(&vm->lock);
	return why;
}

void vm__destroy(struct vm *vm)
{
	uint32_t stuck = 0;

	if (vm->vcpus) {
		if (!vm__stopping(vm))
			vm__stop(vm, VM_STOP_ERROR, -1);
		for (uint32_t i = 0; i < vm->nr_vcpus; i++)
			vcpu__kick(&vm->vcpus[i]);
		for (uint32_t i = 0; i < vm->nr_vcpus; i++)
			if (vcpu__join(&vm->vcpus[i], VM_JOIN_TIMEOUT_S))
				stuck++;
	}
	if (stuck) {
		/* Its memory and vCPU state may still be in use by that
		 * thread: leave them all to the process's exit. */
		pr_err("%u vCPU thread(s) still in KVM_RUN %u s after the "
		       "stop; exiting without tearing the VM down",
		       stuck, VM_JOIN_TIMEOUT_S);
		return;
	}
	console__stop_input(&vm->console);
	console__restore_tty(&vm->console);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		vcpu__destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
	arch__exit_vm(vm);
	bus__exit(&vm->pio);
	bus__exit(&vm->mmio);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	mem__destroy(&vm->mem);
}

int vm__irq_line(struct vm *vm, uint32_t irq, int level)
{
	struct kvm_irq_level l = {.irq = irq, .level = (uint32_t)level};

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	return 0;
}

bool vm__panic_seen(struct vm *vm)
{
	return atomic_load(&vm->console.panic_seen);
}

const char *vm__stop_name(enum vm_stop_reason why)
{
	switch (why) {
	case VM_RUNNING:
		return "running";
	case VM_STOP_POWEROFF:
		return "poweroff";
	case VM_STOP_REBOOT:
		return "reboot";
	case VM_STOP_FAULT:
		return "fault";
	case VM_STOP_TIMEOUT:
		return "timeout";
	case VM_STOP_SIGNAL:
		return "signal";
	case VM_STOP_ERROR:
		return "error";
	}
	return "?";
}
