// SPDX-License-Identifier: BSD-2-Clause
/*
 * The KVM side of the hyperupcall backend on x86 (see x86/hup.h): the
 * doorbell port, vetting MSR writes through KVM's user-space MSR filter,
 * reading a vCPU's registers and TSC for helpers, the guest page-table
 * root and paging mode a registration walks, and flushing a vCPU's TLB on
 * entry when a program asks for it.
 */
#include "x86/hup.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <x86intrin.h>

#include <hyperupcall/abi.h>

#include "devices/doorbell.h"
#include "hyperupcall/backend.h"
#include "clock.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"
#include "x86/bits.h"
#include "x86/layout.h"
#include "x86/msr.h"
#include "x86/regs.h"
#include "upcall.h"

/* One filter range covers at most this many MSRs around a vetted one. */
#define X86_HUP_FILTER_SPAN 64u

enum { TSC_UNKNOWN, TSC_ATTR, TSC_MSR };

struct x86_hup {
	struct backend be;
	struct doorbell db;
	struct upcall up;
	struct vm *vm;
};

/* The upcall baseline's interrupt: an edge on an ISA-style line, which
 * KVM's IOAPIC delivers to the CPU the guest routed it to. */
static void upcall_raise(void *opaque)
{
	struct vm *vm = opaque;

	vm__irq_line(vm, X86_UPCALL_GSI, 1);
	vm__irq_line(vm, X86_UPCALL_GSI, 0);
}

static struct vcpu *vcpu_of(struct vm *vm, uint32_t cpu)
{
	return cpu < vm->nr_vcpus ? &vm->vcpus[cpu] : NULL;
}

/* ---------------------------------------------------------------- MSRs */

static int get_msr(struct vcpu *v, uint32_t index, uint64_t *data)
{
	return msr__get(v->fd, index, data);
}

static int set_msr(struct vcpu *v, uint32_t index, uint64_t data)
{
	return msr__set(v->fd, index, data);
}

/* ---------------------------------------------------------------- TSC */

static int read_tsc_msr(struct vcpu *v, uint64_t *tsc)
{
	return get_msr(v, MSR_IA32_TSC, tsc);
}

