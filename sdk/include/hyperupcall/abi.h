/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * The hyperupcall guest/host ABI: the single source of truth shared by the
 * guest kernel module, the guest loader and SDK, BPF programs, and the host
 * backend (libhup, hupvm).  docs/abi.md is the prose companion; where the two
 * disagree, this header wins and the doc is a bug.
 *
 * Everything here is fixed-width, explicitly padded and little-endian (x86-64
 * guests and hosts only).  The header compiles unchanged in four settings:
 * the Linux kernel (module build), guest and host userspace (C11 and C++),
 * and BPF programs (clang -target bpf).  It includes nothing but the
 * fixed-width integer types of the setting it is compiled in.
 */
#ifndef HYPERUPCALL_ABI_H
#define HYPERUPCALL_ABI_H

#if defined(__KERNEL__)
#include <linux/types.h>
#include <linux/build_bug.h>
typedef __u8 hup_u8;
typedef __u16 hup_u16;
typedef __u32 hup_u32;
typedef __u64 hup_u64;
typedef __s16 hup_s16;
typedef __s32 hup_s32;
typedef __s64 hup_s64;
#define HUP_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__bpf__)
/* BPF programs have no libc; the compiler's predefined types suffice. */
typedef __UINT8_TYPE__ hup_u8;
typedef __UINT16_TYPE__ hup_u16;
typedef __UINT32_TYPE__ hup_u32;
typedef __UINT64_TYPE__ hup_u64;
typedef __INT16_TYPE__ hup_s16;
typedef __INT32_TYPE__ hup_s32;
typedef __INT64_TYPE__ hup_s64;
#define HUP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
#include <stdint.h>
typedef uint8_t hup_u8;
typedef uint16_t hup_u16;
typedef uint32_t hup_u32;
typedef uint64_t hup_u64;
typedef int16_t hup_s16;
typedef int32_t hup_s32;
typedef int64_t hup_s64;
#ifdef __cplusplus
#define HUP_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define HUP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#endif

/* ------------------------------------------------------------------------
 * Version
 *
 * The major number changes when an existing layout or meaning changes; the
 * minor number when something is added that an older peer may ignore.  The
 * host refuses requests whose major differs from its own (-EPROTO).
 */
#define HUP_ABI_MAJOR 1
#define HUP_ABI_MINOR 1 /* 1: the upcall baseline (HUP_FEAT_UPCALL) */
#define HUP_ABI_VERSION ((HUP_ABI_MAJOR << 16) | HUP_ABI_MINOR)

/* ------------------------------------------------------------------------
 * Discovery: CPUID leaves in the hypervisor range
 *
 * KVM itself answers 0x40000000..0x40000001; we sit 0x100 above so that the
 * guest's own KVM paravirt detection is untouched.
 *
 * HUP_CPUID_BASE:     eax = highest HUP leaf (HUP_CPUID_INFO)
 *                     ebx, ecx, edx = "HyperUpcall!" (HUP_CPUID_SIG_*)
 * HUP_CPUID_INFO:     eax = HUP_ABI_VERSION
 *                     ebx = doorbell I/O port base (bits 0-15);
 *                           with HUP_FEAT_UPCALL, the upcall GSI
 *                           (bits 16-23)
 *                     ecx = supported events, bit (1 << HUP_EVENT_*)
 *                     edx = feature flags (HUP_FEAT_*)
 * A leaf below a real hypervisor that does not implement this ABI returns
 * zeros or another signature; the guest must compare all three words.
 */
#define HUP_CPUID_BASE 0x40000100u
#define HUP_CPUID_INFO 0x40000101u
#define HUP_CPUID_SIG_EBX 0x65707948u /* "Hype" */
#define HUP_CPUID_SIG_ECX 0x63705572u /* "rUpc" */
#define HUP_CPUID_SIG_EDX 0x216c6c61u /* "all!" */

