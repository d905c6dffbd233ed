/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of the ABI helpers against a fake VMM environment (fake
 * hup_run_env callbacks that record what they are given) and a real view
 * over a memfd: guest_read/write/memset on mapped pages, holes and
 * read-only windows, size limits, the vCPU helpers' checks, debug_print's
 * sanitising and rate limit, output's budget; and end to end through the
 * interpreter: a program whose translated access hits a hole is aborted
 * with -EFAULT, while a helper that hits one returns -EFAULT to it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "view.h"

#define BITS 30
#define PAGE 4096u
/* gva of the test windows: RW page, RO page, then a hole */
#define GVA_RW 0xffff888000200000ull
#define GVA_RO (GVA_RW + PAGE)
#define GVA_HOLE (GVA_RW + 2 * PAGE)

struct fake_env {
	char lines[32][HUP_DEBUG_LINE_MAX + 2];
	uint32_t lens[32];
	int nr_lines;
	uint8_t out[HUP_QUERY_OUT_MAX];
	uint32_t out_len;
	int out_err;
	int reg_err;
};

static int fake_vcpu_reg(void *opaque, uint32_t reg, uint64_t *val)
{
	struct fake_env *f = opaque;

	if (f->reg_err)
		return f->reg_err;
	*val = 0x1000 + reg;
	return 0;
}

static int fake_output(void *opaque, const void *buf, uint32_t size)
{
	struct fake_env *f = opaque;

	if (f->out_err)
		return f->out_err;
	if (size > sizeof(f->out) - f->out_len)
		return -EOVERFLOW; /* the helper's budget failed */
	memcpy(f->out + f->out_len, buf, size);
	f->out_len += size;
	return 0;
}

static void fake_print(void *opaque, const char *line, uint32_t len)
{
	struct fake_env *f = opaque;

	if (f->nr_lines < 32) {
		snprintf(f->lines[f->nr_lines], sizeof(f->lines[0]), "%s",
			 line);
		f->lens[f->nr_lines] = len;
	}
	f->nr_lines++;
}

static struct fake_env *fake;
static struct hup_run_env env;
static struct hup_view *view;
static int memfd;

static void setup(void)
{
	uint8_t page[PAGE];

	fake = calloc(1, sizeof(*fake));
	env = (struct hup_run_env){
		.sz = sizeof(env), .vcpu = 3, .guest_tsc = 123456789,
		.vcpu_reg = fake_vcpu_reg, .output = fake_output,
		.debug_print = fake_print, .opaque = fake,
	};
	memfd = memfd_create("hup-test-helpers", MFD_CLOEXEC);
	if (!fake || memfd < 0 || ftruncate(memfd, 2 * PAGE) ||
	    hup_view__create(BITS, &view))
		exit(2);
	memset(page, 0xaa, sizeof(page));
	page[0] = 1;
	page[PAGE - 1] = 2;
	if (pwrite(memfd, page, PAGE, 0) != PAGE)
		exit(2);
	memset(page, 0xbb, sizeof(page));
	if (pwrite(memfd, page, PAGE, PAGE) != PAGE ||
	    hup_view__map(view, GVA_RW, memfd, 0, PAGE,
			  HUP_WIN_READ | HUP_WIN_WRITE) ||
	    hup_view__map(view, GVA_RO, memfd, PAGE, PAGE, HUP_WIN_READ))
		exit(2);
}

/* One helper call inside a guarded run with run state st. */
struct call {
	uint32_t id;
	uint64_t r[5];
};

static uint64_t fn_call(void *arg)
{
	struct call *c = arg;

	return hup_helpers_abi.fns[c->id](c->r[0], c->r[1], c->r[2], c->r[3],
					  c->r[4]);
}

static int64_t call_in(struct hup_run_state *st, uint32_t id, uint64_t r1,
		       uint64_t r2, uint64_t r3)
{
	struct call c = {id, {r1, r2, r3, 0, 0}};
	uint64_t r0 = 0xdead;
	int err = hup_run_state__run(st, fn_call, &c, &r0);

	CHECK_EQ(err, 0);
	return (int64_t)r0;
}