static int read_tsc_offset(struct vcpu *v, uint64_t *off)
{
	struct kvm_device_attr a = {
	    .group = KVM_VCPU_TSC_CTRL,
	    .attr = KVM_VCPU_TSC_OFFSET,
	    .addr = (uintptr_t)off,
	};

	return ioctl(v->fd, KVM_GET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

bool x86_hup__host_tsc_stable(const char *clocksource_path)
{
	char buf[32] = "";
	FILE *f = fopen(clocksource_path, "re");
	bool tsc;

	if (!f)
		return false; /* unknown: the exact method */
	tsc = fgets(buf, sizeof(buf), f) && !strcmp(buf, "tsc\n");
	fclose(f);
	return tsc;
}

/* Once per vCPU, on its thread: pick the method (x86/hup.h), and at -v say
 * what each costs here (docs/hupvm.md records the numbers). */
static void tsc_probe(struct vcpu *v)
{
	struct kvm_device_attr a = {.group = KVM_VCPU_TSC_CTRL,
				    .attr = KVM_VCPU_TSC_OFFSET};
	bool attr = ioctl(v->fd, KVM_HAS_DEVICE_ATTR, &a) == 0;
	bool stable = x86_hup__host_tsc_stable(X86_HUP_CLOCKSOURCE);
	uint64_t t0, t1, t2, x = 0;
	const int n = 200;

	v->tsc_mode = attr && stable ? TSC_ATTR : TSC_MSR;
	if (v->id != 0 || log__level() < LOG_INFO)
		return;
	t0 = hupvm_now_ns();
	for (int i = 0; i < n; i++)
		read_tsc_msr(v, &x);
	t1 = hupvm_now_ns();
	for (int i = 0; i < n && v->tsc_mode == TSC_ATTR; i++)
		read_tsc_offset(v, &x);
	t2 = hupvm_now_ns();
	pr_info("guest TSC: %s%s; KVM_GET_MSRS(IA32_TSC) %llu ns, "
		"KVM_VCPU_TSC_OFFSET read %llu ns, cached offset + rdtsc ~0",
		v->tsc_mode == TSC_ATTR ? "rdtsc + cached KVM_VCPU_TSC_OFFSET"
					: "KVM_GET_MSRS(IA32_TSC) per event",
		stable ? "" : " (the host's clocksource is not the TSC)",
		(unsigned long long)((t1 - t0) / n),
		(unsigned long long)((t2 - t1) / n));
}

uint64_t x86_hup__guest_tsc(struct vcpu *v)
{
	uint64_t tsc = 0, now;

	if (vcpu__current() != v) {
		/* Another thread (a global event): the cached offset of a
		 * vCPU that is maybe inside KVM_RUN; no ioctl (it would
		 * wait for the vCPU to exit). */
		return __rdtsc() + atomic_load(&v->tsc_offset);
	}
	if (v->tsc_mode == TSC_UNKNOWN)
		tsc_probe(v);
	/* Refreshed in either mode: the other threads' events (above) read
	 * the cached offset even when this thread reads the MSR. */
	now = hupvm_now_ns();
	if (now - v->tsc_offset_ns > X86_HUP_TSC_REFRESH_NS) {
		uint64_t off;

		if (!read_tsc_offset(v, &off))
			atomic_store(&v->tsc_offset, off);
		v->tsc_offset_ns = now;
	}
	if (v->tsc_mode == TSC_MSR) {
		if (read_tsc_msr(v, &tsc))
			return 0;
	} else {
		tsc = __rdtsc() + atomic_load(&v->tsc_offset);
	}
	return x86_hup__tsc_forward(&v->tsc_fwd, tsc);
}

uint64_t x86_hup__tsc_forward(struct x86_hup_tsc_fwd *f, uint64_t tsc)
{
	uint64_t drop;

	if (!tsc)
		return 0;
	if (tsc >= f->last || f->last - tsc >= X86_HUP_TSC_REWIND) {
		f->last = tsc;
		return tsc;
	}
	drop = f->last - tsc;
	/* counters read by the control thread: relaxed atomics */
	__atomic_store_n(&f->back, f->back + 1, __ATOMIC_RELAXED);
	if (drop > f->back_max)
		__atomic_store_n(&f->back_max, drop, __ATOMIC_RELAXED);
	return f->last;
}

/* ------------------------------------------------------- backend_ops */

static int ops_paging(void *opaque, uint32_t cpu, struct ptw_root *root)
{
	struct x86_hup *h = opaque;
	struct vcpu *v = vcpu_of(h->vm, cpu);
	struct kvm_sregs s;

	if (!v || vcpu__current() != v)
		return -EPERM;
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	return regs__paging_root(&s, root);
}

static uint64_t ops_guest_tsc(void *opaque, uint32_t cpu)
{
	struct x86_hup *h = opaque;
	struct vcpu *v = vcpu_of(h->vm, cpu);

	return v ? x86_hup__guest_tsc(v) : 0;
}

static int ops_vcpu_reg(void *opaque, uint32_t cpu, uint32_t reg,
			uint64_t *val)
{
	struct x86_hup *h = opaque;
	struct vcpu *v = vcpu_of(h->vm, cpu);
	struct kvm_regs r;
	struct kvm_sregs s;
	uint64_t gpr[sizeof(r) / sizeof(uint64_t)];

	if (!v || vcpu__current() != v)
		return -EPERM;
	if (reg > HUP_REG_MAX)
		return -EINVAL;
	if (reg >= HUP_REG_CR0) {
		if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
			return -errno;
		*val = reg == HUP_REG_CR0 ? s.cr0
		       : reg == HUP_REG_CR3 ? s.cr3
					    : s.cr4;
		return 0;
	}
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0)
		return -errno;
	/* struct kvm_regs: rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip
	 * rflags, the order of enum hup_reg. */
	memcpy(gpr, &r, sizeof(gpr));
	*val = gpr[reg];
	return 0;
}

/* Deny writes of exactly msrs[0..n) (sorted, distinct); allow the rest. */
static int ops_msr_filter(void *opaque, const uint32_t *msrs, unsigned int n)
{
	struct x86_hup *h = opaque;
	struct kvm_msr_filter f;
	uint8_t bitmaps[KVM_MSR_FILTER_MAX_RANGES][X86_HUP_FILTER_SPAN / 8];
	unsigned int nr = 0;

	memset(&f, 0, sizeof(f));
	memset(bitmaps, 0xff, sizeof(bitmaps)); /* 1 = allowed */
	f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	for (unsigned int i = 0; i < n; i++) {
		struct kvm_msr_filter_range *r = nr ? &f.ranges[nr - 1] : NULL;
		uint32_t bit;

		if (!r || msrs[i] - r->base >= X86_HUP_FILTER_SPAN) {
			if (nr == KVM_MSR_FILTER_MAX_RANGES)
				return -ENOSPC;
			r = &f.ranges[nr];
			r->flags = KVM_MSR_FILTER_WRITE;
			r->base = msrs[i];
			r->bitmap = bitmaps[nr];
			nr++;
		}
		bit = msrs[i] - r->base;
		r->nmsrs = bit + 1;
		bitmaps[nr - 1][bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
	if (ioctl(h->vm->vm_fd, KVM_X86_SET_MSR_FILTER, &f) < 0) {
		int err = -errno;

		pr_warn("KVM_X86_SET_MSR_FILTER (%u MSRs): %s", n,
			strerror(errno));
		return err;
	}
	return 0;
}

static const struct backend_ops ops_full = {
    .paging = ops_paging,
    .guest_tsc = ops_guest_tsc,
    .vcpu_reg = ops_vcpu_reg,
    .msr_filter = ops_msr_filter,
};
static const struct backend_ops ops_no_msr = {
    .paging = ops_paging,
    .guest_tsc = ops_guest_tsc,
    .vcpu_reg = ops_vcpu_reg,
};

/* ---------------------------------------------------------- lifecycle */

static bool enable_user_msr(struct vm *vm)
{
	struct kvm_enable_cap cap = {
	    .cap = KVM_CAP_X86_USER_SPACE_MSR,
	    .args = {KVM_MSR_EXIT_REASON_FILTER},
	};

	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <=
		0 ||
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) <= 0)
		return false;
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		pr_warn("KVM_CAP_X86_USER_SPACE_MSR: %s; no MSR-write events",
			strerror(errno));
		return false;
	}
	return true;
}

