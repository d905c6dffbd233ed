// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot CPU state for the 64-bit entry (see regs.h).  Hardware facts used:
 * a long-mode code descriptor has L=1, D=0; CR0.PG with CR4.PAE and
 * EFER.LME enters long mode (KVM wants EFER.LMA set too when the state is
 * loaded directly); a 2 MiB page is a PD entry with PS set.
 */
#include "regs.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "hyperupcall/ptwalk.h"
#include "x86/bits.h"
#include "x86/layout.h"

#define PTE_P	 0x1ull
#define PTE_RW	 0x2ull
#define PTE_PS	 0x80ull
#define GDT_NR	 4

/* Descriptors: flags/limit/base packed the way the CPU reads them. */
static const uint64_t boot_gdt[GDT_NR] = {
    0, 0, 0x00af9b000000ffffull, /* 0x10: code, 64-bit (L=1), DPL0, present */
    0x00cf93000000ffffull,	 /* 0x18: data, 4 GiB flat, writable */
};

int regs__setup_tables(struct mem *m)
{
	uint64_t *gdt = mem__gpa_to_hva(m, X86_GDT_ADDR, sizeof(boot_gdt));
	uint64_t *pml4 = mem__gpa_to_hva(m, X86_PML4_ADDR, 4096);
	uint64_t *pdpt = mem__gpa_to_hva(m, X86_PDPT_ADDR, 4096);
	uint64_t *pd = mem__gpa_to_hva(m, X86_PD_ADDR, 4 * 4096);

	if (!gdt || !pml4 || !pdpt || !pd)
		return -ENOMEM;
	memcpy(gdt, boot_gdt, sizeof(boot_gdt));
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = X86_PDPT_ADDR | PTE_P | PTE_RW;
	/* 4 PDs x 512 x 2 MiB: identity map of the low 4 GiB. */
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (X86_PD_ADDR + i * 4096) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type,
			 int code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code ? 1 : 0;
	s->db = code ? 0 : 1;
}

int regs__setup_boot_cpu(int vcpu_fd, uint64_t entry, uint64_t boot_params)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	flat_segment(&sregs.cs, X86_BOOT_CS, 0xb, 1);
	flat_segment(&sregs.ds, X86_BOOT_DS, 0x3, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = X86_GDT_ADDR;
	sregs.gdt.limit = sizeof(boot_gdt) - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	sregs.cr3 = X86_PML4_ADDR;
	sregs.cr4 = X86_CR4_PAE;
	sregs.efer = X86_EFER_LME | X86_EFER_LMA;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2; /* reserved bit 1; interrupts off */
	regs.rip = entry;
	regs.rsi = boot_params;
	regs.rsp = X86_BOOT_STACK;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return -errno;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;    /* FNINIT state */
	fpu.mxcsr = 0x1f80; /* all SSE exceptions masked */
	if (ioctl(vcpu_fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	return 0;
}

static void dump_seg(FILE *out, const char *name, const struct kvm_segment *s)
{
	fprintf(out,
		"  %-3s sel=%04x base=%016llx limit=%08x type=%x p=%u dpl=%u "
		"l=%u db=%u\n",
		name, s->selector, (unsigned long long)s->base, s->limit,
		s->type, s->present, s->dpl, s->l, s->db);
}

int regs__paging_root(const struct kvm_sregs *s, struct ptw_root *root)
{
	if (!(s->cr0 & X86_CR0_PG) || !(s->efer & X86_EFER_LMA))
		return -EINVAL;
	root->cr3 = s->cr3;
	root->la57 = (s->cr4 & X86_CR4_LA57) != 0;
	return 0;
}

void regs__dump(int vcpu_fd, FILE *out)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vcpu_fd, KVM_GET_REGS, &r) < 0) {
		fprintf(out, "  (KVM_GET_REGS failed: %s)\n", strerror(errno));
		return;
	}
	fprintf(out, "  rip=%016llx rsp=%016llx rflags=%016llx\n", r.rip, r.rsp,
		r.rflags);
	fprintf(out, "  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n",
		r.rax, r.rbx, r.rcx, r.rdx);
	fprintf(out, "  rsi=%016llx rdi=%016llx rbp=%016llx r8 =%016llx\n",
		r.rsi, r.rdi, r.rbp, r.r8);
	fprintf(out, "  r9 =%016llx r10=%016llx r11=%016llx r12=%016llx\n",
		r.r9, r.r10, r.r11, r.r12);
	fprintf(out, "  r13=%016llx r14=%016llx r15=%016llx\n", r.r13, r.r14,
		r.r15);
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(out, "  (KVM_GET_SREGS failed: %s)\n", strerror(errno));
		return;
	}
	fprintf(out, "  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx\n",
		s.cr0, s.cr2, s.cr3, s.cr4);
	fprintf(
	    out,
	    "  efer=%016llx apic_base=%016llx gdt=%016llx/%x idt=%016llx/%x\n",
	    s.efer, s.apic_base, s.gdt.base, s.gdt.limit, s.idt.base,
	    s.idt.limit);
	dump_seg(out, "cs", &s.cs);
	dump_seg(out, "ss", &s.ss);
	dump_seg(out, "ds", &s.ds);
	dump_seg(out, "tr", &s.tr);
}