static int64_t call(enum hup_event event, uint32_t id, uint64_t r1,
		    uint64_t r2, uint64_t r3)
{
	struct hup_run_state st;

	hup_run_state__init(&st, view, event, &env);
	return call_in(&st, id, r1, r2, r3);
}

#define PTR(p) ((uint64_t)(uintptr_t)(p))

static void test_table(void)
{
	CHECK_EQ(hup_helpers_abi.nr, HUP_FN_MAX + 1);
	CHECK(hup_helpers_abi.fns[0] == NULL);
	CHECK(hup_helpers_abi.fns[HUP_FN_loop] == NULL);
	CHECK(hup_helpers_abi.fns[HUP_FN_guest_read] != NULL);
	CHECK(hup_helpers_abi.fns[HUP_FN_vcpu_id] != NULL);
}

static void test_guest_read(void)
{
	struct hup_run_state st;
	uint8_t buf[HUP_GUEST_COPY_MAX + 1];
	uint64_t faults = hup_view__faults(view);

	memset(buf, 0, sizeof(buf));
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_guest_read, PTR(buf), 8, GVA_RW),
		 0);
	CHECK_EQ(buf[0], 1);
	CHECK_EQ(buf[1], 0xaa);
	/* a whole page, and the translation ignores bits above the mask */
	CHECK_EQ(call(HUP_EVENT_QUERY, HUP_FN_guest_read, PTR(buf),
		      HUP_GUEST_COPY_MAX, GVA_RO ^ (1ull << 40)), 0);
	CHECK_EQ(buf[0], 0xbb);
	CHECK_EQ(buf[PAGE - 1], 0xbb);
	/* too big: refused before touching anything */
	buf[0] = 0;
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_guest_read, PTR(buf),
		      HUP_GUEST_COPY_MAX + 1, GVA_RW), -E2BIG);
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_guest_read, PTR(buf),
		      1ull << 32, GVA_RW), -E2BIG);
	CHECK_EQ(buf[0], 0);
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_guest_read, PTR(buf), 0,
		      GVA_HOLE), 0);
	/* a hole, and a range running from a page into the hole */
	hup_run_state__init(&st, view, HUP_EVENT_TRACE, &env);
	CHECK_EQ(call_in(&st, HUP_FN_guest_read, PTR(buf), 8, GVA_HOLE),
		 -EFAULT);
	CHECK_EQ(call_in(&st, HUP_FN_guest_read, PTR(buf), 16,
			 GVA_HOLE - 8), -EFAULT);
	CHECK_EQ(st.helper_faults, 2);
	CHECK_EQ(hup_view__faults(view), faults + 2);
	/* the top of the view runs into the guard, it does not wrap */
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_guest_read, PTR(buf), 16,
		      (1ull << BITS) - 8), -EFAULT);
	/* no view, or no guarded run: nothing is touched */
	hup_run_state__init(&st, NULL, HUP_EVENT_TRACE, &env);
	CHECK_EQ(call_in(&st, HUP_FN_guest_read, PTR(buf), 8, GVA_RW), -EFAULT);
	hup_run_state__init(&st, view, HUP_EVENT_TRACE, &env);
	{
		struct hup_run_state *prev = hup_run_state__enter(&st);

		CHECK(hup_run_state__current() == &st);
		CHECK_EQ((int64_t)hup_helpers_abi.fns[HUP_FN_guest_read](
				 PTR(buf), 8, GVA_RW, 0, 0), -EPERM);
		hup_run_state__leave(prev);
	}
	CHECK(hup_run_state__current() == NULL);
}

