// SPDX-License-Identifier: BSD-2-Clause
/*
 * The hyperupcall backend end to end against a fake guest (memfd RAM,
 * synthetic page tables, fake vCPU ops): the doorbell device on a port
 * bus, registration with windows resolved through the page tables, the
 * verifier log written back, every event kind, the limits, collisions in
 * the shared view, the snapshot semantics of windows, the copy-once rule
 * (deterministically and with a racing writer), and unregistration while
 * other threads run programs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "bus.h"
#include "check.h"
#include "hup_test_budget.h"
#include "ctlexec.h"
#include "devices/doorbell.h"
#include "fakeguest.h"
#include "hyperupcall/backend.h"
#include "vm.h"

#define MB (1ull << 20)
#define HIGH (4ull << 30) /* RAM [0, 32M) and [4G, 4G + 32M) */
#define BLOCK 0x10000ull
#define INSNS 0x20000ull
#define LOG 0x30000ull
#define CNT_GPA 0x800000ull
#define CNT_GPA2 0x900000ull
#define CNT_GVA 0x7f0000001000ull
#define VIEW_BITS 36

static struct fake_guest g;
static struct backend be;
static uint32_t msr_list[8];
static unsigned int msr_n, msr_calls;
static int mutate_on_paging;

static void clobber_block(void);

static int f_paging(void *opaque, uint32_t cpu, struct ptw_root *root)
{
	(void)opaque;
	(void)cpu;
	*root = g.root;
	if (mutate_on_paging)
		clobber_block(); /* after the copy, before the windows */
	return 0;
}

static uint64_t f_tsc(void *opaque, uint32_t cpu)
{
	(void)opaque;
	return 1000000 + cpu;
}

static int f_reg(void *opaque, uint32_t cpu, uint32_t reg, uint64_t *val)
{
	(void)opaque;
	*val = reg * 10 + cpu;
	return 0;
}

static int f_msr(void *opaque, const uint32_t *msrs, unsigned int n)
{
	(void)opaque;
	msr_calls++;
	msr_n = n < 8 ? n : 8;
	memcpy(msr_list, msrs, msr_n * sizeof(*msrs));
	return 0;
}

static const struct backend_ops ops = {
    .paging = f_paging, .guest_tsc = f_tsc, .vcpu_reg = f_reg, .msr_filter = f_msr};

/* ---- programs */
static const struct bpf_insn p_count[] = {
    VIEW_PTR(CNT_GVA), MOV64_IMM(4, 1), ATOMIC(BPF_DW, BPF_ADD, 1, 4, 0), MOV64_IMM(0, 0),
    EXIT(),
};
static const struct bpf_insn p_leak[] = {MOV64_REG(0, 1), EXIT()};
static const struct bpf_insn p_msr[] = {
    LDX(BPF_DW, 2, 1, 16), MOV64_IMM(0, 0), JMP_IMM(BPF_JNE, 2, 5, 1),
    MOV64_IMM(0, 1), EXIT(),
};
static const struct bpf_insn p_resume[] = {
    ST(BPF_W, 1, 20, HUP_ENTRY_FLUSH_TLB), MOV64_IMM(0, 0), EXIT(),
};
static const struct bpf_insn p_query[] = {
    LD_IMM64(2, 0x6f6c6c6568ull), STX(BPF_DW, 10, 2, -8), MOV64_REG(1, 10),
    ALU64_IMM(BPF_ADD, 1, -8), LDX(BPF_DW, 2, 10, -8), MOV64_IMM(2, 5),
    CALL_HELPER(HUP_FN_output), MOV64_IMM(0, 0), EXIT(),
};
/* Output "hello", then return arg[0] (a positive value or the program's
 * own -errno). */
static const struct bpf_insn p_query_ret[] = {
    MOV64_REG(6, 1), LD_IMM64(2, 0x6f6c6c6568ull), STX(BPF_DW, 10, 2, -8),
    MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), MOV64_IMM(2, 5),
    CALL_HELPER(HUP_FN_output), LDX(BPF_DW, 0, 6, 8), EXIT(),
};
/* Output "hello", then read its window (a hole here): libhup aborts. */
static const struct bpf_insn p_query_fault[] = {
    LD_IMM64(2, 0x6f6c6c6568ull), STX(BPF_DW, 10, 2, -8), MOV64_REG(1, 10),
    ALU64_IMM(BPF_ADD, 1, -8), MOV64_IMM(2, 5), CALL_HELPER(HUP_FN_output),
    VIEW_PTR(CNT_GVA), LDX(BPF_DW, 0, 1, 0), EXIT(),
};
#define RECLAIM_PFN 0x1000 /* GPA 16 MiB */
static const struct bpf_insn p_reclaim[] = {
    LDX(BPF_DW, 2, 1, 0), JMP_IMM(BPF_JNE, 2, RECLAIM_PFN, 1),
    ST(BPF_DW, 1, 16, 0xf), MOV64_IMM(0, 0), EXIT(),
};

