/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * The guest's user/kernel interface: ioctls on /dev/hyperupcall (the
 * hyperupcall.ko module) used by the loader hupload, and the "prepared
 * program" blob the module reads at boot (module parameter preload=).
 *
 * Division of labour.  hupload reads the hupcc object, links its .text
 * callees and callbacks and applies the CO-RE relocations against the
 * running kernel's BTF; it hands the module instructions that are final
 * except for guest kernel symbol addresses, which only the kernel knows
 * under KASLR: each __ksym load is listed as (instruction index, name) and
 * the module fills it (kallsyms, or its own symbols such as
 * HUP_TRACE_RING_KSYM).  Memory windows are requested by kind; the module
 * turns a kind into guest-virtual ranges itself.
 *
 * Every pointer is a __u64 user address; every structure is fixed-width and
 * explicitly padded, reserved fields must be zero (-EINVAL otherwise).
 * Errors: -EINVAL malformed, -EFAULT bad pointer, -E2BIG a count or size
 * above the limits below or in abi.h, -ENOENT unknown symbol or program,
 * -ENODEV no backend, -EPERM without CAP_SYS_ADMIN; the backend's verdict
 * (abi.h errors) otherwise.
 */
#ifndef HYPERUPCALL_IOCTL_H
#define HYPERUPCALL_IOCTL_H

#include <hyperupcall/abi.h>

#include <linux/ioctl.h> /* _IOW/_IOWR: the kernel's and the uapi's */

#define HUP_DEV_NAME "hyperupcall" /* /dev/hyperupcall */

/* Longest guest kernel symbol name the module resolves (NUL included). */
#define HUP_KSYM_NAME_LEN 128u
/* __ksym loads per program: each is an ld_imm64 (two instructions). */
#define HUP_MAX_KSYM_RELOCS 256u

/* A __ksym load: insns[insn_idx] is an ld_imm64 with src_reg 0 and imm 0
 * in both halves; the module writes the address of name into it.  A weak
 * one (`extern ... __ksym __weak`, HUP_KSYM_WEAK) that the running kernel
 * lacks gets 0 instead of failing the registration, so a program can test
 * for a symbol only some configurations have (libbpf's rule). */
#define HUP_KSYM_WEAK 1u
struct hup_ioc_ksym {
	hup_u32 insn_idx;
	hup_u32 flags;       /* HUP_KSYM_WEAK or 0 */
	char name[HUP_KSYM_NAME_LEN]; /* NUL-terminated */
};

/* Window kinds the module knows how to place (a superset of abi.h's
 * enum hup_win_kind: the module maps them onto it). */
enum hup_ioc_win_kind {
	HUP_IOC_WIN_DIRECT_MAP = 1, /* all guest RAM through the direct map */
	HUP_IOC_WIN_VMEMMAP = 2,    /* the struct page array */
	HUP_IOC_WIN_KERNEL = 3,     /* kernel image: _text .. _end */
	HUP_IOC_WIN_TRACE_RING = 4, /* the module's trace ring (read/write) */
	HUP_IOC_WIN_MAX = 4,
};

struct hup_ioc_window {
	hup_u32 kind;        /* enum hup_ioc_win_kind, each at most once */
	hup_u32 prot;        /* HUP_WIN_READ | HUP_WIN_WRITE, READ required */
};

/* HUP_IOC_REGISTER.  In: everything but the out fields. */
struct hup_ioc_register {
	hup_u32 size;        /* sizeof(struct hup_ioc_register) */
	hup_u32 flags;       /* 0 */
	hup_u32 event;       /* enum hup_event */
	hup_u32 insn_cnt;    /* 1..HUP_MAX_INSNS */
	hup_u64 insns;       /* user pointer: insn_cnt * 8 bytes */
	hup_u64 event_arg;
	hup_u64 ksyms;       /* user pointer: struct hup_ioc_ksym[nr_ksyms] */
	hup_u32 nr_ksyms;    /* <= HUP_MAX_KSYM_RELOCS */
	hup_u32 nr_windows;  /* <= HUP_MAX_WINDOWS */
	hup_u64 windows;     /* user pointer: struct hup_ioc_window[] */
	hup_u64 log_buf;     /* user pointer for the verifier log, or 0 */
	hup_u32 log_size;    /* bytes, <= HUP_LOG_MAX (0 if log_buf is 0) */
	hup_u32 log_len;     /* out: bytes written, NUL included */
	char name[HUP_NAME_LEN]; /* NUL-terminated printable ASCII */
	hup_u32 prog_id;     /* out: the backend's id for the program */
	hup_s32 result;      /* out: the backend's verdict (0 or -errno) */
};

