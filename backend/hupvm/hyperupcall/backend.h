/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hyperupcall backend of one VM: requests from the doorbell
 * (docs/abi.md sections 2-3), the registry of programs, each program's
 * own view of guest memory, and the events that run programs (section 4).
 *
 * It knows guest RAM (struct mem) and nothing of KVM: what it needs from a
 * vCPU (paging state, TSC, registers) or from the VM (the MSR filter) comes
 * through backend_ops, which hupvm implements with KVM ioctls (x86/hup.c)
 * and the unit tests with fakes.
 *
 * Threads: backend__submit and the local events run on the vCPU thread of
 * `cpu` (reader slot `cpu`); global events and the control functions on
 * the control connections' threads and the auto-reclaim thread, all
 * serialised by the registry lock (reclaim takes it per chunk).
 * Registrations and unregistrations are serialised by the write lock,
 * which guards the programs' views (pview.h), the MSR filter and the
 * writes to the registry; they take the registry lock only to attach or detach a
 * program, so a registration's window walk, view mapping and verification
 * never keep the control plane (query, list, reclaim) waiting.  Running
 * programs are guarded by the registry's grace periods (registry.h).
 *
 * Windows are a snapshot: they are resolved through the registering vCPU's
 * page tables once, at registration, and keep naming the same guest pages
 * afterwards whatever the guest does to its page tables (a later remap of
 * the virtual range is not seen; freeing the pages to the guest allocator
 * while the program runs is the guest's bug, never the host's).
 */
#ifndef HUPVM_HYPERUPCALL_BACKEND_H
#define HUPVM_HYPERUPCALL_BACKEND_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hup/libhup.h>

#include "hyperupcall/ptwalk.h"
#include "hyperupcall/registry.h"
#include "hyperupcall/request.h"
#include "hyperupcall/pview.h"
#include "mem.h"

/* Page-table entries one registration may read resolving its windows. */
#define BACKEND_WALK_BUDGET (1ull << 22)
/* Lines HUP_FN_debug_print may log per second, VM-wide. */
#define BACKEND_DEBUG_LINES_PER_S 20u

struct backend_ops {
	/* Paging state of vCPU cpu (called on that vCPU's thread). */
	int (*paging)(void *opaque, uint32_t cpu, struct ptw_root *root);
	/* The vCPU's TSC now (local events; vCPU 0 for global ones). */
	uint64_t (*guest_tsc)(void *opaque, uint32_t cpu);
	/* HUP_FN_vcpu_reg for vCPU cpu (on its thread); optional. */
	int (*vcpu_reg)(void *opaque, uint32_t cpu, uint32_t reg,
			uint64_t *val);
	/* Install the MSR write filter for these sorted, distinct MSRs;
	 * optional (without it HUP_EVENT_MSR_WRITE is unsupported). */
	int (*msr_filter)(void *opaque, const uint32_t *msrs, unsigned int n);
	/* Where HUP_FN_debug_print lines go (after the rate limit);
	 * optional: NULL logs them as warnings. */
	void (*debug_line)(void *opaque, uint32_t cpu, const char *line,
			   uint32_t len);
};

struct backend_stats {
	_Atomic uint64_t requests[HUP_OP_QUERY + 1]; /* accepted, by op */
	_Atomic uint64_t rejected[HREQ_NR_REASONS];
	_Atomic uint64_t dispatches[HUP_EVENT_MAX + 1]; /* events with progs */
	_Atomic uint64_t run_errors; /* runs that aborted or failed */
	_Atomic uint64_t view_faults; /* of those: outside the program's view */
	_Atomic uint64_t msr_allowed, msr_denied;
	_Atomic uint64_t tlb_flush_requests;
	_Atomic uint64_t pages_discarded;
	/* reclaim (reclaim.c): runs, bytes the memfd gave back, the longest
	 * stop of the guest ever, automatic rounds (autoreclaim.c) */
	_Atomic uint64_t reclaims, reclaim_bytes_returned, reclaim_max_stop_ns;
	_Atomic uint64_t auto_reclaim_rounds;
	_Atomic uint64_t debug_lines, debug_dropped;
};

struct backend {
	const struct mem *mem;
	const struct backend_ops *ops;
	void *opaque;
	uint32_t nr_vcpus;
	uint32_t events; /* supported, bit (1 << HUP_EVENT_*) */
	bool no_jit;
	/* hup_load_opts.budget_us of every program: 0 = the default. */
	uint32_t run_budget_us;
	uint64_t walk_budget;
	/* Taken before reg.lock, never while holding it (backend.c). */
	pthread_mutex_t write_lock;
	struct pviews views; /* every program's own view */
	bool created;
	struct registry reg;
	struct backend_stats st;
	/* debug_print rate limit: lines in the current second */
	_Atomic uint64_t debug_sec, debug_count;
};

/* view_bits: the largest view a program may get; 0 picks libhup's default
 * (docs/abi.md section 5). */
int backend__create(struct backend *b, const struct mem *m, uint32_t nr_vcpus,
		    const struct backend_ops *ops, void *opaque,
		    unsigned int view_bits);