static struct hup_request *gblock(uint64_t gpa)
{
	return fg_hva(&g, gpa, sizeof(struct hup_request));
}

static void req_init(struct hup_request *r, uint32_t event,
		     const struct bpf_insn *insns, uint32_t cnt)
{
	memset(r, 0, sizeof(*r));
	r->magic = HUP_REQ_MAGIC;
	r->abi_version = HUP_ABI_VERSION;
	r->op = HUP_OP_REGISTER;
	r->event = event;
	r->insn_cnt = cnt;
	r->insns_gpa = INSNS;
	r->log_gpa = LOG;
	r->log_size = 4096;
	strcpy(r->name, "test");
	memcpy(fg_hva(&g, INSNS, cnt * 8ull), insns, cnt * 8ull);
}

static void req_window(struct hup_request *r, uint64_t gva, uint64_t size,
		       uint32_t prot)
{
	r->windows[r->nr_windows++] =
	    (struct hup_window){gva, size, prot, HUP_WIN_BUFFER};
}

/* Submit r from the block at BLOCK; r gets the block back. */
static int submit(struct hup_request *r, uint32_t cpu)
{
	int err;

	memcpy(gblock(BLOCK), r, sizeof(*r));
	err = backend__submit(&be, cpu, BLOCK);
	memcpy(r, gblock(BLOCK), sizeof(*r));
	return err;
}

static int do_register_count(uint32_t prot, uint32_t *id)
{
	struct hup_request r;
	int err;

	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	req_window(&r, CNT_GVA, FG_4K, prot);
	err = submit(&r, 0);
	*id = r.prog_id;
	return err;
}

static int do_unregister(uint32_t id)
{
	struct hup_request r;

	memset(&r, 0, sizeof(r));
	r.magic = HUP_REQ_MAGIC;
	r.abi_version = HUP_ABI_VERSION;
	r.op = HUP_OP_UNREGISTER;
	r.prog_id = id;
	return submit(&r, 0);
}

static uint64_t counter(uint64_t gpa)
{
	return *(volatile uint64_t *)fg_hva(&g, gpa, 8);
}

static void fire_trace(uint32_t cpu)
{
	const uint64_t arg[4] = {0x80, 1, 0, 1};

	backend__trace(&be, cpu, HUP_TRACE_EXIT, HUP_EXIT_IO, arg);
}

/* ------------------------------------------------------------ tests */

