// SPDX-License-Identifier: BSD-2-Clause
/*
 * The request parser (see request.h): copy once, then check every field of
 * the copy in the order docs/abi.md lists them.  Each check names the rule
 * it enforces; ranges are checked with subtraction, never with an addition
 * that could wrap.
 */
#include "hyperupcall/request.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define HREQ_PAGE 4096ull

static const struct {
	const char *name;
	int err;
} reasons[HREQ_NR_REASONS] = {
    [HREQ_OK] = {"ok", 0},
    [HREQ_BLOCK_ALIGN] = {"block-align", -EINVAL},
    [HREQ_BLOCK_RANGE] = {"block-range", -EFAULT},
    [HREQ_MAGIC] = {"magic", -EPROTO},
    [HREQ_VERSION] = {"abi-version", -EPROTO},
    [HREQ_OP] = {"op", -EOPNOTSUPP},
    [HREQ_FLAGS] = {"flags", -EINVAL},
    [HREQ_RESERVED] = {"reserved", -EINVAL},
    [HREQ_EVENT] = {"event", -EOPNOTSUPP},
    [HREQ_EVENT_ARG] = {"event-arg", -EINVAL},
    [HREQ_INSN_CNT_ZERO] = {"insn-cnt-zero", -EINVAL},
    [HREQ_INSN_CNT_BIG] = {"insn-cnt-big", -E2BIG},
    [HREQ_INSNS_RANGE] = {"insns-range", -EFAULT},
    [HREQ_LOG_SIZE] = {"log-size", -EINVAL},
    [HREQ_LOG_RANGE] = {"log-range", -EFAULT},
    [HREQ_NR_WINDOWS] = {"nr-windows", -EINVAL},
    [HREQ_WINDOW] = {"window", -EINVAL},
    [HREQ_WINDOW_OVERLAP] = {"window-overlap", -EINVAL},
    [HREQ_NAME] = {"name", -EINVAL},
    [HREQ_NO_PROG] = {"no-such-prog", -ENOENT},
    [HREQ_TOO_MANY_PROGS] = {"too-many-progs", -ENOSPC},
    [HREQ_EVENT_FULL] = {"event-full", -EBUSY},
    [HREQ_WINDOW_WALK] = {"window-walk", -E2BIG},
    [HREQ_VIEW_COLLISION] = {"view-collision", -EADDRNOTAVAIL},
    [HREQ_VIEW_LIMIT] = {"view-limit", -ENOSPC},
    [HREQ_VERIFIER] = {"verifier", -EACCES},
    [HREQ_MSR_FILTER] = {"msr-filter", -ENOSPC},
    [HREQ_HOST] = {"host", -ENOMEM},
};

const char *hreq__reason_name(enum hreq_reason why)
{
	if ((unsigned int)why < HREQ_NR_REASONS && reasons[why].name)
		return reasons[why].name;
	return "?";
}

int hreq__errno(enum hreq_reason why)
{
	if ((unsigned int)why < HREQ_NR_REASONS)
		return reasons[why].err;
	return -EINVAL;
}

static int reject(enum hreq_reason *why, enum hreq_reason r)
{
	*why = r;
	return reasons[r].err;
}

int hreq__copy(const struct mem *m, uint64_t gpa, struct hup_request *out,
	       enum hreq_reason *why)
{
	const void *src;

	*why = HREQ_OK;
	if (gpa & 7)
		return reject(why, HREQ_BLOCK_ALIGN);
	src = mem__gpa_to_hva(m, gpa, sizeof(*out));
	if (!src)
		return reject(why, HREQ_BLOCK_RANGE);
	/* The one read of the guest's block: everything after this looks
	 * at *out only. */
	memcpy(out, src, sizeof(*out));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return 0;
}

/* [gpa, gpa + len) inside RAM without wrapping (mem.h checks both). */
static bool in_ram(const struct mem *m, uint64_t gpa, uint64_t len)
{
	return len && mem__gpa_to_hva(m, gpa, len) != NULL;
}

static bool event_arg_ok(uint32_t event, uint64_t arg)
{
	switch (event) {
	case HUP_EVENT_TRACE:
		return !(arg & ~(uint64_t)HREQ_TRACE_KINDS);
	case HUP_EVENT_MSR_WRITE:
		return arg <= UINT32_MAX; /* an MSR index is 32 bits */
	case HUP_EVENT_RECLAIM:
	case HUP_EVENT_VCPU_RESUME:
	case HUP_EVENT_VCPU_DESCHED:
		return arg == 0;
	case HUP_EVENT_QUERY:
		return true; /* an opaque tag */
	default:
		return false;
	}
}

