// SPDX-License-Identifier: BSD-2-Clause
/*
 * The x86 "board": what a PC-compatible guest expects around its CPUs.
 *   KVM in-kernel: PIC, IOAPIC, local APICs (KVM_CREATE_IRQCHIP), PIT and
 *                  speaker port (KVM_CREATE_PIT2)
 *   ours:          16550A at 0x3f8/IRQ 4, ACPI PM block at 0x600 (SCI 9),
 *                  CMOS RTC 0x70, i8042 reset 0x60/0x64, POST 0x80,
 *                  PCI config 0xcf8/0xcfc with no devices
 *   firmware:      ACPI tables at 0xe0000, boot_params, identity paging
 *   hyperupcalls:  the doorbell at HUP_DB_PORT_DEFAULT and the backend
 *                  (x86/hup.c), advertised in the CPUID discovery leaves
 */
#include "arch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <hyperupcall/abi.h>

#include "devices/acpi_pm.h"
#include "devices/cmos.h"
#include "devices/i8042.h"
#include "devices/legacy.h"
#include "devices/serial.h"
#include "hyperupcall/ptwalk.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"
#include "x86/acpi.h"
#include "x86/bits.h"
#include "x86/boot.h"
#include "x86/cpuid.h"
#include "x86/pvtime.h"
#include "x86/hup.h"
#include "x86/layout.h"
#include "x86/msr.h"
#include "x86/regs.h"

struct arch_vm {
	struct serial *serial;
	struct acpi_pm *pm;
	struct cmos *cmos;
	struct i8042 kbd;
	struct legacy legacy;
	struct kvm_cpuid2 *cpuid; /* template, before per-vCPU patching */
	bool tsc_deadline;
	struct boot_result boot;
	uint32_t hup_events, hup_features;
};

void arch__mem_layout(uint64_t *low_limit, uint64_t *high_base)
{
	*low_limit = X86_LOWMEM_LIMIT;
	*high_base = X86_HIGHMEM_BASE;
}

static int vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg,
		    const char *name)
{
	if (ioctl(vm->vm_fd, req, arg) < 0) {
		int err = -errno;

		pr_err("%s: %s", name, strerror(errno));
		return err;
	}
	return 0;
}

int arch__init_vm_early(struct vm *vm)
{
	struct kvm_pit_config pit = {.flags = 0};
	uint64_t ident = X86_TSS_ADDR - 0x1000;
	int err;

	/* Intel needs these two pages outside RAM for real-mode emulation;
	 * AMD ignores them.  Both sit in the 3-4 GiB hole. */
	err = vm_ioctl(vm, KVM_SET_TSS_ADDR, X86_TSS_ADDR, "KVM_SET_TSS_ADDR");
	if (!err)
		err = vm_ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR,
			       (unsigned long)&ident,
			       "KVM_SET_IDENTITY_MAP_ADDR");
	if (!err)
		err = vm_ioctl(vm, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
	if (!err)
		err = vm_ioctl(vm, KVM_CREATE_PIT2, (unsigned long)&pit,
			       "KVM_CREATE_PIT2");
	return err;
}

/* Device callbacks: the guest asks the board to stop. */
static void serial_irq(void *ctx, int level)
{
	vm__irq_line(ctx, X86_SERIAL_IRQ, level);
}

static void serial_tx(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;

	console__putc(&vm->console, byte);
}

static void board_sleep(void *ctx, int slp_typ)
{
	if (slp_typ == ACPI_S5_SLP_TYP)
		vm__stop(ctx, VM_STOP_POWEROFF, -1);
	else
		pr_warn("guest requested unsupported sleep type %d; ignored",
			slp_typ);
}

static void board_reset(void *ctx)
{
	vm__stop(ctx, VM_STOP_REBOOT, -1);
}

static const struct serial_ops serial_ops = {serial_irq, serial_tx};
static const struct acpi_pm_ops acpi_pm_ops = {board_sleep, board_reset};
static const struct i8042_ops i8042_ops = {board_reset};

static int init_devices(struct vm *vm, struct arch_vm *a)
{
	int err;

	a->serial = serial__new(&serial_ops, vm);
	a->pm = acpi_pm__new(&acpi_pm_ops, vm);
	a->cmos = cmos__new(NULL);
	if (!a->serial || !a->pm || !a->cmos)
		return -ENOMEM;
	a->kbd.ops = &i8042_ops;
	a->kbd.ctx = vm;
	err = serial__register(a->serial, &vm->pio, X86_SERIAL_PORT);
	if (!err)
		err = acpi_pm__register(a->pm, &vm->pio, X86_ACPI_PM_PORT);
	if (!err)
		err = cmos__register(a->cmos, &vm->pio);
	if (!err)
		err = i8042__register(&a->kbd, &vm->pio);
	if (!err)
		err = legacy__register(&a->legacy, &vm->pio);
	if (!err)
		err = x86_hup__init(vm, &a->hup_events, &a->hup_features);
	if (err)
		pr_err("registering devices: %s", strerror(-err));
	return err;
}

static int init_cpuid(struct vm *vm, struct arch_vm *a)
{
	struct cpuid_hup hup = {
	    .doorbell_port = HUP_DB_PORT_DEFAULT,
	    .upcall_gsi = X86_UPCALL_GSI,
	    .events = a->hup_events,
	    .features = a->hup_features,
	};
	int err;

	err = cpuid__get_supported(vm->kvm_fd, &a->cpuid);
	if (err) {
		pr_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(-err));
		return err;
	}
	a->tsc_deadline = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
				KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	err = cpuid__kvm_pv_tlb_flush(a->cpuid, vm->cfg.pv_tlb_flush);
	if (err) {
		pr_err("--pv-tlb-flush: this KVM offers no steal time or PV "
		       "TLB flush");
		return err;
	}
	return cpuid__add_hup_leaves(&a->cpuid, &hup);
}