void backend__destroy(struct backend *b);

/*
 * Process the request block at gpa for vCPU cpu (synchronously, on its
 * thread).  Returns the result written back (0 or -errno); a block that is
 * not wholly in RAM gets no write-back, only the return value.
 */
int backend__submit(struct backend *b, uint32_t cpu, uint64_t gpa);

/* What registering a program needs, wherever it comes from: a guest's
 * request block (backend__submit) or a snapshot (hupreplay). */
struct backend_prog_spec {
	uint32_t event;
	uint64_t event_arg;
	char name[HUP_NAME_LEN];
	uint32_t nr_windows;
	const struct hup_window *windows;
	const void *insns; /* insn_cnt BPF instructions, copied */
	uint32_t insn_cnt;
	/* The windows' runs as resolved before (a snapshot's record), in
	 * place of a page walk through ops->paging; NULL: walk. */
	const struct registry_run *runs;
	uint32_t nr_runs;
};

/*
 * Register s for vCPU cpu: its windows resolved through ops->paging(cpu)
 * (or taken from s->runs) and mapped into a view of its own (or one it
 * shares with programs mapping exactly the same), the bytecode verified
 * and compiled with log (log_size bytes, may be 0), the program attached.  0 with *id, or
 * -errno with *why; nothing is left behind on failure.  The fields of s
 * are trusted: backend__submit validates a guest's (request.c) and a
 * snapshot reader its file's (snapshot.c) first.
 */
int backend__register(struct backend *b, uint32_t cpu,
		      const struct backend_prog_spec *s, char *log,
		      uint32_t log_size, uint32_t *id, enum hreq_reason *why);

/* ---- events (events.c) */

/* HUP_EVENT_TRACE for vCPU cpu: kind, reason and arg[] of the context. */
void backend__trace(struct backend *b, uint32_t cpu, uint32_t kind,
		    uint32_t reason, const uint64_t arg[4]);
static inline bool backend__tracing(struct backend *b)
{
	return b && registry__any(&b->reg, HUP_EVENT_TRACE);
}
/* HUP_EVENT_MSR_WRITE: true if the programs vetting msr deny the write. */
bool backend__msr_denied(struct backend *b, uint32_t cpu, uint32_t msr,
			 uint64_t value);
/* HUP_EVENT_VCPU_RESUME: the HUP_ENTRY_* actions the programs asked. */
uint32_t backend__resume(struct backend *b, uint32_t cpu, uint64_t paused_ns);
/* HUP_EVENT_VCPU_DESCHED, for vCPU cpu that the caller (the scheduler)
 * holds parked: run the programs, return the HUP_ENTRY_* actions they
 * asked for its next entry.  run: 0 when descheduled, then 1, 2, ... */
uint32_t backend__desched(struct backend *b, uint32_t cpu,
			  uint64_t descheduled_ns, uint32_t run);
/* Whether any HUP_EVENT_VCPU_DESCHED program is registered (cheap). */
bool backend__has_desched(struct backend *b);

/* ---- control (events.c; a control connection's thread) */

/*
 * Run query program id with args: its output into out (cap bytes), *len
 * the bytes output, also those of a run that aborted.  0 if the program
 * ran to its end, whatever it returned (its return value in *r0, which may
 * be NULL; a negative errno there is the program's own answer); -ENOENT no
 * such program, -EPERM not a query program, or the -errno of a run libhup
 * aborted (-EFAULT a hole of its view, -ETIMEDOUT its budget).
 */
int backend__query(struct backend *b, uint32_t id, const uint64_t args[4],
		   char *out, size_t cap, size_t *len, uint64_t *r0);

/* The -errno a program's return value r0 stands for (the kernel's
 * convention: -4095..-1), else 0. */
static inline int backend__ret_errno(uint64_t r0)
{
	return (int64_t)r0 < 0 && (int64_t)r0 >= -4095 ? (int)(int64_t)r0 : 0;
}

/* ---- reclaim (reclaim.c; the control or auto-reclaim thread) */

/*
 * The longest the guest may be stopped at a time by a reclaim: a stop of
 * 50 ms is a dropped frame or a late network reply, not a hang.  A chunk
 * runs batches only while the time spent plus the worst case of one more
 * batch fits (the program's run budget, which libhup enforces per run,
 * plus the longest discard and resume seen).  One batch always runs, so a
 * run budget above the stop budget still makes progress.
 */
#define BACKEND_RECLAIM_STOP_NS (50ull * 1000000)
/* Between two chunks the guest runs this long: enough for its vCPUs to
 * take pending interrupts and make progress before the next stop. */
#define BACKEND_RECLAIM_GAP_NS (5ull * 1000000)