/* Feature flags (HUP_CPUID_INFO.edx). */
#define HUP_FEAT_JIT (1u << 0)       /* programs run as native code */
#define HUP_FEAT_VCPU_REGS (1u << 1) /* HUP_FN_vcpu_reg is available */
#define HUP_FEAT_UPCALL (1u << 2)    /* the upcall baseline (below) */
#define HUP_CPUID_UPCALL_GSI(ebx) (((ebx) >> 16) & 0xffu)

/* ------------------------------------------------------------------------
 * Doorbell: port I/O, 32-bit accesses only
 *
 * Stock KVM forwards no custom hypercall to a userspace VMM, so the guest
 * rings the backend through port I/O, which always exits to userspace.
 *
 *   outl(gpa >> 32, port + HUP_DB_REQ_HI)   latch the high half (per vCPU)
 *   outl(gpa,       port + HUP_DB_REQ_LO)   submit: the request block at
 *                                           (hi << 32 | lo) is processed
 *                                           before the outl retires
 *   inl(port + HUP_DB_STATUS)               result of this vCPU's last
 *                                           request (an s32, 0 or -errno)
 *
 * Processing is synchronous: when the submitting instruction retires, the
 * host has written `result` (and the other out fields) back into the block.
 * The latched high half is cleared by each submit, so a guest that does not
 * write it submits a block below 4 GiB.  Accesses of other widths or to
 * other offsets are ignored (reads return ~0).
 *
 * With HUP_FEAT_UPCALL, two more ports serve the upcall baseline (below):
 *
 *   outl(gpa,  port + HUP_DB_UPCALL_ATTACH) the upcall block is at
 *                                           (hi << 32 | gpa), latched as
 *                                           above; gpa 0 detaches.  The
 *                                           result is read at STATUS.
 *   outl(seq,  port + HUP_DB_UPCALL_DONE)   the answer to question seq is
 *                                           in the block
 */
#define HUP_DB_PORT_DEFAULT 0x0e80u
#define HUP_DB_REQ_LO 0x0u
#define HUP_DB_STATUS 0x0u
#define HUP_DB_REQ_HI 0x4u
#define HUP_DB_UPCALL_ATTACH 0x8u
#define HUP_DB_UPCALL_DONE 0xcu
#define HUP_DB_NR_PORTS 16u

/* ------------------------------------------------------------------------
 * Named limits
 */
#define HUP_MAX_INSNS 4096u        /* per program, as in the paper */
#define HUP_MAX_WINDOWS 8u         /* guest memory windows per program */
#define HUP_MAX_PROGS 64u          /* registered programs per VM */
#define HUP_MAX_PROGS_PER_EVENT 8u /* attached to one event */
#define HUP_NAME_LEN 32u           /* program name, NUL-terminated */
#define HUP_LOG_MAX (64u * 1024u)  /* verifier log bytes written back */
#define HUP_STACK_SIZE 512u        /* BPF stack, as in Linux */
#define HUP_LOOP_MAX (1u << 20)    /* iterations of one HUP_FN_loop call */
#define HUP_GUEST_COPY_MAX 4096u   /* bytes per guest memcpy/memset call */
#define HUP_QUERY_OUT_MAX (64u * 1024u) /* bytes a query may output */
#define HUP_RECLAIM_BATCH 512u     /* pfns per reclaim invocation */

/* ------------------------------------------------------------------------
 * Request block
 *
 * Lives in guest RAM, 8-byte aligned, entirely inside guest RAM.  The host
 * copies it once before looking at any field (a vCPU rewriting it during
 * processing cannot change what is checked), validates every field, and
 * writes back only the fields marked "out".
 */
enum hup_op {
	HUP_OP_REGISTER = 1,   /* verify, compile, attach; out: prog_id, log */
	HUP_OP_UNREGISTER = 2, /* detach and free prog_id */
	HUP_OP_QUERY = 3,      /* out: info about prog_id (hup_prog_info) */
};

