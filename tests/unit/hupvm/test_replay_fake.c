// SPDX-License-Identifier: BSD-2-Clause
/*
 * Snapshots and their replay (snapshot.c, backend/hupreplay) against a
 * fake guest: a query and a reclaim program registered through the
 * doorbell path, the VM dumped by the control command, and the snapshot
 * replayed under the JIT and the interpreter: the query's answer and the
 * pages the reclaim finds free must be the live backend's on the same
 * memory, though the guest unmapped both windows after registering them
 * (the view is what registration resolved, in the snapshot as live).
 * Then every rejection of a bad snapshot (a mutated copy of the good one
 * each) with its errno and message, and an unknown id.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "hup_test_budget.h"
#include "control.h"
#include "ctlexec.h"
#include "fakeguest.h"
#include "hyperupcall/backend.h"
#include "replay.h"
#include "snapshot.h"
#include "vcpu.h"
#include "vm.h"

#define MB (1ull << 20)
#define HIGH (4ull << 30) /* RAM [0, 32M) and [4G, 4G + 32M) */
#define RAM (64 * MB)
#define BLOCK 0x10000ull
#define INSNS 0x20000ull
#define LOG 0x30000ull
#define BITMAP 0x80000ull /* GPA of the reclaim program's free bitmap */
#define QDATA 0x90000ull  /* GPA of the query program's 16 bytes */
#define BM_GVA 0xffffc90000000000ull
#define Q_GVA 0xffffc90000200000ull
#define VIEW_BITS 36
#define NR_VCPUS 2u

static struct fake_guest g;
static struct backend be;
static char dir[] = "/tmp/hup-replay-fake-XXXXXX";

static int f_paging(void *opaque, uint32_t cpu, struct ptw_root *root)
{
	(void)opaque;
	(void)cpu;
	*root = g.root;
	return 0;
}

static const struct backend_ops ops = {.paging = f_paging};

/* Query: output 16 bytes of its window, arg[0] added to the first word;
 * debug_print "dbg!"; return 3. */
static const struct bpf_insn p_query[] = {
    MOV64_REG(6, 1),
    VIEW_PTR(Q_GVA),
    LDX(BPF_DW, 4, 1, 0),
    LDX(BPF_DW, 5, 6, 8),
    ALU64_REG(BPF_ADD, 4, 5),
    STX(BPF_DW, 10, 4, -16),
    LDX(BPF_DW, 4, 1, 8),
    STX(BPF_DW, 10, 4, -8),
    MOV64_REG(1, 10),
    ALU64_IMM(BPF_ADD, 1, -16),
    MOV64_IMM(2, 16),
    CALL_HELPER(HUP_FN_output),
    ST(BPF_W, 10, -24, 0x21676264), /* "dbg!" */
    MOV64_REG(1, 10),
    ALU64_IMM(BPF_ADD, 1, -24),
    MOV64_IMM(2, 4),
    CALL_HELPER(HUP_FN_debug_print),
    MOV64_IMM(0, 3),
    EXIT(),
};

/* Reclaim: the batch's 512 bits are bytes (pfn & 0xffff) / 8 of a free
 * bitmap in guest memory (so both RAM regions read the same bytes). */
#define COPY_WORD(k) LDX(BPF_DW, 4, 1, 8 * (k)), STX(BPF_DW, 6, 4, 16 + 8 * (k))
static const struct bpf_insn p_reclaim[] = {
    MOV64_REG(6, 1),
    LDX(BPF_DW, 7, 6, 0),
    ALU64_IMM(BPF_AND, 7, 0xffff),
    ALU64_IMM(BPF_RSH, 7, 3),
    LD_PSEUDO(2, HUP_PSEUDO_VIEW_MASK),
    LD_PSEUDO(3, HUP_PSEUDO_VIEW_BASE),
    LD_IMM64(1, BM_GVA),
    ALU64_REG(BPF_ADD, 1, 7),
    ALU64_REG(BPF_AND, 1, 2),
    ALU64_REG(BPF_ADD, 1, 3),
    COPY_WORD(0), COPY_WORD(1), COPY_WORD(2), COPY_WORD(3),
    COPY_WORD(4), COPY_WORD(5), COPY_WORD(6), COPY_WORD(7),
    MOV64_IMM(0, 0),
    EXIT(),
};