/* HUP_IOC_UNREGISTER. */
struct hup_ioc_unregister {
	hup_u32 prog_id;
	hup_u32 flags;       /* 0 */
};

/* One program in HUP_IOC_LIST's answer. */
struct hup_ioc_prog_info {
	hup_u32 prog_id;
	hup_u32 event;
	hup_u32 insn_cnt;
	hup_u32 nr_windows;
	hup_u64 event_arg;
	char name[HUP_NAME_LEN];
	hup_u64 stat_runs;   /* from the backend (QUERY), 0 if unavailable */
	hup_u64 stat_aborts;
	hup_u64 stat_run_ns;
	hup_u32 jited_len;
	hup_u32 reserved;
};

/* HUP_IOC_LIST.  In: capacity of progs; out: count = number registered
 * (may exceed the capacity: only min(count, capacity) are written). */
struct hup_ioc_list {
	hup_u32 size;        /* sizeof(struct hup_ioc_list) */
	hup_u32 capacity;    /* entries at progs, <= HUP_MAX_PROGS */
	hup_u32 count;       /* out */
	hup_u32 flags;       /* 0 */
	hup_u64 progs;       /* user pointer: struct hup_ioc_prog_info[] */
};

#define HUP_IOC_MAGIC 0xB7
#define HUP_IOC_REGISTER _IOWR(HUP_IOC_MAGIC, 1, struct hup_ioc_register)
#define HUP_IOC_UNREGISTER _IOW(HUP_IOC_MAGIC, 2, struct hup_ioc_unregister)
#define HUP_IOC_LIST _IOWR(HUP_IOC_MAGIC, 3, struct hup_ioc_list)

/* ------------------------------------------------------------------------
 * Prepared program blob (hupload prepare; the module's preload= parameter
 * reads "hyperupcall/<name>" through the firmware loader, i.e. from
 * /lib/firmware/hyperupcall/<name>):
 *
 *	struct hup_blob_hdr
 *	struct bpf_insn        [insn_cnt]   (8 bytes each)
 *	struct hup_ioc_ksym    [nr_ksyms]
 *	struct hup_ioc_window  [nr_windows]
 *
 * total_size covers all of it; the module checks every count against the
 * limits above and the sizes against total_size.
 */
#define HUP_BLOB_MAGIC 0x42505548u /* "HUPB" */
#define HUP_BLOB_VERSION 1u

struct hup_blob_hdr {
	hup_u32 magic;       /* HUP_BLOB_MAGIC */
	hup_u32 version;     /* HUP_BLOB_VERSION */
	hup_u32 total_size;  /* bytes, header included */
	hup_u32 event;
	hup_u32 insn_cnt;
	hup_u32 nr_ksyms;
	hup_u32 nr_windows;
	hup_u32 reserved;    /* 0 */
	hup_u64 event_arg;
	char name[HUP_NAME_LEN];
};

HUP_STATIC_ASSERT(sizeof(struct hup_ioc_ksym) == 136, "hup_ioc_ksym");
HUP_STATIC_ASSERT(sizeof(struct hup_ioc_window) == 8, "hup_ioc_window");
HUP_STATIC_ASSERT(sizeof(struct hup_ioc_register) == 112,
		  "hup_ioc_register");
HUP_STATIC_ASSERT(sizeof(struct hup_ioc_prog_info) == 88,
		  "hup_ioc_prog_info");
HUP_STATIC_ASSERT(sizeof(struct hup_ioc_list) == 24, "hup_ioc_list");
HUP_STATIC_ASSERT(sizeof(struct hup_blob_hdr) == 72, "hup_blob_hdr");

#endif /* HYPERUPCALL_IOCTL_H */