/* Window access rights. */
#define HUP_WIN_READ (1u << 0)
#define HUP_WIN_WRITE (1u << 1)

/* What a window covers; informative for the host's log and statistics. */
enum hup_win_kind {
	HUP_WIN_DIRECT_MAP = 1, /* page_offset_base .. + RAM */
	HUP_WIN_VMEMMAP = 2,    /* struct page array */
	HUP_WIN_KERNEL = 3,     /* kernel image (text, data, bss) */
	HUP_WIN_BUFFER = 4,     /* memory a guest driver handed out */
};

/*
 * A guest-virtual range the program may touch.  The host resolves it through
 * the registering vCPU's page tables at registration time; pages not present
 * then stay holes (an access to one aborts the program).
 */
struct hup_window {
	hup_u64 gva;   /* page aligned */
	hup_u64 size;  /* bytes, page multiple, > 0 */
	hup_u32 prot;  /* HUP_WIN_READ | HUP_WIN_WRITE */
	hup_u32 kind;  /* enum hup_win_kind */
};

#define HUP_REQ_MAGIC 0x51525548u /* "HURQ" */

struct hup_request {
	hup_u32 magic;        /* HUP_REQ_MAGIC */
	hup_u32 abi_version;  /* HUP_ABI_VERSION the guest was built with */
	hup_u32 op;           /* enum hup_op */
	hup_u32 flags;        /* must be 0 */
	hup_s32 result;       /* out: 0 or -errno */
	hup_u32 prog_id;      /* out (REGISTER), in (UNREGISTER, QUERY) */

	/* REGISTER */
	hup_u32 event;        /* enum hup_event */
	hup_u32 insn_cnt;     /* 8-byte BPF instructions, 1..HUP_MAX_INSNS */
	hup_u64 insns_gpa;    /* guest-physically contiguous bytecode */
	hup_u64 event_arg;    /* per event, see enum hup_event; else 0 */
	hup_u64 log_gpa;      /* verifier log buffer, or 0 for none */
	hup_u32 log_size;     /* bytes, <= HUP_LOG_MAX */
	hup_u32 log_len;      /* out: bytes written, NUL included */
	hup_u32 nr_windows;   /* <= HUP_MAX_WINDOWS */
	hup_u32 reserved0;    /* must be 0 */
	struct hup_window windows[HUP_MAX_WINDOWS];
	char name[HUP_NAME_LEN]; /* NUL-terminated, printable ASCII */

	/* QUERY, out */
	hup_u64 stat_runs;     /* completed invocations */
	hup_u64 stat_aborts;   /* invocations ended by a fault or error */
	hup_u64 stat_run_ns;   /* total time spent running */
	hup_u32 jited_len;     /* bytes of native code, 0 if interpreted */
	hup_u32 reserved1;     /* must be 0 */
};

/* ------------------------------------------------------------------------
 * Events and their contexts
 *
 * A program receives a pointer to its event's context in r1.  Each context
 * field is readable; only the fields named writable may be stored to.
 * Local events run on behalf of one vCPU; global ones in host context.
 * r0 on return is interpreted per event as documented below.
 */