static void test_doorbell_register_trace(void)
{
	struct doorbell db;
	struct bus pio;
	struct hup_request r;
	uint8_t data[4];
	uint64_t high_block = HIGH + 0x3000;
	struct hup_request *hb = gblock(high_block);
	uint64_t c0 = counter(CNT_GPA);

	bus__init(&pio, "pio");
	doorbell__init(&db, &be, NULL);
	CHECK_EQ(doorbell__register(&db, &pio, HUP_DB_PORT_DEFAULT), 0);
	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	req_window(&r, CNT_GVA, FG_4K, HUP_WIN_READ | HUP_WIN_WRITE);
	memcpy(hb, &r, sizeof(r));
	/* a block above 4 GiB: latch the high half, then submit */
	bus__put_le(data, 4, (uint32_t)(high_block >> 32));
	CHECK(bus__write(&pio, 1, HUP_DB_PORT_DEFAULT + HUP_DB_REQ_HI, data,
			 4));
	bus__put_le(data, 4, (uint32_t)high_block);
	CHECK(bus__write(&pio, 1, HUP_DB_PORT_DEFAULT + HUP_DB_REQ_LO, data,
			 4));
	CHECK_EQ(hb->result, 0);
	CHECK(hb->prog_id != 0);
	CHECK(hb->log_len > 1);
	CHECK(strstr((const char *)fg_hva(&g, LOG, 4096), "verified"));
	CHECK(bus__read(&pio, 1, HUP_DB_PORT_DEFAULT + HUP_DB_STATUS, data, 4));
	CHECK_EQ(bus__get_le(data, 4), 0);
	/* the program counts exits into the guest page */
	fire_trace(1);
	fire_trace(0);
	CHECK_EQ(counter(CNT_GPA), c0 + 2);
	/* the latch was cleared: the same low half now names a low GPA
	 * (0x3000: zeros, bad magic) */
	CHECK(bus__write(&pio, 1, HUP_DB_PORT_DEFAULT + HUP_DB_REQ_LO, data,
			 4));
	CHECK(bus__read(&pio, 1, HUP_DB_PORT_DEFAULT + HUP_DB_STATUS, data, 4));
	CHECK_EQ((int32_t)bus__get_le(data, 4), -EPROTO);
	/* other widths and offsets are ignored; reads give all ones */
	CHECK(bus__read(&pio, 1, HUP_DB_PORT_DEFAULT + 2, data, 2));
	CHECK_EQ(bus__get_le(data, 2), 0xffff);
	CHECK(bus__write(&pio, 1, HUP_DB_PORT_DEFAULT + HUP_DB_REQ_LO, data,
			 2));
	CHECK(atomic_load(&db.ignored) >= 2);
	CHECK_EQ(atomic_load(&db.submits), 2);
	/* per-vCPU status: vCPU 0 did not submit */
	CHECK(bus__read(&pio, 0, HUP_DB_PORT_DEFAULT + HUP_DB_STATUS, data, 4));
	CHECK_EQ(bus__get_le(data, 4), 0);
	CHECK_EQ(do_unregister(hb->prog_id), 0);
	fire_trace(0);
	CHECK_EQ(counter(CNT_GPA), c0 + 2);
	bus__exit(&pio);
}

static void test_verifier_rejection_log(void)
{
	struct hup_request r;
	uint64_t before = atomic_load(&be.st.rejected[HREQ_VERIFIER]);

	req_init(&r, HUP_EVENT_TRACE, p_leak, ARRAY_LEN(p_leak));
	memset(fg_hva(&g, LOG, 4096), 0x55, 4096);
	r.log_size = 64; /* truncated, still NUL-terminated */
	CHECK_EQ(submit(&r, 0), -EACCES);
	CHECK_EQ(r.result, -EACCES);
	CHECK_EQ(r.prog_id, 0);
	CHECK(r.log_len > 0 && r.log_len <= 64);
	CHECK_EQ(((char *)fg_hva(&g, LOG, 64))[r.log_len - 1], 0);
	CHECK_EQ(((uint8_t *)fg_hva(&g, LOG, 65))[64], 0x55);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_VERIFIER]), before + 1);
	/* no log buffer: no log_len */
	req_init(&r, HUP_EVENT_TRACE, p_leak, ARRAY_LEN(p_leak));
	r.log_gpa = 0;
	r.log_size = 0;
	CHECK_EQ(submit(&r, 0), -EACCES);
	CHECK_EQ(r.log_len, 0);
}

static void test_hostile_requests_counted(void)
{
	struct hup_request r;
	uint64_t rej[HREQ_NR_REASONS];

	for (int i = 0; i < HREQ_NR_REASONS; i++)
		rej[i] = atomic_load(&be.st.rejected[i]);
	/* block outside RAM, misaligned, in the hole, wrapping */
	CHECK_EQ(backend__submit(&be, 0, 64 * MB), -EFAULT);
	CHECK_EQ(backend__submit(&be, 0, HIGH + 32 * MB - 8), -EFAULT);
	CHECK_EQ(backend__submit(&be, 0, UINT64_MAX - 7), -EFAULT);
	CHECK_EQ(backend__submit(&be, 0, BLOCK + 4), -EINVAL);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_BLOCK_RANGE]),
		 rej[HREQ_BLOCK_RANGE] + 3);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_BLOCK_ALIGN]),
		 rej[HREQ_BLOCK_ALIGN] + 1);
	/* bad fields: result written back, counted by reason */
	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	r.magic = 0;
	CHECK_EQ(submit(&r, 0), -EPROTO);
	CHECK_EQ(r.result, -EPROTO);
	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	r.abi_version = 2 << 16;
	CHECK_EQ(submit(&r, 0), -EPROTO);
	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	r.op = 77;
	CHECK_EQ(submit(&r, 0), -EOPNOTSUPP);
	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	r.reserved0 = 1;
	CHECK_EQ(submit(&r, 0), -EINVAL);
	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	r.insns_gpa = HIGH + 32 * MB - 8; /* overflows the end of RAM */
	CHECK_EQ(submit(&r, 0), -EFAULT);
	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	req_window(&r, CNT_GVA, FG_4K, HUP_WIN_READ);
	req_window(&r, CNT_GVA, 2 * FG_4K, HUP_WIN_READ);
	CHECK_EQ(submit(&r, 0), -EINVAL);
	CHECK_EQ(do_unregister(999999), -ENOENT);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_MAGIC]), rej[HREQ_MAGIC] + 1);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_VERSION]),
		 rej[HREQ_VERSION] + 1);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_OP]), rej[HREQ_OP] + 1);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_RESERVED]),
		 rej[HREQ_RESERVED] + 1);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_INSNS_RANGE]),
		 rej[HREQ_INSNS_RANGE] + 1);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_WINDOW_OVERLAP]),
		 rej[HREQ_WINDOW_OVERLAP] + 1);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_NO_PROG]),
		 rej[HREQ_NO_PROG] + 1);
}