struct backend_reclaim_opts {
	uint64_t max_bytes;	 /* stop after discarding this much; 0 = all */
	uint64_t stop_budget_ns; /* 0 = BACKEND_RECLAIM_STOP_NS (tests) */
	uint64_t gap_ns;	 /* 0 = BACKEND_RECLAIM_GAP_NS (tests) */
	/* Run the program and count what it answers free, but discard
	 * nothing: how much a reclaim would give back, and a way to tell
	 * the cost of stopping the guest from the effect of discarding. */
	bool dry_run;
	/* Park every vCPU (0 or -errno; on failure nothing stays parked)
	 * and let them run again; NULL: nothing to park (tests). */
	int (*park)(void *opaque);
	void (*unpark)(void *opaque);
	void *opaque;
	/* Monotonic nanoseconds; NULL = CLOCK_MONOTONIC (a fake in tests). */
	uint64_t (*clock)(void *opaque);
	/* Decide every batch, without asking the host whether it holds any
	 * memory of it (an lseek per batch): a snapshot's RAM, copied whole
	 * into a memfd, has no holes (hupreplay, whose scan time must be
	 * the decisions' alone). */
	bool every_batch;
	/* A dry run that also checks every page answered free against
	 * audit_byte, what the guest's allocator writes in every page it
	 * frees: BACKEND_PAGE_POISON when booted with page_poison=1 (it also
	 * checks the pattern when it hands the page out again), 0 with
	 * init_on_free=1.  A free page holds nothing else; one answered free
	 * that does was in use: the program would have lost the guest's data
	 * (audit_bad).  With 0 an answered page in use that holds only zeros
	 * goes unseen.  The program must answer on such a guest
	 * (free_discard refuses page poisoning unless built with FD_AUDIT). */
	bool audit;
	uint8_t audit_byte;
};

/* Linux's PAGE_POISON (include/linux/poison.h): what page_poison=1
 * writes in every page it frees. */
#define BACKEND_PAGE_POISON 0xaau

struct backend_reclaim_report {
	uint64_t pages;			  /* discarded (dry run: found free) */
	uint64_t bytes_before, bytes_after; /* memfd st_blocks * 512 */
	uint64_t chunks, batches;
	uint64_t skipped;		  /* batches with no host memory */
	uint64_t park_ns, scan_ns, discard_ns, resume_ns; /* summed */
	uint64_t total_ns, max_stop_ns;
	uint64_t next_pfn; /* where it stopped (end of RAM if complete) */
	/* --audit: pages answered free the host holds no memory of (never
	 * written, or discarded before: nothing to lose), pages holding
	 * anything but the fill, and the first of those (pfn, byte offset,
	 * the 8 bytes there). */
	uint64_t audit_holes, audit_bad;
	uint64_t audit_first_pfn, audit_first_off, audit_first_word;
	bool refused;	   /* the error is the program's (answer or abort) */
};

/*
 * Run reclaim program id over guest RAM in chunks (one stop each, see
 * BACKEND_RECLAIM_STOP_NS) and discard what it answers free.  0, -ENOENT
 * (no program, or unregistered midway), -EPERM (not a reclaim program),
 * the program's own negative answer, or -errno; rep holds the partial
 * counts in every case.
 */
int backend__reclaim(struct backend *b, uint32_t id,
		     const struct backend_reclaim_opts *o,
		     struct backend_reclaim_report *rep);
/* Bytes of the guest memfd the host has allocated (st_blocks * 512). */
int backend__mem_allocated(const struct backend *b, uint64_t *bytes);
/* Ids of the registered reclaim programs, at most cap; returns the count. */
unsigned int backend__reclaim_progs(struct backend *b, uint32_t *ids,
				    unsigned int cap);

/* ---- shared by events.c and reclaim.c */
uint64_t backend__now_ns(void);
/* With the registry lock held: program id if attached to event. */
struct registry_prog *backend__global_prog(struct backend *b, uint32_t id,
				       uint32_t event, int *err);
/* Run reclaim program p on ctx; 0, or -errno (its own or an abort). */
int backend__run_reclaim(struct backend *b, struct registry_prog *p,
			 struct hup_reclaim_ctx *ctx);

struct backend_prog_info {
	uint32_t id, event, vcpu, nr_windows;
	uint64_t event_arg;
	char name[HUP_NAME_LEN];
	struct hup_prog_stats st;
	uint64_t jited_len;
	uint64_t mapped_bytes, hole_bytes;
	uint32_t view_bits; /* its view: 2^view_bits bytes */
	bool view_shared;   /* with programs that map exactly the same */
};
/* The view program id runs in (valid while it stays registered), or
 * NULL: native code reading guest memory as the program does (hupreplay). */
struct hup_view *backend__prog_view(struct backend *b, uint32_t id);
/*
 * Run fn in place of program id from now on (fn NULL: the program again),
 * through every event's own code, so only the decision differs:
 * hupreplay's native baseline.  fn has the program's contract: ctx as
 * the program gets it, env's output and debug_print as its helpers, *r0
 * its return value; 0, or the -errno of an aborted run (-EFAULT a hole of
 * its view), counted as the program's.  0 or -ENOENT.
 */
int backend__set_native(struct backend *b, uint32_t id, backend_native_fn *fn,
			void *opaque);
/* Snapshot of every program (or only id); returns the count written. */
unsigned int backend__list(struct backend *b, uint32_t id,
			   struct backend_prog_info *out, unsigned int cap);
const char *backend__event_name(uint32_t event);

#endif