static void test_guest_write(void)
{
	uint8_t src[16], byte;

	memset(src, 0x5c, sizeof(src));
	CHECK_EQ(call(HUP_EVENT_RECLAIM, HUP_FN_guest_write, GVA_RW + 100,
		      PTR(src), sizeof(src)), 0);
	CHECK_EQ(pread(memfd, &byte, 1, 115), 1);
	CHECK_EQ(byte, 0x5c);
	CHECK_EQ(pread(memfd, &byte, 1, 116), 1);
	CHECK_EQ(byte, 0xaa);
	/* read-only window: the page protection refuses, nothing changes */
	CHECK_EQ(call(HUP_EVENT_RECLAIM, HUP_FN_guest_write, GVA_RO,
		      PTR(src), sizeof(src)), -EFAULT);
	CHECK_EQ(pread(memfd, &byte, 1, PAGE), 1);
	CHECK_EQ(byte, 0xbb);
	CHECK_EQ(call(HUP_EVENT_RECLAIM, HUP_FN_guest_write, GVA_HOLE,
		      PTR(src), sizeof(src)), -EFAULT);
	CHECK_EQ(call(HUP_EVENT_RECLAIM, HUP_FN_guest_write, GVA_RW,
		      PTR(src), HUP_GUEST_COPY_MAX + 1), -E2BIG);
	/* memset: the low byte of the value */
	CHECK_EQ(call(HUP_EVENT_RECLAIM, HUP_FN_guest_memset, GVA_RW + 200,
		      0x1234, 4), 0);
	CHECK_EQ(pread(memfd, &byte, 1, 203), 1);
	CHECK_EQ(byte, 0x34);
	CHECK_EQ(pread(memfd, &byte, 1, 204), 1);
	CHECK_EQ(byte, 0xaa);
	CHECK_EQ(call(HUP_EVENT_RECLAIM, HUP_FN_guest_memset, GVA_RO, 0, 1),
		 -EFAULT);
	CHECK_EQ(call(HUP_EVENT_RECLAIM, HUP_FN_guest_memset, GVA_RW, 0,
		      HUP_GUEST_COPY_MAX + 1), -E2BIG);
}

static void test_vcpu(void)
{
	struct hup_run_env small = env;
	struct hup_run_state st;
	int64_t t0, t1;

	t0 = call(HUP_EVENT_TRACE, HUP_FN_host_ns, 0, 0, 0);
	t1 = call(HUP_EVENT_TRACE, HUP_FN_host_ns, 0, 0, 0);
	CHECK(t0 > 0 && t1 >= t0);
	CHECK_EQ(call(HUP_EVENT_QUERY, HUP_FN_guest_tsc, 0, 0, 0), 123456789);
	CHECK_EQ(call(HUP_EVENT_MSR_WRITE, HUP_FN_vcpu_id, 0, 0, 0), 3);
	/* in a global event: 0, never a value outside the u32 range */
	CHECK_EQ(call(HUP_EVENT_QUERY, HUP_FN_vcpu_id, 0, 0, 0), 0);
	CHECK_EQ(call(HUP_EVENT_VCPU_RESUME, HUP_FN_vcpu_reg, HUP_REG_RIP, 0,
		      0), 0x1000 + HUP_REG_RIP);
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_vcpu_reg, HUP_REG_MAX + 1, 0, 0),
		 -EINVAL);
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_vcpu_reg, 1ull << 32, 0, 0),
		 -EINVAL);
	CHECK_EQ(call(HUP_EVENT_RECLAIM, HUP_FN_vcpu_reg, 0, 0, 0), -EPERM);
	fake->reg_err = -EIO;
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_vcpu_reg, 0, 0, 0), -EIO);
	fake->reg_err = 0;
	/* an env from an older caller without the callbacks */
	small.sz = offsetof(struct hup_run_env, guest_tsc);
	hup_run_state__init(&st, view, HUP_EVENT_TRACE, &small);
	CHECK_EQ(call_in(&st, HUP_FN_guest_tsc, 0, 0, 0), 0);
	CHECK_EQ(call_in(&st, HUP_FN_vcpu_reg, 0, 0, 0), -EOPNOTSUPP);
	CHECK_EQ(call_in(&st, HUP_FN_debug_print, PTR("x"), 1, 0),
		 -EOPNOTSUPP);
	hup_run_state__init(&st, view, HUP_EVENT_TRACE, NULL);
	CHECK_EQ(call_in(&st, HUP_FN_vcpu_reg, 0, 0, 0), -EOPNOTSUPP);
	CHECK_EQ(call_in(&st, HUP_FN_vcpu_id, 0, 0, 0), 0);
}