static void test_limits(void)
{
	uint32_t ids[HUP_MAX_PROGS + 1];
	unsigned int n = 0;
	struct hup_request r;

	/* HUP_MAX_PROGS_PER_EVENT trace programs, then -EBUSY */
	for (unsigned int i = 0; i < HUP_MAX_PROGS_PER_EVENT; i++)
		CHECK_EQ(do_register_count(HUP_WIN_READ | HUP_WIN_WRITE,
					   &ids[n++]),
			 0);
	CHECK_EQ(do_register_count(HUP_WIN_READ | HUP_WIN_WRITE, &ids[n]),
		 -EBUSY);
	/* Five events of at most eight programs each never reach
	 * HUP_MAX_PROGS (64), so -ENOSPC is checked white-box. */
	be.reg.nr_progs += HUP_MAX_PROGS - n;
	req_init(&r, HUP_EVENT_QUERY, p_query, ARRAY_LEN(p_query));
	CHECK_EQ(submit(&r, 0), -ENOSPC);
	be.reg.nr_progs -= HUP_MAX_PROGS - n;
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_TOO_MANY_PROGS]), 1);
	CHECK_EQ(atomic_load(&be.st.rejected[HREQ_EVENT_FULL]), 1);
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(do_unregister(ids[i]), 0);
	CHECK_EQ(be.reg.nr_progs, 0);
}

/* Register p_count with no window at all. */
static int do_register_count_nowin(uint32_t *id)
{
	struct hup_request r;
	int err;

	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	err = submit(&r, 0);
	*id = r.prog_id;
	return err;
}

static uint64_t aborts_of(uint32_t id)
{
	struct backend_prog_info info;

	return backend__list(&be, id, &info, 1) == 1 ? info.st.aborts : ~0ull;
}

/*
 * Each program reaches its own windows with its own rights, next to
 * programs that map the same address writable (issue 14 item 1): a
 * program with no window, or with the page read-only, has its run
 * aborted and counted, and the page keeps its value.  Windows are a
 * snapshot of the page tables at registration.
 */