int x86_hup__init(struct vm *vm, uint32_t *events, uint32_t *features)
{
	struct x86_hup *h = calloc(1, sizeof(*h));
	bool msr;
	int err;

	if (!h)
		return -ENOMEM;
	h->vm = vm;
	msr = enable_user_msr(vm);
	err = backend__create(&h->be, &vm->mem, vm->cfg.nr_cpus,
			      msr ? &ops_full : &ops_no_msr, h, 0);
	if (err) {
		pr_err("hyperupcall backend: %s", strerror(-err));
		free(h);
		return err;
	}
	err = upcall__init(&h->up, &vm->mem, upcall_raise, vm);
	if (err) {
		backend__destroy(&h->be);
		free(h);
		return err;
	}
	doorbell__init(&h->db, &h->be, &h->up);
	err = doorbell__register(&h->db, &vm->pio, HUP_DB_PORT_DEFAULT);
	if (err) {
		upcall__destroy(&h->up);
		backend__destroy(&h->be);
		free(h);
		return err;
	}
	vm->hup = &h->be;
	vm->upcall = &h->up;
	vm->hup_priv = h;
	*events = h->be.events;
	*features = HUP_FEAT_JIT | HUP_FEAT_VCPU_REGS | HUP_FEAT_UPCALL;
	pr_debug("hyperupcall backend: views up to 2^%u bytes, events %#x",
		 h->be.views.max_bits, h->be.events);
	return 0;
}

void x86_hup__exit(struct vm *vm)
{
	struct x86_hup *h = vm->hup_priv;

	if (!h)
		return;
	backend__destroy(&h->be);
	upcall__destroy(&h->up);
	free(h);
	vm->upcall = NULL;
	vm->hup = NULL;
	vm->hup_priv = NULL;
}

/* ------------------------------------------------------------ exits */

int x86_hup__msr_exit(struct vcpu *v, const struct exit_action *act)
{
	struct kvm_run *run = v->run;

	if (act->kind == EXIT_MSR_READ) {
		/* Only writes are filtered; answer a read as KVM would. */
		uint64_t data;

		if (act->msr.reason == KVM_MSR_EXIT_REASON_FILTER &&
		    get_msr(v, act->msr.index, &data) == 0) {
			run->msr.data = data;
			run->msr.error = 0;
		} else {
			run->msr.error = 1;
		}
		return 0;
	}
	if (act->msr.reason != KVM_MSR_EXIT_REASON_FILTER) {
		run->msr.error = 1; /* not enabled: what KVM would do */
		return 0;
	}
	if (v->vm->hup && backend__msr_denied(v->vm->hup, v->id,
					       act->msr.index, act->msr.data)) {
		run->msr.error = 1; /* KVM injects #GP */
		return 0;
	}
	run->msr.error = set_msr(v, act->msr.index, act->msr.data) ? 1 : 0;
	return 0;
}

/* Write EFER with NX flipped, then the original value back. */
static int flush_by_efer(struct vcpu *v)
{
	uint64_t efer;

	if (get_msr(v, MSR_EFER, &efer))
		return -EIO;
	if (!(efer & X86_EFER_NX))
		return -EOPNOTSUPP; /* setting NX may be invalid for the CPU */
	if (set_msr(v, MSR_EFER, efer & ~X86_EFER_NX))
		return -EIO;
	return set_msr(v, MSR_EFER, efer);
}

/* Write CR4 with PGE flipped, then the original value back. */
static int flush_by_cr4(struct vcpu *v)
{
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	s.cr4 ^= X86_CR4_PGE;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	s.cr4 ^= X86_CR4_PGE;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	return 0;
}

int x86_hup__flush_tlb(struct vcpu *v)
{
	int err = flush_by_efer(v);

	return err ? flush_by_cr4(v) : 0;
}