static uint32_t do_register(uint32_t event, const struct bpf_insn *insns,
			    uint32_t cnt, uint64_t gva, const char *name)
{
	struct hup_request *blk = fg_hva(&g, BLOCK, sizeof(*blk));

	memcpy(fg_hva(&g, INSNS, cnt * 8ull), insns, cnt * 8ull);
	memset(blk, 0, sizeof(*blk));
	blk->magic = HUP_REQ_MAGIC;
	blk->abi_version = HUP_ABI_VERSION;
	blk->op = HUP_OP_REGISTER;
	blk->event = event;
	blk->event_arg = event == HUP_EVENT_QUERY ? 7 : 0;
	blk->insn_cnt = cnt;
	blk->insns_gpa = INSNS;
	blk->log_gpa = LOG;
	blk->log_size = 4096;
	blk->nr_windows = 1;
	blk->windows[0] = (struct hup_window){gva, FG_4K, HUP_WIN_READ,
					      HUP_WIN_BUFFER};
	strcpy(blk->name, name);
	/* vCPU 1 registers: the record must keep it */
	CHECK_EQ(backend__submit(&be, 1, BLOCK), 0);
	return blk->prog_id;
}

/* ---- the control command on a VM whose two vCPUs are parked already */
static struct vm vm;
static struct vcpu vcpus[NR_VCPUS];

static char *exec(const char *line)
{
	return ctl_exec(&vm, line);
}

static char good[256];

static void test_fake_dump_command(void)
{
	char line[512];
	const char *out;

	snprintf(good, sizeof(good), "%s/good.snap", dir);
	snprintf(line, sizeof(line), "dump %s", good);
	out = exec(line);
	if (!strstr(out, "(snapshot version 2)\nOK\n"))
		fprintf(stderr, "dump: %s", out);
	CHECK(strstr(out, "(snapshot version 2)\nOK\n") != NULL);
	/* refused: the file exists, a relative path */
	CHECK(strstr(exec(line), "ERR EEXIST") != NULL);
	CHECK(strstr(exec("dump rel.snap"), "ERR EINVAL") != NULL);
}

/* ---- replay: the same answers as the live backend */
static unsigned int lines;

static void on_line(void *opaque, const char *line, uint32_t len)
{
	(void)opaque;
	CHECK_EQ(len, 4);
	CHECK(!memcmp(line, "dbg!", 4));
	lines++;
}

static void test_fake_replay_query(uint32_t id, bool no_jit)
{
	uint64_t args[4] = {5, 0, 0, 0}, r0 = 0;
	struct replay_opts o = {.no_jit = no_jit,
				.run_budget_us = HUP_TEST_RUN_BUDGET_US,
				.line = on_line};
	char live[64], got[64], err[256];
	size_t llen = 0, rlen = 0;
	struct replay *r = malloc(sizeof(*r));

	CHECK_EQ(backend__query(&be, id, args, live, sizeof(live), &llen, NULL),
		 0);
	CHECK_EQ(llen, 16);
	CHECK_EQ(replay__open(r, good, id, &o, err, sizeof(err)), 0);
	CHECK_EQ(r->rec->vcpu, 1);
	CHECK_EQ(r->rec->event_arg, 7);
	CHECK(!r->view_differs);
	lines = 0;
	CHECK_EQ(replay__query(r, args, got, sizeof(got), &rlen, &r0), 0);
	CHECK_EQ(r0, 3);
	CHECK_EQ(lines, 1); /* debug_print reaches the replay's callback */
	CHECK_EQ(rlen, llen);
	CHECK(!memcmp(got, live, llen));
	replay__close(r);
	free(r);
}

static uint64_t replay_free_pages(uint32_t id, bool no_jit)
{
	struct replay_opts o = {.no_jit = no_jit,
				.run_budget_us = HUP_TEST_RUN_BUDGET_US};
	struct backend_reclaim_report rep;
	struct replay *r = malloc(sizeof(*r));
	char err[256];
	uint64_t pages = UINT64_MAX;

	CHECK_EQ(replay__open(r, good, id, &o, err, sizeof(err)), 0);
	if (!replay__reclaim(r, &rep)) {
		pages = rep.pages;
		CHECK_EQ(rep.skipped, 0); /* a dry run decides every batch */
		CHECK_EQ(rep.batches, RAM / 4096 / HUP_RECLAIM_BATCH);
	}
	replay__close(r);
	free(r);
	return pages;
}