static void test_views_isolated_snapshot(void)
{
	const uint32_t rw = HUP_WIN_READ | HUP_WIN_WRITE;
	uint32_t a, b, c, d, e;
	uint64_t c1, c2, f0;

	fg_map(&g, CNT_GVA, CNT_GPA, FG_4K, 0);
	CHECK_EQ(do_register_count(rw, &a), 0);
	/* the guest remaps the page: A keeps its snapshot */
	fg_map(&g, CNT_GVA, CNT_GPA2, FG_4K, 0);
	c1 = counter(CNT_GPA);
	c2 = counter(CNT_GPA2);
	fire_trace(0);
	CHECK_EQ(counter(CNT_GPA), c1 + 1);
	CHECK_EQ(counter(CNT_GPA2), c2);
	/* B declares the same GVA, now another page: each its own */
	CHECK_EQ(do_register_count(rw, &b), 0);
	fire_trace(0);
	CHECK_EQ(counter(CNT_GPA), c1 + 2);
	CHECK_EQ(counter(CNT_GPA2), c2 + 1);
	CHECK_EQ(do_unregister(b), 0);
	CHECK_EQ(be.views.nr_views, 1);
	/* C: A's page read-only; D: no window.  Their increments fault
	 * while A's goes on. */
	fg_map(&g, CNT_GVA, CNT_GPA, FG_4K, 0);
	f0 = atomic_load(&be.st.view_faults);
	CHECK_EQ(do_register_count(HUP_WIN_READ, &c), 0);
	CHECK_EQ(do_register_count_nowin(&d), 0);
	CHECK_EQ(be.views.nr_views, 3);
	fire_trace(0);
	CHECK_EQ(counter(CNT_GPA), c1 + 3);
	CHECK_EQ(atomic_load(&be.st.view_faults), f0 + 2);
	CHECK_EQ(aborts_of(a), 0);
	CHECK_EQ(aborts_of(c), 1);
	CHECK_EQ(aborts_of(d), 1);
	/* E: A's page with A's rights: A's view, shared */
	CHECK_EQ(do_register_count(rw, &e), 0);
	CHECK_EQ(be.views.nr_views, 3);
	fire_trace(0);
	CHECK_EQ(counter(CNT_GPA), c1 + 5);
	/* A leaves; E's page stays mapped */
	CHECK_EQ(do_unregister(a), 0);
	fire_trace(0);
	CHECK_EQ(counter(CNT_GPA), c1 + 6);
	CHECK_EQ(aborts_of(c), 3);
	CHECK_EQ(aborts_of(d), 3);
	CHECK_EQ(aborts_of(e), 0);
	CHECK_EQ(do_unregister(c), 0);
	CHECK_EQ(do_unregister(d), 0);
	CHECK_EQ(do_unregister(e), 0);
	CHECK_EQ(be.views.nr_views, 0);
	CHECK_EQ(be.views.maps, 0);
}

static void test_window_hole_aborts(void)
{
	struct hup_request r;
	struct backend_prog_info info;

	fg_unmap(&g, CNT_GVA);
	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	req_window(&r, CNT_GVA, FG_4K, HUP_WIN_READ | HUP_WIN_WRITE);
	CHECK_EQ(submit(&r, 0), 0); /* a hole is not an error... */
	fire_trace(0);              /* ...touching it aborts the run */
	CHECK_EQ(backend__list(&be, r.prog_id, &info, 1), 1);
	CHECK_EQ(info.st.aborts, 1);
	CHECK_EQ(info.st.runs, 0);
	CHECK_EQ(info.hole_bytes, FG_4K);
	CHECK_EQ(do_unregister(r.prog_id), 0);
	fg_map(&g, CNT_GVA, CNT_GPA, FG_4K, 0);
}

static void test_query_op_stats(void)
{
	struct hup_request r;
	uint32_t id;

	CHECK_EQ(do_register_count(HUP_WIN_READ | HUP_WIN_WRITE, &id), 0);
	fire_trace(0);
	fire_trace(1);
	memset(&r, 0, sizeof(r));
	r.magic = HUP_REQ_MAGIC;
	r.abi_version = HUP_ABI_VERSION;
	r.op = HUP_OP_QUERY;
	r.prog_id = id;
	CHECK_EQ(submit(&r, 0), 0);
	CHECK_EQ(r.stat_runs, 2);
	CHECK_EQ(r.stat_aborts, 0);
	CHECK(r.stat_run_ns > 0);
	CHECK(r.jited_len > 0);
	CHECK_EQ(do_unregister(id), 0);
	r.prog_id = id;
	CHECK_EQ(submit(&r, 0), -ENOENT);
}