static void test_debug_print(void)
{
	struct hup_run_state st;
	char big[400];
	int i;

	fake->nr_lines = 0;
	hup_run_state__init(&st, view, HUP_EVENT_TRACE, &env);
	CHECK_EQ(call_in(&st, HUP_FN_debug_print,
			 PTR("hi\x1b[31m\tx\r\nforged: y\n\n"), 22, 0), 0);
	CHECK_EQ(strcmp(fake->lines[0], "hi?[31m?x??forged: y"), 0);
	CHECK_EQ(fake->lens[0], 20);
	/* stops at NUL and at size */
	CHECK_EQ(call_in(&st, HUP_FN_debug_print, PTR("abc\0def"), 7, 0), 0);
	CHECK_EQ(strcmp(fake->lines[1], "abc"), 0);
	CHECK_EQ(call_in(&st, HUP_FN_debug_print, PTR("abcdef"), 2, 0), 0);
	CHECK_EQ(strcmp(fake->lines[2], "ab"), 0);
	/* high bytes are not printable either */
	CHECK_EQ(call_in(&st, HUP_FN_debug_print, PTR("\xc3\xa9.!"), 4, 0), 0);
	CHECK_EQ(strcmp(fake->lines[3], "??.!"), 0);
	/* at most HUP_DEBUG_LINE_MAX bytes are read */
	memset(big, 'z', sizeof(big));
	CHECK_EQ(call_in(&st, HUP_FN_debug_print, PTR(big), sizeof(big), 0),
		 0);
	CHECK_EQ(fake->lens[4], HUP_DEBUG_LINE_MAX);
	CHECK_EQ(strlen(fake->lines[4]), HUP_DEBUG_LINE_MAX);
	CHECK_EQ(call_in(&st, HUP_FN_debug_print, 0, 5, 0), -EINVAL);
	/* rate limit: HUP_DEBUG_LINES_PER_RUN per run, then -EBUSY */
	for (i = 5; i < (int)HUP_DEBUG_LINES_PER_RUN; i++)
		CHECK_EQ(call_in(&st, HUP_FN_debug_print, PTR("n"), 1, 0), 0);
	CHECK_EQ(call_in(&st, HUP_FN_debug_print, PTR("n"), 1, 0), -EBUSY);
	CHECK_EQ(call_in(&st, HUP_FN_debug_print, PTR("n"), 1, 0), -EBUSY);
	CHECK_EQ(fake->nr_lines, HUP_DEBUG_LINES_PER_RUN);
	CHECK_EQ(st.print_lines, HUP_DEBUG_LINES_PER_RUN);
	CHECK_EQ(st.print_dropped, 2);
	/* a new run starts a new budget */
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_debug_print, PTR("n"), 1, 0), 0);
}