static void test_fake_replay_reclaim(uint32_t id, uint64_t expect)
{
	struct backend_reclaim_opts o = {.gap_ns = 1};
	struct backend_reclaim_report rep;
	uint64_t jit = replay_free_pages(id, false);
	uint64_t interp = replay_free_pages(id, true);

	CHECK_EQ(jit, expect);
	CHECK_EQ(interp, expect);
	/* the live reclaim, after the dump: what it discards is what the
	 * replays found free */
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.pages, expect);
}

/* ---- rejections: a mutated copy of the good snapshot each */
static uint8_t *good_data;
static size_t good_len;

static void load_good(void)
{
	int fd = open(good, O_RDONLY);
	struct stat st;

	CHECK(fd >= 0 && !fstat(fd, &st));
	good_len = (size_t)st.st_size;
	good_data = malloc(good_len);
	CHECK_EQ(pread(fd, good_data, good_len, 0), good_len);
	close(fd);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, data, len), len);
	close(fd);
}

/* A mutator edits the snapshot image in place: records at their offsets in
 * a malloc()ed copy, so as aligned as the file format keeps them. */
typedef void (*mutate_fn)(void *data, size_t *len);

static void expect_reject(const char *what, mutate_fn m, int err,
			  const char *fragment)
{
	uint8_t *data = malloc(good_len + 8192);
	size_t len = good_len;
	char path[300], msg[512] = "";
	struct snapshot s;
	int e;

	memcpy(data, good_data, good_len);
	memset(data + good_len, 0, 8192);
	m(data, &len);
	snprintf(path, sizeof(path), "%s/bad.snap", dir);
	write_file(path, data, len);
	e = snapshot__open(path, &s, msg, sizeof(msg));
	if (e != err || !strstr(msg, fragment))
		fprintf(stderr, "%s: got %d \"%s\", expected %d \"...%s...\"\n",
			what, e, msg, err, fragment);
	CHECK_EQ(e, err);
	CHECK(strstr(msg, fragment) != NULL);
	CHECK_EQ(s.fd, -1); /* nothing left open */
	unlink(path);
	free(data);
}

/* The format keeps every record 8-byte aligned (snapshot.h), which is
 * what lets the image be edited through its structs. */
_Static_assert(SNAPSHOT_PROGS_OFFSET % 8 == 0 &&
		   sizeof(struct snapshot_prog) % 8 == 0 &&
		   sizeof(struct snapshot_run) % 8 == 0 &&
		   _Alignof(struct snapshot_prog) <= 8 &&
		   _Alignof(struct snapshot_run) <= 8,
	       "snapshot records are 8-byte aligned");

/* The record off bytes into the image at d. */
static void *rec(void *d, uint64_t off) { return (uint8_t *)d + off; }

#define HDR(d) ((struct snapshot_header *)(d))
#define PROG0(d) ((struct snapshot_prog *)rec(d, SNAPSHOT_PROGS_OFFSET))
#define RUNS0(d)                                                             \
	((struct snapshot_run *)rec(PROG0(d) + 1, PROG0(d)->insn_cnt * 8ull))
#define PROG1(d)                                                             \
	((struct snapshot_prog *)(RUNS0(d) + PROG0(d)->nr_runs))