int arch__init_vm(struct vm *vm)
{
	struct acpi_config acfg = {
	    .nr_cpus = vm->cfg.nr_cpus,
	    .pm_port = X86_ACPI_PM_PORT,
	    .sci_irq = X86_SCI_IRQ,
	    .ioapic_id = (uint8_t)vm->cfg.nr_cpus,
	    .ioapic_addr = (uint32_t)X86_IOAPIC_ADDR,
	    .lapic_addr = (uint32_t)X86_LAPIC_ADDR,
	};
	struct boot_config bcfg = {
	    .kernel_path = vm->cfg.kernel,
	    .initrd_path = vm->cfg.initrd,
	    .cmdline = vm->cfg.cmdline,
	};
	struct arch_vm *a;
	uint8_t *tables;
	int err;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	vm->arch = a;
	err = init_devices(vm, a);
	if (err)
		return err;
	tables = mem__gpa_to_hva(&vm->mem, X86_ACPI_ADDR, X86_ACPI_SIZE);
	if (!tables)
		return -ENOMEM;
	err = acpi__build(tables, X86_ACPI_SIZE, X86_ACPI_ADDR, &acfg,
			  &bcfg.rsdp_gpa);
	if (err) {
		pr_err("building ACPI tables: %s", strerror(-err));
		return err;
	}
	err = boot__load(&vm->mem, &bcfg, &a->boot);
	if (err)
		return err;
	err = regs__setup_tables(&vm->mem);
	if (err)
		return err;
	return init_cpuid(vm, a);
}

int arch__init_vcpu(struct vm *vm, struct vcpu *v)
{
	struct arch_vm *a = vm->arch;
	struct kvm_cpuid2 *c = cpuid__dup(a->cpuid);
	int err;

	if (!c)
		return -ENOMEM;
	cpuid__patch_vcpu(c, v->id, vm->cfg.nr_cpus, a->tsc_deadline);
	err = cpuid__set(v->fd, c);
	free(c);
	if (err) {
		pr_err("vCPU %u: KVM_SET_CPUID2: %s", v->id, strerror(-err));
		return err;
	}
	err = msr__setup_vcpu(v->fd);
	if (err)
		pr_warn("vCPU %u: initial MSRs: %s (continuing)", v->id,
			strerror(-err));
	if (v->id != 0)
		return 0; /* APs wait for INIT/SIPI in KVM's LAPIC */
	return regs__setup_boot_cpu(v->fd, a->boot.entry, a->boot.boot_params);
}

int arch__start(struct vm *vm)
{
	if (!vm->cfg.console_input)
		return 0;
	return console__start_input(&vm->console, vm->arch->serial);
}

/*
 * The bytes at rip, through the guest's own page tables: with the
 * registers they name the instruction a crashed or spinning vCPU was on
 * (KASLR moves the kernel and its modules, so an address alone is not
 * enough).  64-bit paging only; a page boundary ends the dump.
 */
static void dump_code(struct vcpu *v, FILE *out)
{
	enum { CODE_BYTES = 16 };
	struct kvm_regs r;
	struct kvm_sregs s;
	struct ptw_root root;
	const uint8_t *p;
	uint64_t gpa, n;
	int err;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return;
	if (regs__paging_root(&s, &root)) {
		fprintf(out, "  code: not shown (not in 64-bit paging)\n");
		return;
	}
	err = ptw__translate(&v->vm->mem, &root, r.rip, &gpa);
	if (err) {
		fprintf(out, "  code: rip not mapped (%s)\n", strerror(-err));
		return;
	}
	n = X86_PAGE_SIZE - (gpa & (X86_PAGE_SIZE - 1));
	n = n < CODE_BYTES ? n : CODE_BYTES;
	p = mem__gpa_to_hva(&v->vm->mem, gpa, n);
	if (!p) {
		fprintf(out, "  code: rip at gpa %#llx, not RAM\n",
			(unsigned long long)gpa);
		return;
	}
	fprintf(out, "  code at rip (gpa %#llx):", (unsigned long long)gpa);
	for (uint64_t i = 0; i < n; i++)
		fprintf(out, " %02x", p[i]);
	fputc('\n', out);
}

void arch__dump_vcpu(struct vcpu *v, FILE *out)
{
	regs__dump(v->fd, out);
	dump_code(v, out);
}

void arch__brief_vcpu(struct vcpu *v, struct vcpu_brief *b)
{
	regs__brief(v->fd, b);
}

int arch__msr_exit(struct vcpu *v, const struct exit_action *act)
{
	return x86_hup__msr_exit(v, act);
}

int arch__flush_tlb(struct vcpu *v)
{
	return x86_hup__flush_tlb(v);
}

int arch__mark_preempted(struct vcpu *v)
{
	return x86_pvtime__mark_preempted(v);
}

void arch__parking(struct vcpu *v)
{
	if (v->vm->cfg.pv_tlb_flush)
		x86_pvtime__parking(v);
}

void arch__exit_vm(struct vm *vm)
{
	struct arch_vm *a = vm->arch;

	x86_hup__exit(vm);
	if (!a)
		return;
	serial__free(a->serial);
	acpi_pm__free(a->pm);
	cmos__free(a->cmos);
	free(a->cpuid);
	free(a);
	vm->arch = NULL;
}