/*
 * The events.  Each has one name, its spelling everywhere: the section
 * "hyperupcall/<name>" hupcc and hupload read, hupctl's and hupload's
 * lists, the logs.
 *
 * trace (local): a hypervisor event of one vCPU: an exit the VMM handled,
 *   or the VMM pausing / resuming the vCPU.  event_arg: bitmask of
 *   (1 << HUP_TRACE_*) kinds to deliver, 0 = all.  r0 ignored.
 * msr_write (local): the guest wrote an MSR the host filters.  event_arg:
 *   the MSR index to vet.  r0 == 0 allows the write; anything else denies
 *   it and the vCPU receives #GP.
 * reclaim (global): the host asks which of ctx->nr_pfns guest frames
 *   starting at ctx->pfn_start are free; the program sets their bits in
 *   ctx->free.  A set bit lets the host discard the page.  r0: 0, or
 *   -errno.
 * vcpu_resume (local): the VMM is about to resume a vCPU that was
 *   descheduled (paused).  The program may ask for a TLB flush on entry by
 *   setting HUP_ENTRY_FLUSH_TLB in ctx->actions.  r0 ignored.
 * query (global): an administrator's query.  The program emits its answer
 *   with HUP_FN_output.  r0: 0, or -errno.  event_arg: opaque tag.
 * vcpu_desched (global): the VMM holds a vCPU descheduled (it overcommits
 *   its CPUs and that vCPU is not running, nor will it until its next
 *   slice).  The program runs for it (ctx->vcpu) when it is descheduled
 *   and then periodically while it stays so, never while it runs: it may
 *   do, in the guest's memory, what other vCPUs wait on that vCPU for, and
 *   ask for HUP_ENTRY_* actions at its next entry in ctx->actions (they
 *   accumulate over the runs of one deschedule).  r0 ignored.
 *
 * X(enumerator, value, name): generates enum hup_event and
 * HUP_EVENT_NAMES_INIT.
 */
#define HUP_EVENT_LIST(X)                                                  \
	X(HUP_EVENT_TRACE, 1, "trace")                                     \
	X(HUP_EVENT_MSR_WRITE, 2, "msr_write")                             \
	X(HUP_EVENT_RECLAIM, 3, "reclaim")                                 \
	X(HUP_EVENT_VCPU_RESUME, 4, "vcpu_resume")                         \
	X(HUP_EVENT_QUERY, 5, "query")                                     \
	X(HUP_EVENT_VCPU_DESCHED, 6, "vcpu_desched")

#define HUP_X_ENUMERATOR(e, v, name) e = v,
#define HUP_X_NAME(e, v, name) [e] = name,

enum hup_event {
	HUP_EVENT_LIST(HUP_X_ENUMERATOR)
	HUP_EVENT_MAX = 6,
};

/* The events' names: an initialiser of a const char *[HUP_EVENT_MAX + 1]
 * (C only: designated array initialisers). */
#define HUP_EVENT_NAMES_INIT { HUP_EVENT_LIST(HUP_X_NAME) }