int regs__apic_highest(const char *regs, unsigned int off)
{
	for (int w = 7; w >= 0; w--) {
		uint32_t bits;

		memcpy(&bits, regs + off + (unsigned int)w * 16, sizeof(bits));
		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

static const char *mp_name(uint32_t mp)
{
	switch (mp) {
	case KVM_MP_STATE_RUNNABLE:
		return "runnable";
	case KVM_MP_STATE_HALTED:
		return "halted";
	case KVM_MP_STATE_UNINITIALIZED:
		return "uninitialized";
	case KVM_MP_STATE_INIT_RECEIVED:
		return "init-received";
	case KVM_MP_STATE_SIPI_RECEIVED:
		return "sipi-received";
	default:
		return "other";
	}
}

/* LAPIC register offsets (SDM vol. 3, table 11-1). */
#define APIC_TPR 0x80
#define APIC_ISR 0x100
#define APIC_IRR 0x200

void regs__brief(int vcpu_fd, struct vcpu_brief *b)
{
	struct kvm_regs r;
	struct kvm_mp_state mp;
	struct kvm_vcpu_events ev;
	struct kvm_lapic_state apic;
	size_t len, n = sizeof(b->text);
	char *buf = b->text;

	memset(b, 0, sizeof(*b));
	b->irr = b->isr = -1;
	if (ioctl(vcpu_fd, KVM_GET_REGS, &r) < 0) {
		snprintf(buf, n, "(KVM_GET_REGS: %s)", strerror(errno));
		return;
	}
	b->valid = true;
	b->irq_enabled = (r.rflags >> 9) & 1;
	len = (size_t)snprintf(buf, n, "rip=%016llx if=%d", r.rip,
			       (int)b->irq_enabled);
	if (len < n && ioctl(vcpu_fd, KVM_GET_MP_STATE, &mp) == 0) {
		b->halted = mp.mp_state == KVM_MP_STATE_HALTED;
		len += (size_t)snprintf(buf + len, n - len, " %s",
					mp_name(mp.mp_state));
	}
	if (len < n && ioctl(vcpu_fd, KVM_GET_VCPU_EVENTS, &ev) == 0)
		len += (size_t)snprintf(
		    buf + len, n - len,
		    " injecting=%d/%u shadow=%u nmi=%u/%u/%s",
		    ev.interrupt.injected, ev.interrupt.nr, ev.interrupt.shadow,
		    ev.nmi.pending, ev.nmi.injected,
		    ev.nmi.masked ? "masked" : "open");
	if (len < n && ioctl(vcpu_fd, KVM_GET_LAPIC, &apic) == 0) {
		b->irr = regs__apic_highest(apic.regs, APIC_IRR);
		b->isr = regs__apic_highest(apic.regs, APIC_ISR);
		b->tpr = (uint8_t)apic.regs[APIC_TPR];
		snprintf(buf + len, n - len, " irr=%d isr=%d tpr=%u", b->irr,
			 b->isr, b->tpr);
	}
}
