// SPDX-License-Identifier: BSD-2-Clause
/*
 * The request parser against a memfd "guest": a valid block of each op
 * passes, and every rejection (docs/abi.md sections 3 and 8) returns its
 * errno and reason.  Data-driven: each case mutates a valid block.
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "fakeguest.h"
#include "hyperupcall/request.h"

#define MB (1ull << 20)
#define BLOCK 0x10000ull
#define INSNS 0x20000ull
#define LOG 0x30000ull

static struct fake_guest g;

static void valid(struct hup_request *r)
{
	memset(r, 0, sizeof(*r));
	r->magic = HUP_REQ_MAGIC;
	r->abi_version = HUP_ABI_VERSION;
	r->op = HUP_OP_REGISTER;
	r->event = HUP_EVENT_TRACE;
	r->insn_cnt = 2;
	r->insns_gpa = INSNS;
	r->log_gpa = LOG;
	r->log_size = 4096;
	r->nr_windows = 2;
	r->windows[0] = (struct hup_window){0xffff888000000000ull, 1ull << 30,
					    HUP_WIN_READ, HUP_WIN_DIRECT_MAP};
	r->windows[1] = (struct hup_window){0xffffc90000000000ull, 0x2000,
					    HUP_WIN_READ | HUP_WIN_WRITE,
					    HUP_WIN_BUFFER};
	strcpy(r->name, "trace-exits");
}

typedef void (*mutate_fn)(struct hup_request *r);

#define CASE(name, body)                                                     \
	static void name(struct hup_request *r)                              \
	{                                                                    \
		body;                                                        \
	}

CASE(m_magic, r->magic = 0x12345678)
CASE(m_major, r->abi_version = (HUP_ABI_MAJOR + 1) << 16)
CASE(m_major0, r->abi_version = 0)
CASE(m_op0, r->op = 0)
CASE(m_op4, r->op = 4)
CASE(m_flags, r->flags = 1)
CASE(m_res0, r->reserved0 = 1)
CASE(m_res1, r->reserved1 = 0x80000000u)
CASE(m_event0, r->event = 0)
CASE(m_event6, r->event = HUP_EVENT_MAX + 1)
CASE(m_trace_arg, r->event_arg = 1)
CASE(m_trace_arg_hi, r->event_arg = 1ull << 40)
CASE(m_msr_arg, (r->event = HUP_EVENT_MSR_WRITE, r->event_arg = 1ull << 32))
CASE(m_reclaim_arg, (r->event = HUP_EVENT_RECLAIM, r->event_arg = 5))
CASE(m_resume_arg, (r->event = HUP_EVENT_VCPU_RESUME, r->event_arg = 1))
CASE(m_desched_arg, (r->event = HUP_EVENT_VCPU_DESCHED, r->event_arg = 1))
CASE(m_insn0, r->insn_cnt = 0)
CASE(m_insn_big, r->insn_cnt = HUP_MAX_INSNS + 1)
CASE(m_insn_huge, r->insn_cnt = 0xffffffffu)
CASE(m_insns_out, r->insns_gpa = 96 * MB)
CASE(m_insns_tail, (r->insns_gpa = 32 * MB - 8, r->insn_cnt = 2))
CASE(m_insns_wrap, r->insns_gpa = UINT64_MAX - 7)
CASE(m_insns_hole, r->insns_gpa = 40 * MB)
CASE(m_log_big, r->log_size = HUP_LOG_MAX + 1)
CASE(m_log_nosize, r->log_size = 0)
CASE(m_log_out, r->log_gpa = 96 * MB - 100)
CASE(m_log_wrap, r->log_gpa = UINT64_MAX - 10)
CASE(m_nrwin, r->nr_windows = HUP_MAX_WINDOWS + 1)
CASE(m_nrwin_huge, r->nr_windows = 0xffffffffu)
CASE(m_win_align, r->windows[1].gva += 8)
CASE(m_win_size0, r->windows[1].size = 0)
CASE(m_win_size_align, r->windows[1].size = 0x1800)
CASE(m_win_wrap, (r->windows[1].gva = 0xfffffffffffff000ull,
		  r->windows[1].size = 0x2000))
CASE(m_win_prot0, r->windows[0].prot = 0)
CASE(m_win_prot4, r->windows[0].prot = 4)
CASE(m_win_kind0, r->windows[0].kind = 0)
CASE(m_win_kind5, r->windows[0].kind = 5)
CASE(m_overlap, r->windows[1].gva = 0xffff888000001000ull)
CASE(m_overlap_same, r->windows[1] = r->windows[0])
CASE(m_overlap_end, (r->windows[1].gva = 0xffff887fffffe000ull,
		     r->windows[1].size = 0x3000))
CASE(m_name_nonul, memset(r->name, 'a', sizeof(r->name)))
CASE(m_name_ctrl, r->name[2] = '\n')
CASE(m_name_high, r->name[0] = (char)0xc3)

static const struct {
	const char *name;
	mutate_fn fn;
	int err;
	enum hreq_reason why;
} cases[] = {
    {"magic", m_magic, -EPROTO, HREQ_MAGIC},
    {"abi major+1", m_major, -EPROTO, HREQ_VERSION},
    {"abi 0", m_major0, -EPROTO, HREQ_VERSION},
    {"op 0", m_op0, -EOPNOTSUPP, HREQ_OP},
    {"op 4", m_op4, -EOPNOTSUPP, HREQ_OP},
    {"flags", m_flags, -EINVAL, HREQ_FLAGS},
    {"reserved0", m_res0, -EINVAL, HREQ_RESERVED},
    {"reserved1", m_res1, -EINVAL, HREQ_RESERVED},
    {"event 0", m_event0, -EOPNOTSUPP, HREQ_EVENT},
    {"event max+1", m_event6, -EOPNOTSUPP, HREQ_EVENT},
    {"trace arg bit 0", m_trace_arg, -EINVAL, HREQ_EVENT_ARG},
    {"trace arg bit 40", m_trace_arg_hi, -EINVAL, HREQ_EVENT_ARG},
    {"msr arg > u32", m_msr_arg, -EINVAL, HREQ_EVENT_ARG},
    {"reclaim arg", m_reclaim_arg, -EINVAL, HREQ_EVENT_ARG},
    {"resume arg", m_resume_arg, -EINVAL, HREQ_EVENT_ARG},
    {"desched arg", m_desched_arg, -EINVAL, HREQ_EVENT_ARG},
    {"insn_cnt 0", m_insn0, -EINVAL, HREQ_INSN_CNT_ZERO},
    {"insn_cnt 4097", m_insn_big, -E2BIG, HREQ_INSN_CNT_BIG},
    {"insn_cnt 2^32-1", m_insn_huge, -E2BIG, HREQ_INSN_CNT_BIG},
    {"insns past RAM", m_insns_out, -EFAULT, HREQ_INSNS_RANGE},
    {"insns straddle end", m_insns_tail, -EFAULT, HREQ_INSNS_RANGE},
    {"insns wrap", m_insns_wrap, -EFAULT, HREQ_INSNS_RANGE},
    {"insns in the hole", m_insns_hole, -EFAULT, HREQ_INSNS_RANGE},
    {"log_size > max", m_log_big, -EINVAL, HREQ_LOG_SIZE},
    {"log_gpa without size", m_log_nosize, -EINVAL, HREQ_LOG_SIZE},
    {"log past RAM", m_log_out, -EFAULT, HREQ_LOG_RANGE},
    {"log wrap", m_log_wrap, -EFAULT, HREQ_LOG_RANGE},
    {"nr_windows 9", m_nrwin, -EINVAL, HREQ_NR_WINDOWS},
    {"nr_windows 2^32-1", m_nrwin_huge, -EINVAL, HREQ_NR_WINDOWS},
    {"window gva unaligned", m_win_align, -EINVAL, HREQ_WINDOW},
    {"window size 0", m_win_size0, -EINVAL, HREQ_WINDOW},
    {"window size unaligned", m_win_size_align, -EINVAL, HREQ_WINDOW},
    {"window wraps", m_win_wrap, -EINVAL, HREQ_WINDOW},
    {"window prot 0", m_win_prot0, -EINVAL, HREQ_WINDOW},
    {"window prot 4", m_win_prot4, -EINVAL, HREQ_WINDOW},
    {"window kind 0", m_win_kind0, -EINVAL, HREQ_WINDOW},
    {"window kind 5", m_win_kind5, -EINVAL, HREQ_WINDOW},
    {"windows overlap", m_overlap, -EINVAL, HREQ_WINDOW_OVERLAP},
    {"windows equal", m_overlap_same, -EINVAL, HREQ_WINDOW_OVERLAP},
    {"windows touch by a page", m_overlap_end, -EINVAL, HREQ_WINDOW_OVERLAP},
    {"name without NUL", m_name_nonul, -EINVAL, HREQ_NAME},
    {"name with a control char", m_name_ctrl, -EINVAL, HREQ_NAME},
    {"name with a high byte", m_name_high, -EINVAL, HREQ_NAME},
};

static void test_valid_blocks(void)
{
	struct hup_request r, c;
	enum hreq_reason why;

	valid(&r);
	CHECK_EQ(hreq__validate(&g.mem, &r, &why), 0);
	CHECK_EQ(why, HREQ_OK);
	/* a newer minor is fine; no log at all is fine; no windows too */
	r.abi_version = HUP_ABI_MAJOR << 16 | 7;
	r.log_gpa = 0;
	r.log_size = 0;
	r.nr_windows = 0;
	CHECK_EQ(hreq__validate(&g.mem, &r, &why), 0);
	/* bytecode right at the end of low RAM; max insns; max log */
	r.insns_gpa = 32 * MB - 8 * HUP_MAX_INSNS;
	r.insn_cnt = HUP_MAX_INSNS;
	r.log_gpa = 64 * MB;
	r.log_size = HUP_LOG_MAX;
	CHECK_EQ(hreq__validate(&g.mem, &r, &why), 0);
	/* every event with a valid event_arg */
	r.event = HUP_EVENT_MSR_WRITE;
	r.event_arg = 0xc0000080;
	CHECK_EQ(hreq__validate(&g.mem, &r, &why), 0);
	r.event = HUP_EVENT_QUERY;
	r.event_arg = ~0ull;
	CHECK_EQ(hreq__validate(&g.mem, &r, &why), 0);
	r.event = HUP_EVENT_TRACE;
	r.event_arg = HREQ_TRACE_KINDS;
	CHECK_EQ(hreq__validate(&g.mem, &r, &why), 0);
	/* UNREGISTER / QUERY ignore the REGISTER fields */
	valid(&r);
	r.op = HUP_OP_UNREGISTER;
	r.insn_cnt = 0;
	r.nr_windows = 99;
	CHECK_EQ(hreq__validate(&g.mem, &r, &why), 0);
	r.op = HUP_OP_QUERY;
	CHECK_EQ(hreq__validate(&g.mem, &r, &why), 0);
	/* ...but not the header */
	r.flags = 2;
	CHECK_EQ(hreq__validate(&g.mem, &r, &why), -EINVAL);
	/* the copy is what was in guest memory */
	valid(&r);
	memcpy(fg_hva(&g, BLOCK, sizeof(r)), &r, sizeof(r));
	CHECK_EQ(hreq__copy(&g.mem, BLOCK, &c, &why), 0);
	CHECK(!memcmp(&c, &r, sizeof(r)));
}