static void test_msr_resume_query_reclaim(void)
{
	struct hup_request r;
	uint32_t m1, m2, rs, q, rc;
	uint64_t args[4] = {1, 2, 3, 4};
	struct backend_reclaim_opts ro = {.gap_ns = 1};
	struct backend_reclaim_report rep;
	char out[64];
	size_t len = 0;
	uint8_t *page;

	req_init(&r, HUP_EVENT_MSR_WRITE, p_msr, ARRAY_LEN(p_msr));
	r.event_arg = 0x123;
	CHECK_EQ(submit(&r, 0), 0);
	m1 = r.prog_id;
	r.event_arg = 0x100;
	CHECK_EQ(submit(&r, 0), 0);
	m2 = r.prog_id;
	CHECK_EQ(msr_n, 2);
	CHECK_EQ(msr_list[0], 0x100);
	CHECK_EQ(msr_list[1], 0x123);
	CHECK(backend__msr_denied(&be, 0, 0x123, 5));
	CHECK(!backend__msr_denied(&be, 0, 0x123, 4));
	CHECK(!backend__msr_denied(&be, 0, 0x555, 5)); /* nobody vets it */
	CHECK_EQ(do_unregister(m1), 0);
	CHECK_EQ(msr_n, 1);
	CHECK_EQ(msr_list[0], 0x100);
	CHECK(!backend__msr_denied(&be, 0, 0x123, 5));
	CHECK_EQ(do_unregister(m2), 0);
	CHECK_EQ(msr_n, 0);

	CHECK_EQ(backend__resume(&be, 0, 1000), 0);
	req_init(&r, HUP_EVENT_VCPU_RESUME, p_resume, ARRAY_LEN(p_resume));
	CHECK_EQ(submit(&r, 0), 0);
	rs = r.prog_id;
	CHECK_EQ(backend__resume(&be, 0, 1000), HUP_ENTRY_FLUSH_TLB);
	CHECK_EQ(do_unregister(rs), 0);

	req_init(&r, HUP_EVENT_QUERY, p_query, ARRAY_LEN(p_query));
	r.event_arg = 42;
	CHECK_EQ(submit(&r, 0), 0);
	q = r.prog_id;
	CHECK_EQ(backend__query(&be, q, args, out, sizeof(out), &len, NULL),
		 0);
	CHECK_EQ(len, 5);
	CHECK(!memcmp(out, "hello", 5));
	CHECK_EQ(backend__query(&be, q, args, out, 3, &len, NULL), 0); /* -ENOSPC
								    to the
								    program */
	CHECK_EQ(len, 0);
	CHECK_EQ(backend__query(&be, 12345, args, out, sizeof(out), &len, NULL),
		 -ENOENT);

	req_init(&r, HUP_EVENT_RECLAIM, p_reclaim, ARRAY_LEN(p_reclaim));
	CHECK_EQ(submit(&r, 0), 0);
	rc = r.prog_id;
	CHECK_EQ(backend__query(&be, rc, args, out, sizeof(out), &len, NULL),
		 -EPERM);
	CHECK_EQ(backend__reclaim(&be, q, &ro, &rep), -EPERM);
	page = fg_hva(&g, (uint64_t)RECLAIM_PFN * 4096, 5 * 4096);
	memset(page, 0xab, 5 * 4096);
	CHECK_EQ(backend__reclaim(&be, rc, &ro, &rep), 0);
	CHECK_EQ(rep.pages, 4);
	CHECK_EQ(page[0], 0);
	CHECK_EQ(page[4 * 4096 - 1], 0);
	CHECK_EQ(page[4 * 4096], 0xab);
	CHECK_EQ(do_unregister(rc), 0);
	CHECK_EQ(do_unregister(q), 0);
}

/* The block the guest rewrites after the host copied it. */
static void clobber_block(void)
{
	struct hup_request *b = gblock(BLOCK);

	b->nr_windows = 0xffffffffu;
	b->windows[0].gva = 0xdead000;
	b->windows[0].size = 1ull << 62;
	b->insn_cnt = 0xffffffffu;
	b->insns_gpa = UINT64_MAX - 7;
	b->event = 99;
	memset(b->name, 0xff, sizeof(b->name));
	memset(fg_hva(&g, INSNS, 8), 0xff, 8); /* the bytecode too */
}

static void test_copy_once_deterministic(void)
{
	uint64_t c0 = counter(CNT_GPA);
	struct backend_prog_info info;
	uint32_t id;

	/* the ops callback runs mid-request (after the block was copied and
	 * checked and the bytecode copied, before the windows are walked)
	 * and rewrites both in guest memory... */
	mutate_on_paging = 1;
	CHECK_EQ(do_register_count(HUP_WIN_READ | HUP_WIN_WRITE, &id), 0);
	mutate_on_paging = 0;
	/* ...yet the registration used what was checked: one window, the
	 * original name and event, a program that counts */
	CHECK_EQ(backend__list(&be, id, &info, 1), 1);
	CHECK_EQ(info.nr_windows, 1);
	CHECK_EQ(info.event, HUP_EVENT_TRACE);
	CHECK(!strcmp(info.name, "test"));
	CHECK_EQ(info.mapped_bytes, FG_4K);
	fire_trace(0);
	CHECK_EQ(counter(CNT_GPA), c0 + 1);
	CHECK_EQ(do_unregister(id), 0);
}