#define HUP_X_EVENT_IN_RANGE(e, v, name)                                   \
	HUP_STATIC_ASSERT(v >= 1 && v <= HUP_EVENT_MAX, #e " in 1..MAX");
HUP_EVENT_LIST(HUP_X_EVENT_IN_RANGE)

/* HUP_EVENT_TRACE kinds. */
enum hup_trace_kind {
	HUP_TRACE_EXIT = 1,   /* a VM exit handled by the VMM */
	HUP_TRACE_PAUSE = 2,  /* the VMM paused the vCPU */
	HUP_TRACE_RESUME = 3, /* the VMM resumed the vCPU */
};

/*
 * Exit reasons reported in hup_trace_ctx.reason for HUP_TRACE_EXIT, and
 * their names (hupvm's stats, the guest's hyperupcall:hv_event trace):
 *
 * io         arg0 = port, arg1 = size, arg2 = data, arg3 = 1 if write
 * mmio       arg0 = gpa, arg1 = size, arg2 = data, arg3 = 1 if write
 * msr_read   arg0 = msr, arg2 = value returned
 * msr_write  arg0 = msr, arg2 = value written
 * hlt
 * other      arg0 = KVM exit reason
 */
#define HUP_EXIT_LIST(X)                                                   \
	X(HUP_EXIT_IO, 1, "io")                                            \
	X(HUP_EXIT_MMIO, 2, "mmio")                                        \
	X(HUP_EXIT_MSR_READ, 3, "msr_read")                                \
	X(HUP_EXIT_MSR_WRITE, 4, "msr_write")                              \
	X(HUP_EXIT_HLT, 5, "hlt")                                          \
	X(HUP_EXIT_OTHER, 6, "other")

enum hup_exit_reason {
	HUP_EXIT_LIST(HUP_X_ENUMERATOR)
	HUP_EXIT_MAX = 6,
};

/* An initialiser of a const char *[HUP_EXIT_MAX + 1] (C only). */
#define HUP_EXIT_NAMES_INIT { HUP_EXIT_LIST(HUP_X_NAME) }

#define HUP_X_EXIT_IN_RANGE(e, v, name)                                    \
	HUP_STATIC_ASSERT(v >= 1 && v <= HUP_EXIT_MAX, #e " in 1..MAX");
HUP_EXIT_LIST(HUP_X_EXIT_IN_RANGE)

/* r1 of HUP_EVENT_TRACE.  Read-only. */
struct hup_trace_ctx {
	hup_u64 host_ns;    /* host CLOCK_MONOTONIC at the event */
	hup_u64 guest_tsc;  /* the vCPU's TSC at the event */
	hup_u32 vcpu;       /* vCPU index */
	hup_u32 kind;       /* enum hup_trace_kind */
	hup_u32 reason;     /* enum hup_exit_reason, for HUP_TRACE_EXIT */
	hup_u32 reserved;
	hup_u64 arg[4];     /* per reason */
};

/* r1 of HUP_EVENT_MSR_WRITE.  Read-only. */
struct hup_msr_ctx {
	hup_u64 guest_tsc;
	hup_u32 vcpu;
	hup_u32 msr;        /* MSR index */
	hup_u64 value;      /* value the guest tried to write */
};

/* r1 of HUP_EVENT_RECLAIM.  free[] is writable; the rest read-only. */
struct hup_reclaim_ctx {
	hup_u64 pfn_start;  /* first guest frame number asked about */
	hup_u32 nr_pfns;    /* <= HUP_RECLAIM_BATCH */
	hup_u32 reserved;
	hup_u64 free[HUP_RECLAIM_BATCH / 64]; /* bit i: pfn_start + i is free */
};

/* Actions of HUP_EVENT_VCPU_RESUME. */
#define HUP_ENTRY_FLUSH_TLB (1u << 0)

/* r1 of HUP_EVENT_VCPU_RESUME.  actions is writable; the rest read-only. */
struct hup_resume_ctx {
	hup_u64 guest_tsc;
	hup_u64 paused_ns;  /* how long the vCPU was descheduled */
	hup_u32 vcpu;
	hup_u32 actions;    /* out: HUP_ENTRY_* */
};

/* r1 of HUP_EVENT_VCPU_DESCHED.  actions is writable; the rest read-only. */
struct hup_desched_ctx {
	hup_u64 host_ns;        /* host CLOCK_MONOTONIC now */
	hup_u64 descheduled_ns; /* how long the vCPU has been descheduled */
	hup_u32 vcpu;           /* the descheduled vCPU */
	hup_u32 run;            /* 0 when descheduled, then 1, 2, ... */
	hup_u32 actions;        /* out: HUP_ENTRY_* at its next entry */
	hup_u32 reserved;
};

/* r1 of HUP_EVENT_QUERY.  Read-only. */
struct hup_query_ctx {
	hup_u64 tag;        /* event_arg of the registration */
	hup_u64 arg[4];     /* the administrator's arguments */
};

/* ------------------------------------------------------------------------
 * Guest memory: the view and the translated access
 *
 * The host maps every window of a program into a PROT_NONE host
 * reservation of that program's, its *view* (programs with identical
 * windows share one), at view offset (gva & view_mask).  A guest
 * virtual address is made into a host pointer with two ALU instructions:
 *
 *     mask = ld_imm64 HUP_PSEUDO_VIEW_MASK   (hoisted; a known constant)
 *     base = ld_imm64 HUP_PSEUDO_VIEW_BASE   (hoisted; a pointer to the view)
 *     p    = gva & mask
 *     p   += base
 *     ... *(size *)(p + off) ...             |off| < HUP_VIEW_GUARD
 *
 * The verifier proves 0 <= p - base <= mask and that [p + off, p + off +
 * size) stays inside [base - HUP_VIEW_GUARD, base + mask + 1 +
 * HUP_VIEW_GUARD), all of which the host reserved.  A page of the view that
 * maps no window page is a hole: touching it aborts the program with
 * -EFAULT and counts an abort; it never reaches other host memory.
 * view_mask is 2^k - 1, chosen by the host; two windows whose ranges
 * overlap modulo 2^k cannot both be mapped and registration fails with
 * -EADDRNOTAVAIL (see docs/abi.md for the odds under KASLR).
 */
#define HUP_VIEW_GUARD (64u * 1024u)

/*
 * Pseudo 64-bit immediate loads (BPF_LD | BPF_IMM | BPF_DW with src_reg set)
 * that the host patches at load time.  Linux uses src_reg 1..6; these stay
 * clear of them.  Guest-side pseudo loads (kernel symbols) are resolved by
 * the guest module before registration and never reach the host.
 */
#define HUP_PSEUDO_VIEW_BASE 12 /* imm = 0: host address of the view */
#define HUP_PSEUDO_VIEW_MASK 13 /* imm = 0: the view mask */

/* ------------------------------------------------------------------------
 * Helpers: BPF_CALL with src_reg 0 and imm = HUP_FN_*
 *
 * Arguments in r1..r5, result in r0, r1..r5 clobbered (BPF convention).
 * "gva" arguments are guest virtual addresses, checked against the view.
 * Buffers ("buf, size" pairs) are stack or writable context memory of at
 * least size bytes.  Failing helpers return -errno.
 */
enum hup_helper {
	/* s64 guest_read(void *dst, u32 size, u64 gva): copy from the guest,
	 * size <= HUP_GUEST_COPY_MAX; on -EFAULT dst holds size zeros */
	HUP_FN_guest_read = 1,
	/* s64 guest_write(u64 gva, const void *src, u32 size) */
	HUP_FN_guest_write = 2,
	/* s64 guest_memset(u64 gva, u32 byte, u32 size) */
	HUP_FN_guest_memset = 3,
	/* u64 host_ns(void): host CLOCK_MONOTONIC */
	HUP_FN_host_ns = 4,
	/* u64 guest_tsc(void): the event vCPU's TSC (local events),
	 * or vCPU 0's (global) */
	HUP_FN_guest_tsc = 5,
	/* s64 vcpu_reg(u32 reg): a register of the event vCPU, enum hup_reg
	 * (local events only) */
	HUP_FN_vcpu_reg = 6,
	/* s64 debug_print(const char *buf, u32 size): one line to the host
	 * log, rate limited */
	HUP_FN_debug_print = 7,
	/* s64 loop(u32 nr, s64 (*fn)(u32 i, void *data), void *data, u64 flags):
	 * calls fn for i = 0..nr-1 while it returns 0; nr <= HUP_LOOP_MAX;
	 * flags must be 0; returns iterations done.  Loops do not nest: fn
	 * (or a function it calls) may not call loop (-E2BIG at load) */
	HUP_FN_loop = 8,
	/* s64 output(const void *buf, u32 size): append to the query answer
	 * (HUP_EVENT_QUERY only) */
	HUP_FN_output = 9,
	/* u32 vcpu_id(void): index of the event vCPU (local events) */
	HUP_FN_vcpu_id = 10,
	HUP_FN_MAX = 10,
};

/* The call hupload leaves in place of an instruction whose CO-RE
 * relocation has no match in the running kernel (a field, type or enum
 * value it lacks): libbpf's value, so the verifier can say why a program
 * that reaches it is rejected.  Never a helper. */
#define HUP_CORE_POISON_CALL 0xbad2310

/* Registers readable with HUP_FN_vcpu_reg. */
enum hup_reg {
	HUP_REG_RAX = 0, HUP_REG_RBX, HUP_REG_RCX, HUP_REG_RDX,
	HUP_REG_RSI, HUP_REG_RDI, HUP_REG_RSP, HUP_REG_RBP,
	HUP_REG_R8, HUP_REG_R9, HUP_REG_R10, HUP_REG_R11,
	HUP_REG_R12, HUP_REG_R13, HUP_REG_R14, HUP_REG_R15,
	HUP_REG_RIP, HUP_REG_RFLAGS, HUP_REG_CR0, HUP_REG_CR3, HUP_REG_CR4,
	HUP_REG_MAX = HUP_REG_CR4,
};

/* ------------------------------------------------------------------------
 * The upcall baseline (HUP_FEAT_UPCALL)
 *
 * What a hyperupcall replaces, built for real so the two can be measured
 * side by side (docs/bench-costs.md): the host asks the guest kernel a
 * question by interrupting it, the way SymCall (VEE 2011) does.  It is not
 * how hyperupcalls work; it is what they are compared with.
 *
 *   guest (hyperupcall.ko, at load): a page-aligned struct hup_upcall_block
 *     in its direct map, magic set, attached at HUP_DB_UPCALL_ATTACH; a
 *     handler on the GSI the host advertises (CPUID, HUP_CPUID_UPCALL_GSI),
 *     an ISA-style edge-triggered, active-high line.
 *   host: writes kind and args, then seq (a new number per question);
 *     pulses the GSI; waits for HUP_DB_UPCALL_DONE with that seq, up to
 *     its timeout (the question then fails with -ETIMEDOUT, and a late
 *     answer is ignored).
 *   guest handler: reads seq, then kind and args; answers with the guest
 *     kernel's own code; writes answer, answer_len and result, then
 *     done_seq = seq; rings HUP_DB_UPCALL_DONE with seq.
 *
 * The host reads the answer once, after the doorbell, and trusts nothing
 * in it: answer_len is clamped to HUP_UPCALL_ANSWER_MAX, result to an
 * errno range.  One question at a time per VM.
 *
 * X(enumerator, value, name): the questions, one per use case, each the
 * upcall twin of a sample.
 *   trace: write a trace entry into the guest's trace ring (samples/
 *     tracing.c).  args: kind, reason, arg[0..3], host_ns, guest_tsc.
 *     answer: none; result 0, or -ENOSPC if the ring is full.
 *   free_pfns: which of args[1] (<= HUP_RECLAIM_BATCH) frames from pfn
 *     args[0] are free in the buddy allocator (samples/free_discard.c).
 *     answer: a bitmap, bit i for pfn args[0] + i.
 *   tlb_ack: acknowledge the TLB-flush requests queued to CPU args[0],
 *     which the host holds descheduled (samples/tlb_shootdown.c); the
 *     host flushes that vCPU's TLB before it runs again.  answer: a u32,
 *     the requests acknowledged.
 *   msr_write: may the write of args[1] to MSR args[0] pass (samples/
 *     msr_guard.c)?  answer: a u32, 0 allows.
 */
#define HUP_UPCALL_LIST(X)                                                 \
	X(HUP_UPCALL_TRACE, 1, "trace")                                    \
	X(HUP_UPCALL_FREE_PFNS, 2, "free_pfns")                            \
	X(HUP_UPCALL_TLB_ACK, 3, "tlb_ack")                                \
	X(HUP_UPCALL_MSR_WRITE, 4, "msr_write")

enum hup_upcall_kind {
	HUP_UPCALL_LIST(HUP_X_ENUMERATOR)
	HUP_UPCALL_MAX = HUP_UPCALL_MSR_WRITE,
};

#define HUP_UPCALL_NAMES_INIT { HUP_UPCALL_LIST(HUP_X_NAME) }

#define HUP_UPCALL_MAGIC 0x50555548u /* "HUUP" */
#define HUP_UPCALL_NR_ARGS 8u
#define HUP_UPCALL_ANSWER_MAX 512u

struct hup_upcall_block {
	hup_u32 magic;       /* guest: HUP_UPCALL_MAGIC */
	hup_u32 seq;         /* host: the question's number, written last */
	hup_u32 kind;        /* host: enum hup_upcall_kind */
	hup_u32 done_seq;    /* guest: seq answered, written last */
	hup_s32 result;      /* guest: 0 or -errno */
	hup_u32 answer_len;  /* guest: bytes of answer */
	hup_u64 args[HUP_UPCALL_NR_ARGS]; /* host */
	hup_u8 answer[HUP_UPCALL_ANSWER_MAX]; /* guest */
};

/* ------------------------------------------------------------------------
 * Error codes: negative Linux errno values, spelled out so the header needs
 * no errno.h.  A result is 0 or one of these, negated.
 */
#define HUP_EPERM 1         /* operation not allowed for this event */
#define HUP_ENOENT 2        /* no such prog_id */
#define HUP_ENOMEM 12       /* host out of memory */
#define HUP_EACCES 13       /* verifier: unsafe program */
#define HUP_EFAULT 14       /* a GPA/GVA outside guest RAM or a window */
#define HUP_EBUSY 16        /* event has HUP_MAX_PROGS_PER_EVENT programs */
#define HUP_EINVAL 22       /* malformed request or program */
#define HUP_ENOSPC 28       /* HUP_MAX_PROGS reached */
#define HUP_E2BIG 7         /* verifier: program too large or complex */
#define HUP_ENODEV 19       /* no backend (guest side only) */
#define HUP_EOPNOTSUPP 95   /* unknown op or event */
#define HUP_EPROTO 71       /* ABI major mismatch or bad magic */
#define HUP_EADDRNOTAVAIL 99 /* windows collide in the view */

/* ------------------------------------------------------------------------
 * Layout checks: every peer compiles these.
 */
HUP_STATIC_ASSERT(sizeof(struct hup_window) == 24, "hup_window size");
HUP_STATIC_ASSERT(sizeof(struct hup_request) == 328, "hup_request size");
HUP_STATIC_ASSERT(__builtin_offsetof(struct hup_request, insns_gpa) == 32,
		  "hup_request.insns_gpa");
HUP_STATIC_ASSERT(__builtin_offsetof(struct hup_request, windows) == 72,
		  "hup_request.windows");
HUP_STATIC_ASSERT(__builtin_offsetof(struct hup_request, name) == 264,
		  "hup_request.name");
HUP_STATIC_ASSERT(__builtin_offsetof(struct hup_request, stat_runs) == 296,
		  "hup_request.stat_runs");
HUP_STATIC_ASSERT(sizeof(struct hup_trace_ctx) == 64, "hup_trace_ctx size");
HUP_STATIC_ASSERT(sizeof(struct hup_msr_ctx) == 24, "hup_msr_ctx size");
HUP_STATIC_ASSERT(sizeof(struct hup_reclaim_ctx) == 16 + HUP_RECLAIM_BATCH / 8,
		  "hup_reclaim_ctx size");
HUP_STATIC_ASSERT(sizeof(struct hup_resume_ctx) == 24, "hup_resume_ctx size");
HUP_STATIC_ASSERT(sizeof(struct hup_query_ctx) == 40, "hup_query_ctx size");
HUP_STATIC_ASSERT(sizeof(struct hup_desched_ctx) == 32,
		  "hup_desched_ctx size");
HUP_STATIC_ASSERT(sizeof(struct hup_upcall_block) ==
		      88 + HUP_UPCALL_ANSWER_MAX, "hup_upcall_block size");
HUP_STATIC_ASSERT(HUP_UPCALL_ANSWER_MAX >= HUP_RECLAIM_BATCH / 8,
		  "a free_pfns answer holds a reclaim batch's bitmap");

#endif /* HYPERUPCALL_ABI_H */