static bool window_ok(const struct hup_window *w)
{
	if ((w->gva | w->size) & (HREQ_PAGE - 1) || !w->size)
		return false;
	if (w->size - 1 > UINT64_MAX - w->gva) /* last byte wraps */
		return false;
	if (!w->prot || w->prot & ~(HUP_WIN_READ | HUP_WIN_WRITE))
		return false;
	return w->kind >= HUP_WIN_DIRECT_MAP && w->kind <= HUP_WIN_BUFFER;
}

/* Inclusive ends: window_ok() guaranteed they do not wrap. */
static bool windows_overlap(const struct hup_window *a,
			    const struct hup_window *b)
{
	uint64_t a_end = a->gva + (a->size - 1), b_end = b->gva + (b->size - 1);

	return a->gva <= b_end && b->gva <= a_end;
}

static bool name_ok(const char *name)
{
	for (size_t i = 0; i < HUP_NAME_LEN; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!c)
			return true;
		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return false; /* no NUL inside the field */
}

/* The program's own fields, before and after the guest-memory ranges
 * (the order decides which reason a request with several faults gets). */
static int check_head(uint32_t event, uint64_t event_arg, uint32_t insn_cnt,
		      enum hreq_reason *why)
{
	if (event < HUP_EVENT_TRACE || event > HUP_EVENT_MAX)
		return reject(why, HREQ_EVENT);
	if (!event_arg_ok(event, event_arg))
		return reject(why, HREQ_EVENT_ARG);
	if (!insn_cnt)
		return reject(why, HREQ_INSN_CNT_ZERO);
	if (insn_cnt > HUP_MAX_INSNS)
		return reject(why, HREQ_INSN_CNT_BIG);
	return 0;
}

static int check_tail(uint32_t nr_windows, const struct hup_window *windows,
		      const char *name, enum hreq_reason *why)
{
	if (nr_windows > HUP_MAX_WINDOWS)
		return reject(why, HREQ_NR_WINDOWS);
	for (uint32_t i = 0; i < nr_windows; i++) {
		if (!window_ok(&windows[i]))
			return reject(why, HREQ_WINDOW);
		for (uint32_t j = 0; j < i; j++)
			if (windows_overlap(&windows[i], &windows[j]))
				return reject(why, HREQ_WINDOW_OVERLAP);
	}
	if (!name_ok(name))
		return reject(why, HREQ_NAME);
	return 0;
}

int hreq__check_prog(uint32_t event, uint64_t event_arg, uint32_t insn_cnt,
		     uint32_t nr_windows, const struct hup_window *windows,
		     const char *name, enum hreq_reason *why)
{
	int err;

	*why = HREQ_OK;
	err = check_head(event, event_arg, insn_cnt, why);
	return err ? err : check_tail(nr_windows, windows, name, why);
}

static int validate_register(const struct mem *m, const struct hup_request *r,
			     enum hreq_reason *why)
{
	int err = check_head(r->event, r->event_arg, r->insn_cnt, why);

	if (err)
		return err;
	/* insn_cnt <= 4096: the byte count cannot overflow. */
	if (!in_ram(m, r->insns_gpa, (uint64_t)r->insn_cnt * 8))
		return reject(why, HREQ_INSNS_RANGE);
	if (r->log_size > HUP_LOG_MAX || (!r->log_size && r->log_gpa))
		return reject(why, HREQ_LOG_SIZE);
	if (r->log_size && !in_ram(m, r->log_gpa, r->log_size))
		return reject(why, HREQ_LOG_RANGE);
	return check_tail(r->nr_windows, r->windows, r->name, why);
}

int hreq__validate(const struct mem *m, const struct hup_request *r,
		   enum hreq_reason *why)
{
	*why = HREQ_OK;
	if (r->magic != HUP_REQ_MAGIC)
		return reject(why, HREQ_MAGIC);
	if (r->abi_version >> 16 != HUP_ABI_MAJOR)
		return reject(why, HREQ_VERSION);
	if (r->op < HUP_OP_REGISTER || r->op > HUP_OP_QUERY)
		return reject(why, HREQ_OP);
	if (r->flags)
		return reject(why, HREQ_FLAGS);
	if (r->reserved0 || r->reserved1)
		return reject(why, HREQ_RESERVED);
	if (r->op == HUP_OP_REGISTER)
		return validate_register(m, r, why);
	/* UNREGISTER and QUERY read prog_id only; the REGISTER fields are
	 * ignored, so a guest may reuse one block for all three ops. */
	return 0;
}
