/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hyperupcall.ko internals: what the parts of the module share.  The module
 * discovers the backend (discovery.c), rings its doorbell (doorbell.c),
 * resolves guest kernel symbols under KASLR (ksym.c), turns window kinds
 * into guest-virtual ranges (windows.c), keeps the registry of programs
 * (registry.c), owns the trace ring and its reader (trace.c), and talks to
 * userspace through /dev/hyperupcall (ioctl.c) and boot-time blobs
 * (preload.c), and answers the host's upcalls, the baseline hyperupcalls
 * are measured against (upcall.c).
 */
#ifndef HUP_MODULE_H
#define HUP_MODULE_H

#include <linux/types.h>
#include <hyperupcall/abi.h>
#include <hyperupcall/ioctl.h>
#include <hyperupcall/trace_ring.h>

struct dentry;
struct seq_file;

/* What CPUID told us about the host. */
struct hup_backend {
	bool present;
	u32 abi_version;
	u16 port;
	u32 events;   /* 1 << HUP_EVENT_* */
	u32 features; /* HUP_FEAT_* */
	u8 upcall_gsi; /* with HUP_FEAT_UPCALL */
};

extern struct hup_backend hup_backend;

/* discovery.c: fills b; present only with our signature and ABI major. */
void hup_discover(struct hup_backend *b);
void hup_backend_show(struct seq_file *m, const struct hup_backend *b);

/*
 * doorbell.c: submits req (kmalloc'ed, physically contiguous) and returns
 * the backend's result; -ENODEV without a backend.
 */
int hup_doorbell_submit(struct hup_request *req);

/* ksym.c */
int hup_ksym_init(void);
unsigned long hup_ksym_lookup(const char *name);

/* windows.c: the guest-virtual range of a window kind; 0 or -errno. */
int hup_window_resolve(const struct hup_ioc_window *w, struct hup_window *out);

/* trace.c */
int hup_trace_init(struct dentry *dir);
void hup_trace_exit(bool busy);
void *hup_trace_ring_addr(void);
size_t hup_trace_ring_bytes(void);
void hup_trace_get(void);
void hup_trace_put(void);

/*
 * A registration, validated and in kernel memory: built by ioctl.c from
 * userspace or by preload.c from a blob, consumed by hup_register().
 */
struct hup_kreg {
	u32 event;
	u32 insn_cnt;
	u64 event_arg;
	u64 *insns;                   /* kmalloc'ed: physically contiguous */
	struct hup_ioc_ksym *ksyms;   /* kvmalloc'ed, nr_ksyms entries */
	u32 nr_ksyms;
	u32 nr_windows;
	struct hup_ioc_window windows[HUP_MAX_WINDOWS];
	char name[HUP_NAME_LEN];
	char *log;                    /* kmalloc'ed log_size bytes, or NULL */
	u32 log_size;
	u32 log_len;                  /* out */
	u32 prog_id;                  /* out */
};

/* registry.c */
int hup_kreg_check(const struct hup_kreg *r);
void hup_kreg_free(struct hup_kreg *r);
int hup_register(struct hup_kreg *r);
int hup_unregister(u32 prog_id);
int hup_list(struct hup_ioc_prog_info *out, u32 capacity, u32 *count);
int hup_unregister_all(bool *ring_busy);
int hup_registry_init(struct dentry *dir);

/* ioctl.c */
int hup_dev_init(void);
void hup_dev_exit(void);

/* preload.c: registers the blobs named in the preload= parameter. */
void hup_preload(const char *list);

/*
 * upcall.c: the upcall baseline (HUP_FEAT_UPCALL).  init never fails the
 * load (it logs and leaves the host's upcalls unanswered); exit detaches
 * before anything the handler uses goes away; show adds its lines to the
 * debugfs status file.
 */
void hup_upcall_init(u8 gsi);
void hup_upcall_exit(void);
void hup_upcall_show(struct seq_file *m);

#endif /* HUP_MODULE_H */
