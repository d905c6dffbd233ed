/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The request parser: the single place where a guest's struct hup_request
 * enters the host (docs/abi.md section 3).  Pure: it reads guest RAM only
 * through mem.h's bounds-checked translation and has no other state, so the
 * unit tests and the fuzz target drive it with a memfd "guest".
 *
 * The block is copied out of guest memory once (hreq__copy); every later
 * check and use works on that copy, so a vCPU rewriting the block while the
 * host processes it cannot change what was checked.  hreq__validate checks
 * every in-field of the copy, and each rejection has a reason (counted in
 * the backend statistics) and the errno the ABI assigns to it.
 */
#ifndef HUPVM_HYPERUPCALL_REQUEST_H
#define HUPVM_HYPERUPCALL_REQUEST_H

#include <stdint.h>

#include <hyperupcall/abi.h>

#include "mem.h"

/* Why a request was refused (statistics key; one errno each). */
enum hreq_reason {
	HREQ_OK = 0,
	HREQ_BLOCK_ALIGN,      /* block GPA not 8-byte aligned: -EINVAL */
	HREQ_BLOCK_RANGE,      /* block not wholly inside RAM: -EFAULT */
	HREQ_MAGIC,            /* -EPROTO */
	HREQ_VERSION,          /* ABI major differs: -EPROTO */
	HREQ_OP,               /* unknown op: -EOPNOTSUPP */
	HREQ_FLAGS,            /* flags != 0: -EINVAL */
	HREQ_RESERVED,         /* reserved0/reserved1 != 0: -EINVAL */
	HREQ_EVENT,            /* unknown event: -EOPNOTSUPP */
	HREQ_EVENT_ARG,        /* event_arg invalid for the event: -EINVAL */
	HREQ_INSN_CNT_ZERO,    /* -EINVAL */
	HREQ_INSN_CNT_BIG,     /* > HUP_MAX_INSNS: -E2BIG */
	HREQ_INSNS_RANGE,      /* bytecode outside RAM or wrapping: -EFAULT */
	HREQ_LOG_SIZE,         /* > HUP_LOG_MAX, or gpa without size: -EINVAL */
	HREQ_LOG_RANGE,        /* log buffer outside RAM: -EFAULT */
	HREQ_NR_WINDOWS,       /* > HUP_MAX_WINDOWS: -EINVAL */
	HREQ_WINDOW,           /* alignment, size, wrap, prot, kind: -EINVAL */
	HREQ_WINDOW_OVERLAP,   /* two windows overlap: -EINVAL */
	HREQ_NAME,             /* not NUL-terminated printable ASCII: -EINVAL */
	/* Rejections after parsing (counted by the backend, same table). */
	HREQ_NO_PROG,          /* UNREGISTER/QUERY of an unknown id: -ENOENT */
	HREQ_TOO_MANY_PROGS,   /* -ENOSPC */
	HREQ_EVENT_FULL,       /* -EBUSY */
	HREQ_WINDOW_WALK,      /* page walk refused (budget, tables): -E2BIG */
	HREQ_VIEW_COLLISION,   /* -EADDRNOTAVAIL */
	HREQ_VIEW_LIMIT,       /* the VM's view mappings or space: -ENOSPC */
	HREQ_VERIFIER,         /* libhup refused the program */
	HREQ_MSR_FILTER,       /* KVM refused the MSR filter: -ENOSPC/errno */
	HREQ_HOST,             /* host resources (-ENOMEM, ...) */
	HREQ_NR_REASONS,
};

const char *hreq__reason_name(enum hreq_reason why);

/* Trace kinds an event_arg mask of HUP_EVENT_TRACE may name. */
#define HREQ_TRACE_KINDS                                                    \
	((1u << HUP_TRACE_EXIT) | (1u << HUP_TRACE_PAUSE) |                 \
	 (1u << HUP_TRACE_RESUME))

/*
 * Copy the block at gpa out of guest RAM into *out.  Returns 0, or -errno
 * with *why set (alignment, range).
 */
int hreq__copy(const struct mem *m, uint64_t gpa, struct hup_request *out,
	       enum hreq_reason *why);

/*
 * Check every in-field of the copy r (magic, version, op, flags, reserved
 * fields; for HUP_OP_REGISTER also event, event_arg, insn_cnt, the bytecode
 * and log ranges, windows and name).  Returns 0, or -errno with *why set.
 */
int hreq__validate(const struct mem *m, const struct hup_request *r,
		   enum hreq_reason *why);

/*
 * The checks of a program's own fields (event, event_arg, insn_cnt,
 * windows, name) that hreq__validate makes of a REGISTER, for programs
 * that come from elsewhere (a snapshot file, snapshot.c).  0, or -errno
 * with *why set.
 */
int hreq__check_prog(uint32_t event, uint64_t event_arg, uint32_t insn_cnt,
		     uint32_t nr_windows, const struct hup_window *windows,
		     const char *name, enum hreq_reason *why);

/* The errno a reason maps to (0 for HREQ_OK, -EINVAL if unknown). */
int hreq__errno(enum hreq_reason why);

#endif