static void test_output(void)
{
	static uint8_t data[HUP_QUERY_OUT_MAX + 1];
	struct hup_run_state st;

	memset(data, 'q', sizeof(data));
	fake->out_len = 0;
	CHECK_EQ(call(HUP_EVENT_TRACE, HUP_FN_output, PTR(data), 4, 0), -EPERM);
	CHECK_EQ(fake->out_len, 0);
	hup_run_state__init(&st, view, HUP_EVENT_QUERY, &env);
	CHECK_EQ(call_in(&st, HUP_FN_output, PTR("answer"), 6, 0), 0);
	CHECK_EQ(memcmp(fake->out, "answer", 6), 0);
	CHECK_EQ(call_in(&st, HUP_FN_output, PTR(data),
			 HUP_QUERY_OUT_MAX - 6 + 1, 0), -ENOSPC);
	CHECK_EQ(call_in(&st, HUP_FN_output, PTR(data), 1ull << 32, 0),
		 -ENOSPC);
	CHECK_EQ(call_in(&st, HUP_FN_output, PTR(data), HUP_QUERY_OUT_MAX - 6,
			 0), 0);
	CHECK_EQ(st.out.used, HUP_QUERY_OUT_MAX);
	CHECK_EQ(call_in(&st, HUP_FN_output, PTR(data), 1, 0), -ENOSPC);
	CHECK_EQ(call_in(&st, HUP_FN_output, PTR(data), 0, 0), 0);
	CHECK_EQ(fake->out_len, HUP_QUERY_OUT_MAX);
	/* the callback's error reaches the program and costs no budget */
	fake->out_len = 0;
	fake->out_err = -EIO;
	hup_run_state__init(&st, view, HUP_EVENT_QUERY, &env);
	CHECK_EQ(call_in(&st, HUP_FN_output, PTR(data), 1, 0), -EIO);
	CHECK_EQ(st.out.used, 0);
	fake->out_err = 0;
}

/* Output calls in one run (hup_run_env.out_buf), then a touch of a hole
 * if fault: the run aborts after them. */
struct outputs {
	const char *rec[4];
	uint64_t len[4];
	int64_t ret[4];
	bool fault;
};

static uint64_t fn_outputs(void *arg)
{
	struct outputs *o = arg;

	for (int i = 0; i < 4 && o->rec[i]; i++)
		o->ret[i] = (int64_t)hup_helpers_abi.fns[HUP_FN_output](
			PTR(o->rec[i]), o->len[i], 0, 0, 0);
	if (o->fault)
		return *(volatile uint8_t *)(hup_view__base(view) + 0x300000);
	return 0;
}

/* The caller's buffer: records appended after what it held, as far as
 * its cap allows, *out_len advanced when the run ends (an aborted run's
 * records too), the callback never called; none for another event, no
 * room when *out_len is already past the cap. */
static void test_output_buffer(void)
{
	struct hup_run_env benv = env;
	struct hup_run_state st;
	uint8_t buf[32];
	uint32_t len = 4;
	struct outputs o = {
		.rec = {"answer", "0123456", "012345", "x"},
		.len = {6, 7, 6, 1},
	};
	uint64_t r0;

	memset(buf, '.', sizeof(buf));
	benv.out_buf = buf;
	benv.out_cap = 16;
	benv.out_len = &len;
	fake->out_len = 0;
	hup_run_state__init(&st, view, HUP_EVENT_QUERY, &benv);
	CHECK_EQ(hup_run_state__run(&st, fn_outputs, &o, &r0), 0);
	CHECK_EQ(o.ret[0], 0);
	CHECK_EQ(o.ret[1], -ENOSPC);
	CHECK_EQ(o.ret[2], 0);
	CHECK_EQ(o.ret[3], -ENOSPC);
	CHECK_EQ(len, 16);
	CHECK_EQ(memcmp(buf, "....answer012345.", 17), 0);
	CHECK_EQ(st.out.used, 12);
	CHECK_EQ(fake->out_len, 0);
	/* aborted after its records: they count */
	len = 0;
	o = (struct outputs){.rec = {"ab"}, .len = {2}, .fault = true};
	hup_run_state__init(&st, view, HUP_EVENT_QUERY, &benv);
	CHECK_EQ(hup_run_state__run(&st, fn_outputs, &o, &r0), -EFAULT);
	CHECK_EQ(o.ret[0], 0);
	CHECK_EQ(len, 2);
	/* *out_len past the cap: no room */
	len = 20;
	o = (struct outputs){.rec = {"a"}, .len = {1}};
	hup_run_state__init(&st, view, HUP_EVENT_QUERY, &benv);
	CHECK_EQ(hup_run_state__run(&st, fn_outputs, &o, &r0), 0);
	CHECK_EQ(o.ret[0], -ENOSPC);
	CHECK_EQ(len, 20);
	/* another event: refused, the buffer untouched */
	len = 0;
	o = (struct outputs){.rec = {"a"}, .len = {1}};
	hup_run_state__init(&st, view, HUP_EVENT_TRACE, &benv);
	CHECK_EQ(hup_run_state__run(&st, fn_outputs, &o, &r0), 0);
	CHECK_EQ(o.ret[0], -EPERM);
	CHECK_EQ(len, 0);
	CHECK_EQ(fake->out_len, 0);
}