static volatile int racing;

static void *rewriter(void *arg)
{
	struct hup_request good, bad;
	unsigned int i = 0;

	(void)arg;
	req_init(&good, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	req_window(&good, CNT_GVA, FG_4K, HUP_WIN_READ | HUP_WIN_WRITE);
	bad = good;
	bad.nr_windows = 0xffffffffu;
	bad.insn_cnt = 0xffffffffu;
	bad.windows[0].size = 1ull << 63;
	bad.log_size = 0xffffffffu;
	bad.insns_gpa = UINT64_MAX - 7;
	while (racing) {
		/* field by field, so the host may see any mix */
		volatile uint64_t *dst = (volatile uint64_t *)gblock(BLOCK);
		const uint64_t *src =
		    (const uint64_t *)((i++ & 1) ? (void *)&bad : (void *)&good);

		for (size_t k = 0; k < sizeof(good) / 8; k++)
			dst[k] = src[k];
	}
	return NULL;
}

/* Unregister id through a second block the rewriter does not touch. */
static int unregister_at(uint64_t gpa, uint32_t id)
{
	struct hup_request *u = gblock(gpa);

	memset(u, 0, sizeof(*u));
	u->magic = HUP_REQ_MAGIC;
	u->abi_version = HUP_ABI_VERSION;
	u->op = HUP_OP_UNREGISTER;
	u->prog_id = id;
	return backend__submit(&be, 0, gpa);
}

static void test_copy_once_racing_writer(void)
{
	struct backend_prog_info info[HUP_MAX_PROGS];
	unsigned int ok = 0, refused = 0, other = 0, n;
	struct hup_request r;
	pthread_t t;

	req_init(&r, HUP_EVENT_TRACE, p_count, ARRAY_LEN(p_count));
	req_window(&r, CNT_GVA, FG_4K, HUP_WIN_READ | HUP_WIN_WRITE);
	memcpy(gblock(BLOCK), &r, sizeof(r));
	racing = 1;
	CHECK_EQ(pthread_create(&t, NULL, rewriter, NULL), 0);
	for (int i = 0; i < 400; i++) {
		int err = backend__submit(&be, 0, BLOCK);

		if (!err)
			ok++;
		else if (err == -EINVAL || err == -E2BIG || err == -EFAULT)
			refused++;
		else
			other++;
		/* the id written back may be overwritten already: take
		 * them from the registry */
		n = backend__list(&be, 0, info, HUP_MAX_PROGS);
		for (unsigned int k = 0; k < n; k++)
			CHECK_EQ(unregister_at(BLOCK + 0x1000, info[k].id), 0);
	}
	racing = 0;
	pthread_join(t, NULL);
	CHECK_EQ(other, 0);
	CHECK_EQ(ok + refused, 400);
	CHECK_EQ(be.reg.nr_progs, 0);
	printf("racing writer: %u registered, %u refused\n", ok, refused);
}

/* Unregister while other threads run the program (grace periods). */
static volatile int tracing;

/* A query's partial output is kept when the run aborts; the program's own
 * -EFAULT is its return value, not an abort; every return value is shown
 * (backend, then the control command, text and JSON). */
static void test_query_failures(void)
{
	struct vm vm = {.hup = &be};
	struct hup_request r;
	uint64_t args[4] = {7, 0, 0, 0}, r0 = 0;
	uint32_t q, f;
	char out[64], line[64], want[256];
	size_t len = 0;

	req_init(&r, HUP_EVENT_QUERY, p_query_ret, ARRAY_LEN(p_query_ret));
	CHECK_EQ(submit(&r, 0), 0);
	q = r.prog_id;
	fg_unmap(&g, CNT_GVA);
	req_init(&r, HUP_EVENT_QUERY, p_query_fault, ARRAY_LEN(p_query_fault));
	req_window(&r, CNT_GVA, FG_4K, HUP_WIN_READ);
	CHECK_EQ(submit(&r, 0), 0);
	f = r.prog_id;
	fg_map(&g, CNT_GVA, CNT_GPA, FG_4K, 0); /* after: the window has a hole */

	CHECK_EQ(backend__query(&be, q, args, out, sizeof(out), &len, &r0), 0);
	CHECK_EQ(r0, 7);
	CHECK_EQ(len, 5);
	args[0] = (uint64_t)-EFAULT;
	r0 = 0;
	CHECK_EQ(backend__query(&be, q, args, out, sizeof(out), &len, &r0), 0);
	CHECK_EQ(r0, (uint64_t)-EFAULT); /* ran to its end: not an abort */
	CHECK_EQ(len, 5);
	memset(out, 0, sizeof(out));
	r0 = 12345;
	CHECK_EQ(backend__query(&be, f, args, out, sizeof(out), &len, &r0),
		 -EFAULT);
	CHECK_EQ(len, 5); /* what it output before the fault */
	CHECK(!memcmp(out, "hello", 5));
	CHECK_EQ(r0, 12345); /* no return value */

	snprintf(line, sizeof(line), "query %u 7", q);
	CHECK_STR(ctl_exec(&vm, line), "data 5\nhello\nr0 7\nOK\n");
	snprintf(line, sizeof(line), "query %u %llu", q,
		 (unsigned long long)(uint64_t)-EFAULT);
	snprintf(want, sizeof(want), "data 5\nhello\nr0 -14\nERR EFAULT "
		 "program %u returned -14 (Bad address)\n", q);
	CHECK_STR(ctl_exec(&vm, line), want);
	snprintf(line, sizeof(line), "query %u", f);
	snprintf(want, sizeof(want), "data 5\nhello\nERR EFAULT program %u "
		 "aborted after 5 bytes of output: guest memory fault\n", f);
	CHECK_STR(ctl_exec(&vm, line), want);
	snprintf(line, sizeof(line), "json query %u 7", q);
	snprintf(want, sizeof(want), "{\"id\":%u,\"len\":5,\"r0\":7,"
		 "\"aborted\":false,\"answer\":\"hello\"}\nOK\n", q);
	CHECK_STR(ctl_exec(&vm, line), want);
	snprintf(line, sizeof(line), "json query %u", f);
	snprintf(want, sizeof(want), "{\"id\":%u,\"len\":5,\"r0\":null,"
		 "\"aborted\":true,\"answer\":\"hello\"}\nERR EFAULT "
		 "program %u aborted after 5 bytes of output: guest memory "
		 "fault\n", f, f);
	CHECK_STR(ctl_exec(&vm, line), want);
	CHECK_EQ(do_unregister(q), 0);
	CHECK_EQ(do_unregister(f), 0);
}

static void *tracer(void *arg)
{
	uint32_t cpu = (uint32_t)(uintptr_t)arg;

	while (tracing)
		fire_trace(cpu);
	return NULL;
}

static void test_unregister_while_running(void)
{
	pthread_t t[2];
	uint64_t c0 = counter(CNT_GPA);
	uint32_t id;

	tracing = 1;
	for (uintptr_t i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, tracer, (void *)(i + 1)),
			 0);
	for (int i = 0; i < 200; i++) {
		CHECK_EQ(do_register_count(HUP_WIN_READ | HUP_WIN_WRITE, &id),
			 0);
		usleep(100);
		/* The last one stays until a tracer has run a program: on a
		 * loaded machine the tracers may have slept through every
		 * window above (10 s at most). */
		for (int w = 0; i == 199 && w < 10000 &&
				counter(CNT_GPA) == c0; w++)
			usleep(1000);
		CHECK_EQ(do_unregister(id), 0);
	}
	tracing = 0;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK(counter(CNT_GPA) > c0);
	CHECK_EQ(be.reg.nr_progs, 0);
}

int main(void)
{
	if (fg_init(&g, 64 * MB, 32 * MB, HIGH, false)) {
		fprintf(stderr, "cannot create the fake guest\n");
		return 1;
	}
	fg_map(&g, CNT_GVA, CNT_GPA, FG_4K, 0);
	if (backend__create(&be, &g.mem, 4, &ops, NULL, VIEW_BITS)) {
		fprintf(stderr, "cannot create the backend\n");
		return 1;
	}
	be.run_budget_us = HUP_TEST_RUN_BUDGET_US;
	test_doorbell_register_trace();
	test_verifier_rejection_log();
	test_hostile_requests_counted();
	test_limits();
	test_views_isolated_snapshot();
	test_window_hole_aborts();
	test_query_op_stats();
	test_msr_resume_query_reclaim();
	test_query_failures();
	test_copy_once_deterministic();
	test_copy_once_racing_writer();
	test_unregister_while_running();
	backend__destroy(&be);
	mem__destroy(&g.mem);
	return check_summary("backend_fake");
}