static void test_each_rejection(void)
{
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct hup_request r;
		enum hreq_reason why = HREQ_OK;
		int err;

		valid(&r);
		cases[i].fn(&r);
		err = hreq__validate(&g.mem, &r, &why);
		if (err != cases[i].err || why != cases[i].why)
			fprintf(stderr, "case \"%s\": got %d (%s)\n",
				cases[i].name, err, hreq__reason_name(why));
		CHECK_EQ(err, cases[i].err);
		CHECK_EQ(why, cases[i].why);
		CHECK_EQ(hreq__errno(why), cases[i].err);
	}
}

static void test_block_copy_rejections(void)
{
	struct hup_request c;
	enum hreq_reason why;

	CHECK_EQ(hreq__copy(&g.mem, BLOCK + 4, &c, &why), -EINVAL);
	CHECK_EQ(why, HREQ_BLOCK_ALIGN);
	CHECK_EQ(hreq__copy(&g.mem, 32 * MB - 8, &c, &why), -EFAULT);
	CHECK_EQ(why, HREQ_BLOCK_RANGE);
	CHECK_EQ(hreq__copy(&g.mem, 40 * MB, &c, &why), -EFAULT);
	CHECK_EQ(hreq__copy(&g.mem, 96 * MB, &c, &why), -EFAULT);
	CHECK_EQ(hreq__copy(&g.mem, UINT64_MAX - 7, &c, &why), -EFAULT);
	CHECK_EQ(hreq__copy(&g.mem, 96 * MB - sizeof(c), &c, &why), 0);
	/* reason names are distinct and known */
	for (int i = 0; i < HREQ_NR_REASONS; i++)
		CHECK(strcmp(hreq__reason_name((enum hreq_reason)i), "?"));
	CHECK(!strcmp(hreq__reason_name(HREQ_NR_REASONS), "?"));
}

int main(void)
{
	/* RAM [0, 32M) and [64M, 96M) */
	if (fg_init(&g, 64 * MB, 32 * MB, 64 * MB, false)) {
		fprintf(stderr, "cannot create the fake guest\n");
		return 1;
	}
	test_valid_blocks();
	test_each_rejection();
	test_block_copy_rejections();
	mem__destroy(&g.mem);
	return check_summary("request_fake");
}