/* ------------------------------------------ end to end, interpreted */

struct interp_args {
	const struct bpf_insn *insns;
	size_t cnt;
	int err;
};

static uint64_t fn_interp(void *arg)
{
	struct interp_args *a = arg;

	return hup_interp__run(a->insns, a->cnt, &hup_helpers_abi, 0, 0,
			       &a->err);
}

static void test_interp_run(void)
{
	uint64_t mask = hup_view__mask(view);
	uint64_t base = (uint64_t)(uintptr_t)hup_view__base(view);
	/* r0 = *(u64 *)xlate(gva) + guest_read(fp - 8, 8, GVA_HOLE), as the
	 * LLVM pass emits it (the loader would patch the two pseudo loads;
	 * here they are plain values). */
	struct bpf_insn prog[] = {
		LD_IMM64(6, mask), LD_IMM64(7, base),
		LD_IMM64(1, GVA_RW),
		ALU64_REG(BPF_AND, 1, 6), ALU64_REG(BPF_ADD, 1, 7),
		LDX(BPF_DW, 8, 1, 8),
		MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8),
		MOV64_IMM(2, 8),
		LD_IMM64(3, GVA_HOLE),
		CALL_HELPER(HUP_FN_guest_read),
		ALU64_REG(BPF_ADD, 0, 8),
		EXIT(),
	};
	struct interp_args a = {prog, ARRAY_LEN(prog), 0};
	struct hup_run_state st;
	uint64_t r0 = 0, faults = hup_view__faults(view);

	hup_run_state__init(&st, view, HUP_EVENT_TRACE, &env);
	CHECK_EQ(hup_run_state__run(&st, fn_interp, &a, &r0), 0);
	CHECK_EQ(a.err, 0);
	CHECK_EQ(r0, 0xaaaaaaaaaaaaaaaaull - HUP_EFAULT);
	CHECK_EQ(st.helper_faults, 1);
	/* the same direct load from the hole aborts the run */
	prog[4] = INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, (int32_t)GVA_HOLE);
	hup_run_state__init(&st, view, HUP_EVENT_TRACE, &env);
	r0 = 0;
	CHECK_EQ(hup_run_state__run(&st, fn_interp, &a, &r0), -EFAULT);
	CHECK_EQ(r0, 0);
	CHECK_EQ(hup_view__faults(view), faults + 2);
	/* the loop helper is rewritten by the verifier, never called */
	{
		struct bpf_insn loop[] = {CALL_HELPER(HUP_FN_loop), EXIT()};
		struct interp_args b = {loop, ARRAY_LEN(loop), 0};

		CHECK_EQ(hup_run_state__run(&st, fn_interp, &b, &r0), 0);
		CHECK_EQ(b.err, -EINVAL);
	}
}

int main(void)
{
	setup();
	RUN(test_table);
	RUN(test_guest_read);
	RUN(test_guest_write);
	RUN(test_vcpu);
	RUN(test_debug_print);
	RUN(test_output);
	RUN(test_output_buffer);
	RUN(test_interp_run);
	hup_view__free(view);
	close(memfd);
	free(fake);
	return check_exit();
}
