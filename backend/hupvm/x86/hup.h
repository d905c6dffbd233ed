/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The KVM side of the hyperupcall backend on x86: what backend_ops needs
 * from a vCPU or the VM (paging state, TSC, registers, the MSR filter),
 * the doorbell device on the port bus, user-space MSR exits, and the TLB
 * flush a resume program may ask for.
 *
 * Guest TSC (hup_trace_ctx.guest_tsc, HUP_FN_guest_tsc): host rdtsc plus
 * the vCPU's TSC offset, read with KVM_GET_DEVICE_ATTR(KVM_VCPU_TSC_CTRL,
 * KVM_VCPU_TSC_OFFSET) and cached per vCPU for X86_HUP_TSC_REFRESH_NS.
 * hupvm never sets a TSC frequency, so KVM applies no scaling ratio and
 * guest TSC = host TSC + offset exactly.  Reading IA32_TSC with
 * KVM_GET_MSRS costs an ioctl per event (see docs/hupvm.md for the
 * measured costs); it is the fallback when the attribute is missing
 * (kernels before 5.16), and the method on a host whose kernel does not
 * keep the TSC as its clocksource (it found it unstable: an L1 under TCG,
 * whose CPUs' TSCs are not in sync).  There KVM recomputes a vCPU's offset
 * at every load so that its TSC goes on from where it stopped, and host
 * rdtsc plus a cached offset drifts from what the guest reads: once by
 * 1.3 ms within a run, which put a trace event before its predecessor.
 * KVM_GET_MSRS loads the vCPU first and answers exactly.  A guest write
 * to IA32_TSC moves the offset: the cache shows the old one for at most
 * the refresh interval.
 *
 * On one vCPU the guest TSC hupvm reports never goes back
 * (x86_hup__tsc_forward): a reading below the last one is reported as the
 * last one, and counted (hupctl stats: tsc_back, tsc_back_max_cycles).
 * The guest's own TSC does not go back, and trace readers order one
 * vCPU's events by it; yet on an L1 under TCG, KVM_GET_MSRS(IA32_TSC)
 * once answered 74 us below its answer at the vCPU's previous exit (KVM
 * recomputes the offset at every load there), and the guest's trace put
 * the later event first.  A drop of X86_HUP_TSC_REWIND cycles or more is
 * the guest rewriting its TSC, and taken as it is.
 *
 * MSR writes (HUP_EVENT_MSR_WRITE): KVM_CAP_X86_USER_SPACE_MSR with
 * KVM_MSR_EXIT_REASON_FILTER, and KVM_X86_SET_MSR_FILTER denying writes of
 * exactly the vetted MSRs (default allow).  A denied write exits to hupvm:
 * the programs decide; deny sets run->msr.error (KVM injects #GP); allow
 * performs the write with KVM_SET_MSRS on the vCPU, from its own thread,
 * before it re-enters (KVM completes the WRMSR on entry).  KVM treats that
 * write as host-initiated: for most MSRs identical, but a few accept
 * values from the host that they would refuse from the guest (e.g.
 * read-only feature MSRs); a vetted MSR's write therefore succeeds or
 * fails as KVM_SET_MSRS says, and a failure becomes #GP, as on bare metal.
 *
 * TLB flush on entry (HUP_ENTRY_FLUSH_TLB): KVM has no ioctl for it.  A
 * host write of EFER that changes NX (one of KVM_MMU_EFER_ROLE_BITS) makes
 * KVM reset the vCPU's MMU context (set_efer -> kvm_mmu_reset_context);
 * the next entry reloads the root and kvm_mmu_load() flushes the current
 * ASID (SVM) / EPTP context (VMX) through kvm_x86_flush_tlb_current, which
 * drops the guest's linear translations too.  hupvm writes EFER with NX
 * cleared and then the original EFER, both before the vCPU re-enters, so
 * the guest never runs with the flipped bit.  A guest without NX falls back
 * to the same trick on CR4.PGE through KVM_GET/SET_SREGS; that round trip
 * rewrites every segment register, and under QEMU/TCG as L0 it turned the
 * TR's type from 9 to 11 (KVM reports TR busy; TCG's I/O permission check
 * wants 9), after which every user-mode port access raised #GP: the EFER
 * path avoids touching segments at all.
 */
#ifndef HUPVM_X86_HUP_H
#define HUPVM_X86_HUP_H

#include <stdbool.h>
#include <stdint.h>

#define X86_HUP_CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"
#define X86_HUP_TSC_REFRESH_NS 10000000ull /* 10 ms */
#define X86_HUP_TSC_REWIND (1ull << 32) /* cycles: 1-4 s at 1-4 GHz */

struct vm;
struct vcpu;
struct exit_action;

/* Create the backend and its doorbell; sets vm->hup; *events for CPUID. */
int x86_hup__init(struct vm *vm, uint32_t *events, uint32_t *features);
void x86_hup__exit(struct vm *vm);
/* A user-space MSR exit of vCPU v: run the vetting programs, answer. */
int x86_hup__msr_exit(struct vcpu *v, const struct exit_action *act);
/* Whether the clocksource file (the host's
 * /sys/devices/system/clocksource/clocksource0/current_clocksource) names
 * the TSC: then rdtsc plus a cached offset is the guest's TSC. */
bool x86_hup__host_tsc_stable(const char *clocksource_path);
/* Make the vCPU's next entry flush its TLB (on its own thread). */
int x86_hup__flush_tlb(struct vcpu *v);
uint64_t x86_hup__guest_tsc(struct vcpu *v);

/* One vCPU's reported TSC, kept from going back (above). */
struct x86_hup_tsc_fwd {
	uint64_t last;
	uint64_t back, back_max; /* readings held, the largest drop */
};
/* What to report for the reading tsc (0: unknown, passed on as it is). */
uint64_t x86_hup__tsc_forward(struct x86_hup_tsc_fwd *f, uint64_t tsc);

#endif