static void m_empty(void *d, size_t *l) { (void)d; *l = 0; }
static void m_short(void *d, size_t *l) { (void)d; *l = sizeof(struct snapshot_header) - 1; }
static void m_magic(void *d, size_t *l) { (void)l; *(uint8_t *)d = 'X'; }
static void m_v1(void *d, size_t *l) { (void)l; HDR(d)->version = 1; }
static void m_v3(void *d, size_t *l) { (void)l; HDR(d)->version = 3; }
static void m_trunc(void *d, size_t *l) { (void)d; *l -= 4096; }
static void m_trunc1(void *d, size_t *l) { (void)d; *l -= 1; }
static void m_trail(void *d, size_t *l) { (void)d; *l += 4096; }
static void m_vcpus0(void *d, size_t *l) { (void)l; HDR(d)->nr_vcpus = 0; }
static void m_vcpus(void *d, size_t *l) { (void)l; HDR(d)->nr_vcpus = 65; }
static void m_nprogs(void *d, size_t *l) { (void)l; HDR(d)->nr_progs = 65; }
static void m_progs_off(void *d, size_t *l) { (void)l; HDR(d)->progs_offset = 8192; }
static void m_progs_size(void *d, size_t *l) { (void)l; HDR(d)->progs_size = 1ull << 40; }
static void m_ram_off(void *d, size_t *l) { (void)l; HDR(d)->ram_offset += 4096; }
static void m_nregions0(void *d, size_t *l) { (void)l; HDR(d)->nr_regions = 0; }
static void m_nregions3(void *d, size_t *l) { (void)l; HDR(d)->nr_regions = 3; }
static void m_region_align(void *d, size_t *l) { (void)l; HDR(d)->regions[1].gpa += 1; }
static void m_region_off(void *d, size_t *l) { (void)l; HDR(d)->regions[1].file_offset += 4096; }
static void m_region_gpa0(void *d, size_t *l) { (void)l; HDR(d)->regions[0].gpa = 4096; }
static void m_region_below(void *d, size_t *l) { (void)l; HDR(d)->regions[1].gpa = 4096; }
static void m_ram_size(void *d, size_t *l) { (void)l; HDR(d)->ram_size += 4096; }
static void m_id0(void *d, size_t *l) { (void)l; PROG0(d)->id = 0; }
static void m_id_dup(void *d, size_t *l) { (void)l; PROG1(d)->id = PROG0(d)->id; }
static void m_vcpu(void *d, size_t *l) { (void)l; PROG0(d)->vcpu = NR_VCPUS; }
static void m_la57(void *d, size_t *l) { (void)l; PROG0(d)->la57 = 2; }
static void m_event(void *d, size_t *l) { (void)l; PROG0(d)->event = 0; }
static void m_event_arg(void *d, size_t *l) { (void)l; PROG1(d)->event_arg = 1; }
static void m_insn0(void *d, size_t *l) { (void)l; PROG0(d)->insn_cnt = 0; }
static void m_insn_big(void *d, size_t *l) { (void)l; PROG0(d)->insn_cnt = HUP_MAX_INSNS + 1; }
static void m_insn_past(void *d, size_t *l) { (void)l; PROG1(d)->insn_cnt += 100; }
static void m_window(void *d, size_t *l) { (void)l; PROG0(d)->windows[0].prot = 0; }
static void m_nwin(void *d, size_t *l) { (void)l; PROG0(d)->nr_windows = HUP_MAX_WINDOWS + 1; }
static void m_name(void *d, size_t *l) { (void)l; memset(PROG0(d)->name, 'a', HUP_NAME_LEN); }
static void m_slack(void *d, size_t *l) { (void)l; PROG1(d)->nr_runs -= 1; }
static void m_nr_runs(void *d, size_t *l) { (void)l; PROG0(d)->nr_runs = PVIEW_MAX_RUNS + 1; }
static void m_runs_past(void *d, size_t *l) { (void)l; PROG1(d)->nr_runs += 1; }
static void m_run_out(void *d, size_t *l) { (void)l; RUNS0(d)[0].gva += FG_4K; }
static void m_run_prot(void *d, size_t *l) { (void)l; RUNS0(d)[0].prot |= HUP_WIN_WRITE; }
static void m_run_ram(void *d, size_t *l) { (void)l; RUNS0(d)[0].gpa = 32 * MB; }
static void m_run_align(void *d, size_t *l) { (void)l; RUNS0(d)[0].gpa += 8; }
static void m_run_empty(void *d, size_t *l) { (void)l; RUNS0(d)[0].len = 0; }

static void test_fake_rejections(void)
{
	char msg[256];
	struct snapshot s;

	CHECK_EQ(snapshot__open("/nonexistent/x.snap", &s, msg, sizeof(msg)),
		 -ENOENT);
	CHECK_EQ(snapshot__open(dir, &s, msg, sizeof(msg)), -EINVAL);
	CHECK(strstr(msg, "not a regular file") != NULL);
	expect_reject("empty", m_empty, -EINVAL, "shorter than a snapshot");
	expect_reject("short", m_short, -EINVAL, "shorter than a snapshot");
	expect_reject("magic", m_magic, -EPROTO, "not a hupvm snapshot");
	expect_reject("v1", m_v1, -EPROTONOSUPPORT, "version 1 has no programs");
	expect_reject("v3", m_v3, -EPROTONOSUPPORT, "snapshot version 3");
	expect_reject("truncated", m_trunc, -EINVAL, "truncated");
	expect_reject("truncated1", m_trunc1, -EINVAL, "truncated");
	expect_reject("trailing", m_trail, -EINVAL, "trailing bytes");
	expect_reject("vcpus0", m_vcpus0, -EINVAL, "0 vCPUs");
	expect_reject("vcpus", m_vcpus, -EINVAL, "65 vCPUs");
	expect_reject("nprogs", m_nprogs, -EINVAL, "65 programs");
	expect_reject("progs_off", m_progs_off, -EINVAL, "program records at");
	expect_reject("progs_size", m_progs_size, -EINVAL, "bytes of program");
	expect_reject("ram_off", m_ram_off, -EINVAL, "RAM at file offset");
	expect_reject("nregions0", m_nregions0, -EINVAL, "0 RAM regions");
	expect_reject("nregions3", m_nregions3, -EINVAL, "3 RAM regions");
	expect_reject("region_align", m_region_align, -EINVAL, "page aligned");
	expect_reject("region_off", m_region_off, -EINVAL, "at file offset");
	expect_reject("region_gpa0", m_region_gpa0, -EINVAL, "guest layout");
	expect_reject("region_below", m_region_below, -EINVAL, "guest layout");
	expect_reject("ram_size", m_ram_size, -EINVAL, "add up to");
	expect_reject("id0", m_id0, -EINVAL, "has id 0");
	expect_reject("id_dup", m_id_dup, -EINVAL, "recorded twice");
	expect_reject("vcpu", m_vcpu, -EINVAL, "registered by vCPU 2 of 2");
	expect_reject("la57", m_la57, -EINVAL, "la57 is 2");
	expect_reject("event", m_event, -EINVAL, "bad event");
	expect_reject("event_arg", m_event_arg, -EINVAL, "bad event-arg");
	expect_reject("insn0", m_insn0, -EINVAL, "bad insn-cnt-zero");
	expect_reject("insn_big", m_insn_big, -EINVAL, "bad insn-cnt-big");
	expect_reject("insn_past", m_insn_past, -EINVAL, "run past");
	expect_reject("window", m_window, -EINVAL, "bad window");
	expect_reject("nr_windows", m_nwin, -EINVAL, "bad nr-windows");
	expect_reject("name", m_name, -EINVAL, "bad name");
	expect_reject("slack", m_slack, -EINVAL, "after the last program");
	expect_reject("nr_runs", m_nr_runs, -EINVAL, "runs (at most 16384)");
	expect_reject("runs_past", m_runs_past, -EINVAL, "2 runs run past");
	expect_reject("run_out", m_run_out, -EINVAL, "not in one of its windows");
	expect_reject("run_prot", m_run_prot, -EINVAL, "with its rights");
	expect_reject("run_ram", m_run_ram, -EINVAL, "and in RAM");
	expect_reject("run_align", m_run_align, -EINVAL, "run 0 (gva");
	expect_reject("run_empty", m_run_empty, -EINVAL, "run 0 (gva");
}

static void test_fake_unknown_id(uint32_t qid, uint32_t rid)
{
	struct replay_opts o = {.run_budget_us = HUP_TEST_RUN_BUDGET_US};
	struct replay *r = malloc(sizeof(*r));
	char err[256], want[64];

	CHECK_EQ(replay__open(r, good, 99, &o, err, sizeof(err)), -ENOENT);
	/* the records in registry order: the query registered first */
	snprintf(want, sizeof(want),
		 "no program 99 in the snapshot (it has: %u, %u)", qid, rid);
	CHECK(!strcmp(err, want));
	/* a bad --event-arg gets a guest's checks */
	o.event_arg_set = true;
	o.event_arg = 1;
	CHECK_EQ(replay__open(r, good, rid, &o, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "not valid for a reclaim program") != NULL);
	free(r);
}

/* A program the verifier refuses (the bytecode mutated in the file): the
 * replay says so with the log, as hupvm would have. */
static void test_fake_verifier_refuses(uint32_t id)
{
	uint8_t *data = malloc(good_len);
	struct replay_opts o = {.run_budget_us = HUP_TEST_RUN_BUDGET_US};
	struct replay *r = malloc(sizeof(*r));
	char path[300], err[256];
	struct snapshot_prog *p = PROG0(data);
	struct bpf_insn *in;

	memcpy(data, good_data, good_len);
	if (p->id != id)
		p = PROG1(data);
	in = (struct bpf_insn *)(p + 1);
	in[p->insn_cnt - 1] = MOV64_IMM(0, 0); /* no exit at the end */
	snprintf(path, sizeof(path), "%s/refused.snap", dir);
	write_file(path, data, good_len);
	CHECK_EQ(replay__open(r, path, id, &o, err, sizeof(err)) < 0, 1);
	CHECK(strstr(err, "refused (verifier)") != NULL);
	CHECK(r->log[0] != 0);
	unlink(path);
	free(data);
	free(r);
}

/* Free pfns: bitmap bytes from 128 on (pfns >= 1024: nothing below 4 MiB,
 * where the tables, the block and the bitmap are), a fixed pattern. */
static uint64_t fill_bitmap(void)
{
	uint8_t *bm = fg_hva(&g, BITMAP, FG_4K);
	uint64_t bits = 0;

	memset(bm, 0, FG_4K);
	for (unsigned int i = 128; i < 1024; i++) {
		bm[i] = (uint8_t)(i * 37 + 11);
		bits += (uint64_t)__builtin_popcount(bm[i]);
	}
	return 2 * bits; /* both regions read the same bytes */
}

int main(void)
{
	uint64_t expect, *q;
	uint32_t qid, rid;

	if (!mkdtemp(dir) || fg_init(&g, RAM, 32 * MB, HIGH, false) ||
	    backend__create(&be, &g.mem, NR_VCPUS, &ops, NULL, VIEW_BITS)) {
		fprintf(stderr, "cannot create the fake guest\n");
		return 1;
	}
	be.run_budget_us = HUP_TEST_RUN_BUDGET_US;
	/* all of RAM written (the live reclaim skips what the host never
	 * allocated), but the page tables */
	memset(g.mem.hva + FG_TABLES_END, 0xab, 32 * MB - FG_TABLES_END);
	memset(g.mem.regions[1].hva, 0xab, 32 * MB);
	expect = fill_bitmap();
	q = fg_hva(&g, QDATA, 16);
	q[0] = 0x1122334455667788ull;
	q[1] = 0x0102030405060708ull;
	fg_map(&g, BM_GVA, BITMAP, FG_4K, 0);
	fg_map(&g, Q_GVA, QDATA, FG_4K, 0);
	qid = do_register(HUP_EVENT_QUERY, p_query, ARRAY_LEN(p_query), Q_GVA,
			  "replay-query");
	rid = do_register(HUP_EVENT_RECLAIM, p_reclaim, ARRAY_LEN(p_reclaim),
			  BM_GVA, "replay-reclaim");
	/* The guest's page tables change after the registrations (the
	 * registering process exits): windows are what registration saw,
	 * live and replayed alike. */
	fg_unmap(&g, BM_GVA);
	fg_unmap(&g, Q_GVA);
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		pthread_mutex_init(&vcpus[i].pause_lock, NULL);
		vcpus[i].started = vcpus[i].paused = true;
	}
	vm.mem = g.mem;
	vm.hup = &be;
	vm.vcpus = vcpus;
	vm.nr_vcpus = NR_VCPUS;
	test_fake_dump_command();
	load_good();
	test_fake_replay_query(qid, false);
	test_fake_replay_query(qid, true);
	test_fake_rejections();
	test_fake_unknown_id(qid, rid);
	test_fake_verifier_refuses(rid);
	test_fake_replay_reclaim(rid, expect); /* last: it discards */
	unlink(good);
	rmdir(dir);
	backend__destroy(&be);
	mem__destroy(&g.mem);
	return check_summary("replay_fake");
}
