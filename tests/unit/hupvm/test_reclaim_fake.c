// SPDX-License-Identifier: BSD-2-Clause
/*
 * Chunked reclaim (hyperupcall/reclaim.c, vmreclaim.c, autoreclaim.c)
 * against a fake guest (memfd RAM) and a fake clock: no stop exceeds the
 * stop budget and every page is covered exactly once, --max-bytes stops
 * early, the bytes-returned figure matches the memfd, a program
 * unregistered midway or refusing ends the walk with the partial counts,
 * the auto-reclaim trigger follows a fake meminfo, and the control
 * command rejects bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "autoreclaim.h"
#include "check.h"
#include "hup_test_budget.h"
#include "control.h"
#include "ctlexec.h"
#include "fakeguest.h"
#include "hyperupcall/backend.h"
#include "vm.h"
#include "vmreclaim.h"

#define MB	  (1ull << 20)
#define HIGH	  (4ull << 30) /* RAM [0, 32M) and [4G, 4G + 32M) */
#define RAM	  (64 * MB)
#define PAGES	  (RAM / 4096)
#define BLOCK	  0x10000ull
#define INSNS	  0x20000ull
#define LOG	  0x30000ull
#define VIEW_BITS 36
#define MS	  1000000ull

static struct fake_guest g;
static struct backend be;

static int f_paging(void *opaque, uint32_t cpu, struct ptw_root *root)
{
	(void)opaque;
	(void)cpu;
	*root = g.root;
	return 0;
}

static uint64_t f_tsc(void *opaque, uint32_t cpu)
{
	(void)opaque;
	return cpu;
}

static const struct backend_ops ops = {
    .paging = f_paging, .guest_tsc = f_tsc};

/* Every page of the batch is free. */
static const struct bpf_insn p_all[] = {
    MOV64_IMM(2, -1),
    STX(BPF_DW, 1, 2, 16),
    STX(BPF_DW, 1, 2, 24),
    STX(BPF_DW, 1, 2, 32),
    STX(BPF_DW, 1, 2, 40),
    STX(BPF_DW, 1, 2, 48),
    STX(BPF_DW, 1, 2, 56),
    STX(BPF_DW, 1, 2, 64),
    STX(BPF_DW, 1, 2, 72),
    MOV64_IMM(0, 0),
    EXIT(),
};
/* Marks pages free, then refuses: nothing may be discarded. */
static const struct bpf_insn p_refuse[] = {
    MOV64_IMM(2, -1),
    STX(BPF_DW, 1, 2, 16),
    MOV64_IMM(0, -EIO),
    EXIT(),
};

/* The request block and bytecode live in guest RAM, which the tests
 * discard: everything is rewritten before each submit. */
static int submit_req(struct hup_request *r, const struct bpf_insn *insns,
		      uint32_t cnt)
{
	struct hup_request *blk = fg_hva(&g, BLOCK, sizeof(*blk));
	int err;

	if (cnt)
		memcpy(fg_hva(&g, INSNS, cnt * 8ull), insns, cnt * 8ull);
	memcpy(blk, r, sizeof(*r));
	err = backend__submit(&be, 0, BLOCK);
	memcpy(r, blk, sizeof(*r));
	return err;
}

static uint32_t do_register(const struct bpf_insn *insns, uint32_t cnt)
{
	struct hup_request r;

	memset(&r, 0, sizeof(r));
	r.magic = HUP_REQ_MAGIC;
	r.abi_version = HUP_ABI_VERSION;
	r.op = HUP_OP_REGISTER;
	r.event = HUP_EVENT_RECLAIM;
	r.insn_cnt = cnt;
	r.insns_gpa = INSNS;
	r.log_gpa = LOG;
	r.log_size = 4096;
	strcpy(r.name, "reclaim");
	CHECK_EQ(submit_req(&r, insns, cnt), 0);
	return r.prog_id;
}

static int do_unregister(uint32_t id)
{
	struct hup_request r;

	memset(&r, 0, sizeof(r));
	r.magic = HUP_REQ_MAGIC;
	r.abi_version = HUP_ABI_VERSION;
	r.op = HUP_OP_UNREGISTER;
	r.prog_id = id;
	return submit_req(&r, NULL, 0);
}

/* Guest RAM all written (allocated in the memfd), pattern 0xab. */
static void fill_ram(void)
{
	memset(g.mem.hva, 0xab, RAM);
}

static uint64_t ram_nonzero_pages(void)
{
	const uint8_t *p = g.mem.hva;
	uint64_t n = 0;

	for (uint64_t i = 0; i < PAGES; i++)
		for (uint64_t k = 0; k < 4096; k += 512)
			if (p[i * 4096 + k]) {
				n++;
				break;
			}
	return n;
}

/* ---- a fake clock: every reading is one run budget later (TICK), so
 * each phase (park, run, discard, resume: one reading each) looks as slow
 * as a batch's worst case, and a chunk's batches must be cut by the stop
 * budget, STOP: ten of them.  The run budget is the generous one of the
 * tests (hup_test_budget.h): the batches run for real, and a real budget
 * of 1 ms aborted them when the loaded test machine preempted one. */
#define TICK (HUP_TEST_RUN_BUDGET_US * 1000ull)
#define STOP (10 * TICK)
static uint64_t fake_now;

static uint64_t fake_clock(void *opaque)
{
	(void)opaque;
	return fake_now += TICK;
}

/* park/unpark: balanced, never nested; on park number unreg_at, the
 * program is unregistered as a guest would between two chunks */
static struct {
	unsigned int parks, unparks, unreg_at;
	uint32_t unreg_id;
	bool parked;
	bool nested;
} pk;

static int f_park(void *opaque)
{
	(void)opaque;
	pk.parks++;
	if (pk.parks == pk.unreg_at)
		CHECK_EQ(do_unregister(pk.unreg_id), 0);
	if (pk.parked)
		pk.nested = true;
	pk.parked = true;
	return 0;
}

static void f_unpark(void *opaque)
{
	(void)opaque;
	pk.unparks++;
	pk.parked = false;
}

static struct backend_reclaim_opts fake_opts(uint64_t stop_ns)
{
	struct backend_reclaim_opts o = {0};

	memset(&pk, 0, sizeof(pk));
	o.stop_budget_ns = stop_ns;
	o.gap_ns = 1;
	o.park = f_park;
	o.unpark = f_unpark;
	o.clock = fake_clock;
	return o;
}

static void test_fake_chunks_within_budget(uint32_t id)
{
	struct backend_reclaim_opts o = fake_opts(STOP);
	struct backend_reclaim_report rep;
	uint64_t d0 = atomic_load(&be.st.pages_discarded);

	fill_ram();
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	/* all of RAM, each page once: a page discarded twice would count
	 * twice, a page missed would still hold the pattern */
	CHECK_EQ(rep.pages, PAGES);
	CHECK_EQ(atomic_load(&be.st.pages_discarded) - d0, PAGES);
	CHECK_EQ(ram_nonzero_pages(), 0);
	CHECK_EQ(rep.batches, PAGES / HUP_RECLAIM_BATCH);
	/* several chunks of several batches, none longer than the budget */
	CHECK(rep.chunks > 1);
	CHECK(rep.chunks < rep.batches);
	CHECK(rep.max_stop_ns > 0);
	CHECK(rep.max_stop_ns <= STOP);
	CHECK_EQ(pk.parks, rep.chunks);
	CHECK_EQ(pk.unparks, rep.chunks);
	CHECK(!pk.nested && !pk.parked);
	/* every phase timed; the sum fits in the total */
	CHECK(rep.park_ns && rep.scan_ns && rep.discard_ns && rep.resume_ns);
	CHECK(rep.park_ns + rep.scan_ns + rep.discard_ns + rep.resume_ns <=
	      rep.total_ns);
	CHECK_EQ(rep.next_pfn, (HIGH + 32 * MB) / 4096);
	/* the memfd gave all of it back */
	CHECK_EQ(rep.bytes_before, RAM);
	CHECK_EQ(rep.bytes_after, 0);
}

/* A stop budget smaller than one batch's worst case still progresses,
 * one batch per chunk. */
static void test_fake_tiny_budget(uint32_t id)
{
	struct backend_reclaim_opts o = fake_opts(1);
	struct backend_reclaim_report rep;

	fill_ram();
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.pages, PAGES);
	CHECK_EQ(rep.chunks, rep.batches);
	CHECK_EQ(ram_nonzero_pages(), 0);
}

/* The real clock and the default budget: one stop suffices here. */
static void test_fake_real_clock(uint32_t id)
{
	struct backend_reclaim_opts o = {.gap_ns = 1};
	struct backend_reclaim_report rep;
	uint64_t runs0 = atomic_load(&be.st.reclaims);
	uint64_t ret0 = atomic_load(&be.st.reclaim_bytes_returned);

	fill_ram();
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.pages, PAGES);
	CHECK(rep.chunks >= 1);
	CHECK_EQ(rep.bytes_before - rep.bytes_after, RAM);
	CHECK_EQ(atomic_load(&be.st.reclaims), runs0 + 1);
	CHECK_EQ(atomic_load(&be.st.reclaim_bytes_returned), ret0 + RAM);
	CHECK(atomic_load(&be.st.reclaim_max_stop_ns) >= rep.max_stop_ns);
}

/* Batches the host holds no memory of (holes in the memfd: never touched
 * or discarded already) are skipped without running the program; the
 * others still run, wherever their one allocated page lies. */
static void test_fake_skips_holes(uint32_t id)
{
	struct backend_reclaim_opts o = {.gap_ns = 1};
	struct backend_reclaim_report rep;
	uint8_t *ram = g.mem.hva;
	uint64_t total = PAGES / HUP_RECLAIM_BATCH;

	fill_ram();
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.bytes_after, 0);
	/* one page in the middle of batch 1, the last page of RAM */
	ram[(HUP_RECLAIM_BATCH + 100) * 4096ull] = 1;
	ram[RAM - 1] = 1;
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.batches, 2);
	CHECK_EQ(rep.skipped, total - 2);
	CHECK_EQ(rep.pages, 2 * HUP_RECLAIM_BATCH);
	CHECK_EQ(rep.bytes_before - rep.bytes_after, 2 * 4096);
	CHECK_EQ(rep.bytes_after, 0);
	CHECK_EQ(rep.next_pfn, (HIGH + 32 * MB) / 4096);
	/* nothing held: nothing run, the walk still covers all of RAM */
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.batches, 0);
	CHECK_EQ(rep.skipped, total);
	CHECK_EQ(rep.next_pfn, (HIGH + 32 * MB) / 4096);
	/* (last: reading a hole of a memfd allocates it) */
	CHECK_EQ(ram_nonzero_pages(), 0);
}

/* A dry run runs the program over all of RAM and counts what it
 * answers, but the guest's memory and the host's stay as they were. */
static void test_fake_dry_run(uint32_t id)
{
	struct backend_reclaim_opts o = fake_opts(STOP);
	struct backend_reclaim_report rep;
	uint64_t d0 = atomic_load(&be.st.pages_discarded);
	uint64_t runs0 = atomic_load(&be.st.reclaims);

	fill_ram();
	o.dry_run = true;
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.pages, PAGES);
	CHECK_EQ(rep.batches, PAGES / HUP_RECLAIM_BATCH);
	CHECK(rep.chunks > 1);
	CHECK_EQ(rep.bytes_before, RAM);
	CHECK_EQ(rep.bytes_after, RAM);
	CHECK_EQ(ram_nonzero_pages(), PAGES);
	CHECK_EQ(atomic_load(&be.st.pages_discarded), d0);
	CHECK_EQ(atomic_load(&be.st.reclaims), runs0);
	/* with --max-bytes: stops counting there too */
	o = fake_opts(STOP);
	o.dry_run = true;
	o.max_bytes = MB;
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.pages, 256);
	CHECK_EQ(ram_nonzero_pages(), PAGES);
}

/* --audit: a dry run that finds every page answered free still holding
 * the free-page poison, counts the ones the host holds no memory of
 * without allocating them, and names the first page holding anything
 * else (the program answering a page in use). */
/* One audit walk over the fake guest's RAM with this fill. */
static void audit_walk(uint32_t id, uint8_t fill,
		       struct backend_reclaim_report *rep)
{
	struct backend_reclaim_opts o = fake_opts(STOP);

	o.audit = true;
	o.audit_byte = fill;
	CHECK_EQ(backend__reclaim(&be, id, &o, rep), 0);
	CHECK_EQ(rep->pages, PAGES);
}

static void test_fake_audit(uint32_t id)
{
	struct backend_reclaim_report rep;
	uint8_t *ram = g.mem.hva;
	uint64_t d0 = atomic_load(&be.st.pages_discarded);
	uint64_t bad = 5000 * 4096ull + 100; /* pfn 5000, offset 100 */

	memset(ram, BACKEND_PAGE_POISON, RAM);
	audit_walk(id, BACKEND_PAGE_POISON, &rep);
	CHECK_EQ(rep.audit_bad, 0);
	CHECK_EQ(rep.audit_holes, 0);
	/* nothing discarded, nothing counted as a reclaim */
	CHECK_EQ(rep.bytes_after, RAM);
	CHECK_EQ(atomic_load(&be.st.pages_discarded), d0);

	ram[bad] = 0x01;
	ram[RAM - 1] = 0x00; /* the last page of the high region */
	/* 3 pages the host does not hold: never written */
	CHECK_EQ(fallocate(g.mem.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			   7000 * 4096, 3 * 4096), 0);
	audit_walk(id, BACKEND_PAGE_POISON, &rep);
	CHECK_EQ(rep.audit_bad, 2);
	CHECK_EQ(rep.audit_holes, 3);
	CHECK_EQ(rep.audit_first_pfn, 5000);
	CHECK_EQ(rep.audit_first_off, 96);
	CHECK_EQ(rep.audit_first_word, 0xaaaaaa01aaaaaaaaull);
	/* the holes stayed holes */
	CHECK_EQ(rep.bytes_after, RAM - 3 * 4096);
	CHECK_EQ(rep.bytes_before, rep.bytes_after);
	/* init_on_free's fill: zeros; one byte set is a page in use, named
	 * by its guest pfn */
	memset(ram, 0, RAM);
	ram[9000 * 4096ull + 4095] = 0x80;
	audit_walk(id, 0, &rep);
	CHECK_EQ(rep.audit_bad, 1);
	/* memfd page 9000 is the high region's page 808 */
	CHECK_EQ(rep.audit_first_pfn, HIGH / 4096 + 808);
	CHECK_EQ(rep.audit_first_off, 4088);
}

static void test_fake_max_bytes(uint32_t id)
{
	struct backend_reclaim_opts o = fake_opts(STOP);
	struct backend_reclaim_report rep;

	fill_ram();
	o.max_bytes = MB + 100; /* rounded down to whole pages */
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.pages, 256);
	CHECK_EQ(rep.bytes_before - rep.bytes_after, MB);
	CHECK_EQ(ram_nonzero_pages(), PAGES - 256);
	CHECK_EQ(rep.batches, 1);
	CHECK_EQ(rep.next_pfn, HUP_RECLAIM_BATCH);

	o = fake_opts(STOP);
	o.max_bytes = 3 * MB; /* across batches and chunks */
	fill_ram();
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.pages, 768);
	CHECK_EQ(rep.batches, 2);
	CHECK_EQ(ram_nonzero_pages(), PAGES - 768);

	o.max_bytes = 4095;
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), -EINVAL);
	CHECK_EQ(rep.pages, 0);
}

static void test_fake_unregistered_midway(void)
{
	struct backend_reclaim_opts o = fake_opts(STOP);
	struct backend_reclaim_report rep;
	uint32_t id;

	fill_ram();
	id = do_register(p_all, ARRAY_LEN(p_all));
	o = fake_opts(STOP);
	pk.unreg_at = 2;
	pk.unreg_id = id;
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), -ENOENT);
	CHECK(!rep.refused);
	CHECK_EQ(rep.chunks, 2);
	CHECK(rep.pages > 0 && rep.pages < PAGES);
	CHECK_EQ(rep.pages, rep.batches * HUP_RECLAIM_BATCH);
	/* + 1: the unregistration's request block, written by the "guest"
	 * after the first chunk discarded its page */
	CHECK_EQ(ram_nonzero_pages(), PAGES - rep.pages + 1);
	CHECK(!pk.parked);
	/* and an id nobody has: -ENOENT before any batch */
	o = fake_opts(STOP);
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), -ENOENT);
	CHECK_EQ(rep.batches, 0);
	CHECK_EQ(rep.chunks, 1);
}

static char *exec(const char *line);

static void test_fake_refusal(void)
{
	struct backend_reclaim_opts o = fake_opts(STOP);
	struct backend_reclaim_report rep;
	uint32_t id;

	fill_ram();
	id = do_register(p_refuse, ARRAY_LEN(p_refuse));
	o = fake_opts(STOP);
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), -EIO);
	CHECK(rep.refused);
	CHECK_EQ(rep.batches, 1);
	CHECK_EQ(rep.pages, 0);
	CHECK_EQ(ram_nonzero_pages(), PAGES); /* nothing of that batch */
	CHECK_EQ(pk.parks, 1);
	CHECK_EQ(pk.unparks, 1);
	/* and through the control command: the errno and partial counts */
	{
		char line[64], *r;

		snprintf(line, sizeof(line), "reclaim %u", id);
		r = exec(line);
		CHECK(strstr(r, "ERR EIO program ") != NULL);
		CHECK(strstr(r, " refused: Input/output error (after 0 pages, "
				"1 chunks,") != NULL);
	}
	CHECK_EQ(do_unregister(id), 0);
}

/* ---- the control command and the auto-reclaim thread's check, on a VM
 * without vCPUs */
static struct vm vm;

static char *exec(const char *line)
{
	return ctl_exec(&vm, line);
}

static void test_fake_control(uint32_t id)
{
	char line[128];
	uint64_t v;
	char *r;

	CHECK_EQ(control__parse_bytes("4096", &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(control__parse_bytes("64K", &v), 0);
	CHECK_EQ(v, 64 << 10);
	CHECK_EQ(control__parse_bytes("2M", &v), 0);
	CHECK_EQ(v, 2 * MB);
	CHECK_EQ(control__parse_bytes("1g", &v), 0);
	CHECK_EQ(v, 1ull << 30);
	CHECK_EQ(control__parse_bytes("", &v), -EINVAL);
	CHECK_EQ(control__parse_bytes("-1", &v), -EINVAL);
	CHECK_EQ(control__parse_bytes("1X", &v), -EINVAL);
	CHECK_EQ(control__parse_bytes("1MB", &v), -EINVAL);
	CHECK_EQ(control__parse_bytes("99999999999999999999", &v), -ERANGE);
	CHECK_EQ(control__parse_bytes("99999999999G", &v), -ERANGE);

	static const struct {
		const char *args, *msg;
	} bad[] = {
	    {"--max-bytes 0", "less than one page"},
	    {"--max-bytes 100", "less than one page"},
	    {"--max-bytes lots", "not a size"},
	    {"--max-bytes 5T", "not a size"},
	    {"--max-bytes -4096", "not a size"},
	    {"--max-bytes 99999999999999999999", "too large"},
	    {"--max-bytes 99999999999G", "too large"},
	    {"--max 4096", "unknown option"},
	    {"--max-bytes", "usage"},
	    {"--max-bytes 4096 x", "usage"},
	    {"--dry-run --max-bytes", "usage"},
	    {"--dry-run --dry-run", "given twice"},
	    {"--max-bytes 4096 --max-bytes 8192", "given twice"},
	    {"--dry-run 4096", "usage"},
	    {"--dryrun", "unknown option"},
	    {"--every-batch", "is for --dry-run"},
	    {"--dry-run --every-batch --every-batch", "given twice"},
	    {"--audit page_poison --audit page_poison", "given twice"},
	    {"--audit page_poison --dry-run", "a dry run already"},
	    {"--dry-run --audit init_on_free", "a dry run already"},
	    {"--audit", "usage"},
	    {"--audit 0xaa", "the guest's fill is page_poison"},
	    {"--audit --max-bytes 4096", "the guest's fill is page_poison"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(line, sizeof(line), "reclaim %u %s", id, bad[i].args);
		r = exec(line);
		CHECK(!strncmp(r, "ERR EINVAL ", 11));
		CHECK(strstr(r, bad[i].msg) != NULL);
		if (!strstr(r, bad[i].msg))
			fprintf(stderr, "  '%s' -> %s", line, r);
	}
	r = exec("reclaim 999999");
	CHECK(!strncmp(r, "ERR ENOENT no program 999999", 28));

	/* RAM the host holds nothing for (all of it, once discarded): a dry
	 * run skips it, unless it decides every batch */
	snprintf(line, sizeof(line), "reclaim %u", id);
	exec(line);
	snprintf(line, sizeof(line), "json reclaim %u --dry-run", id);
	r = exec(line);
	CHECK(strstr(r, "\"pages_free\":0,") != NULL);
	CHECK(strstr(r, "\"batches_skipped\":0,") == NULL);
	snprintf(line, sizeof(line), "json reclaim %u --dry-run --every-batch",
		 id);
	r = exec(line);
	CHECK(strstr(r, "\"pages_free\":16384,") != NULL);
	CHECK(strstr(r, "\"batches_skipped\":0,") != NULL);

	fill_ram();
	snprintf(line, sizeof(line), "json reclaim %u --max-bytes 8K", id);
	r = exec(line);
	CHECK(strstr(r, "\"pages_discarded\":2,") != NULL);
	CHECK(strstr(r, "\"bytes_returned\":8192,") != NULL);
	CHECK(strstr(r, "\"max_stop_ns\":") != NULL);
	CHECK(strstr(r, "\nOK\n") != NULL);
	fill_ram();
	snprintf(line, sizeof(line), "reclaim %u --max-bytes 1M", id);
	r = exec(line);
	CHECK(strstr(r, "discarded 256 pages (1024 KiB), 1048576 bytes "
			"returned to the host\n") != NULL);
	CHECK(strstr(r, "longest_stop=") != NULL);
	fill_ram();
	snprintf(line, sizeof(line), "reclaim %u --dry-run --max-bytes 1M", id);
	r = exec(line);
	CHECK(strstr(r, "dry run: 256 free pages (1024 KiB) found, nothing "
			"discarded\n") != NULL);
	CHECK(strstr(r, "pages_free=256 bytes_returned=0 ") != NULL);
	snprintf(line, sizeof(line), "json reclaim %u --max-bytes 8K --dry-run",
		 id);
	r = exec(line);
	CHECK(strstr(r, "\"dry_run\":true,\"pages_free\":2,") != NULL);
	CHECK(strstr(r, "\"bytes_returned\":0,") != NULL);
	CHECK_EQ(ram_nonzero_pages(), PAGES);
	/* --audit over RAM holding 0xab, not the poison: every page bad */
	snprintf(line, sizeof(line),
		 "json reclaim %u --audit page_poison --max-bytes 8K", id);
	r = exec(line);
	CHECK(strstr(r, "\"dry_run\":true,\"pages_free\":2,") != NULL);
	CHECK(strstr(r, ",\"audit\":{\"fill\":170,\"pages_checked\":2,"
			"\"pages_not_held\":0,\"pages_bad\":2,"
			"\"first_bad_pfn\":0,\"first_bad_offset\":0,") != NULL);
	CHECK(strstr(r, "}}\nOK\n") != NULL);
	snprintf(line, sizeof(line), "reclaim %u --audit init_on_free "
		 "--max-bytes 8K", id);
	r = exec(line);
	CHECK(strstr(r, "audit: 2 of the pages answered free hold data") !=
	      NULL);
	CHECK_EQ(ram_nonzero_pages(), PAGES);
	r = exec("stats");
	CHECK(strstr(r, "reclaim runs=") != NULL);
	CHECK(strstr(r, "auto_rounds=") != NULL);
}

/* ---- the control socket stays responsive during a reclaim */
static char sock_path[108];

/* One request over the socket: the whole answer (malloc'd), or NULL. */
static char *ask(const char *line)
{
	struct timeval tv = {10, 0};
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t len = 0, cap = 65536;
	char *buf = calloc(1, cap);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	memcpy(a.sun_path, sock_path, strlen(sock_path));
	if (!buf || fd < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0)
		len = 0;
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	return buf;
}

static _Atomic(char *) reclaim_answer;
static char reclaim_line[64];

static void *reclaimer(void *arg)
{
	(void)arg;
	atomic_store(&reclaim_answer, ask(reclaim_line));
	return NULL;
}

static void test_fake_control_responsive(uint32_t id)
{
	struct control c;
	pthread_t t;
	char *r;
	int i;

	snprintf(sock_path, sizeof(sock_path), "/tmp/hupvm-ctl-%d",
		 (int)getpid());
	unlink(sock_path);
	CHECK_EQ(control__start(&c, &vm, sock_path), 0);
	snprintf(reclaim_line, sizeof(reclaim_line), "reclaim %u\n", id);
	/* The park lock held here keeps the reclaim in its first park, as
	 * a long reclaim would be. */
	vm__park_lock();
	CHECK_EQ(pthread_create(&t, NULL, reclaimer, NULL), 0);
	for (i = 0; i < 5000 && !vm__reclaim_running(); i++)
		usleep(1000);
	CHECK(vm__reclaim_running());
	r = ask("list\n");
	CHECK(r && strstr(r, "prog ") && strstr(r, "\nOK\n"));
	free(r);
	r = ask("json stats\n");
	CHECK(r && strstr(r, "\"reclaim\":{\"runs\":"));
	free(r);
	r = ask(reclaim_line);
	CHECK(r && !strncmp(r, "ERR EBUSY a reclaim is already running", 38));
	free(r);
	CHECK(atomic_load(&reclaim_answer) == NULL); /* still parked */
	vm__park_unlock();
	pthread_join(t, NULL);
	r = atomic_load(&reclaim_answer);
	CHECK(r && strstr(r, "discarded ") && strstr(r, "\nOK\n"));
	free(r);
	control__stop(&c);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_fake_meminfo_auto_reclaim(void)
{
	char path[] = "/tmp/hupvm-meminfo-XXXXXX";
	struct autoreclaim a;
	uint64_t kib = 0, rounds0, d0;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	write_file(path, "MemTotal:       16000000 kB\n"
			 "MemFree:          100000 kB\n"
			 "MemAvailable:      20480 kB\n");
	CHECK_EQ(autoreclaim__mem_available(path, &kib), 0);
	CHECK_EQ(kib, 20480);
	CHECK_EQ(setenv(AUTORECLAIM_MEMINFO_ENV, path, 1), 0);

	memset(&a, 0, sizeof(a));
	a.vm = &vm;
	a.threshold_kib = 64 << 10; /* 64 MiB: above the fake 20 MiB */
	a.max_bytes = MB;
	a.interval_ns = 10ull * 1000 * MS;
	rounds0 = atomic_load(&be.st.auto_reclaim_rounds);
	d0 = atomic_load(&be.st.pages_discarded);
	fill_ram();
	CHECK_EQ(autoreclaim__check(&a, 100ull * 1000 * MS), 1);
	CHECK_EQ(atomic_load(&be.st.auto_reclaim_rounds), rounds0 + 1);
	CHECK_EQ(atomic_load(&be.st.pages_discarded) - d0, 256);
	/* at most once per interval */
	CHECK_EQ(autoreclaim__check(&a, 105ull * 1000 * MS), 0);
	CHECK_EQ(atomic_load(&be.st.auto_reclaim_rounds), rounds0 + 1);
	CHECK_EQ(autoreclaim__check(&a, 111ull * 1000 * MS), 1);
	CHECK_EQ(atomic_load(&be.st.auto_reclaim_rounds), rounds0 + 2);
	/* plenty available: no round */
	write_file(path, "MemAvailable:   9000000 kB\n");
	CHECK_EQ(autoreclaim__check(&a, 200ull * 1000 * MS), 0);
	CHECK_EQ(atomic_load(&be.st.auto_reclaim_rounds), rounds0 + 2);
	/* a meminfo without the field, and none at all */
	write_file(path, "MemTotal: 1 kB\n");
	CHECK_EQ(autoreclaim__check(&a, 300ull * 1000 * MS), -ENOENT);
	unlink(path);
	CHECK_EQ(autoreclaim__check(&a, 400ull * 1000 * MS), -ENOENT);
	unsetenv(AUTORECLAIM_MEMINFO_ENV);
}

/* Short of memory but no reclaim program registered: no round. */
static void test_fake_auto_reclaim_nothing_to_run(void)
{
	char path[] = "/tmp/hupvm-meminfo-XXXXXX";
	struct autoreclaim a;
	uint32_t ids[4];
	uint64_t rounds0 = atomic_load(&be.st.auto_reclaim_rounds);
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	write_file(path, "MemAvailable: 1 kB\n");
	CHECK_EQ(setenv(AUTORECLAIM_MEMINFO_ENV, path, 1), 0);
	CHECK_EQ(backend__reclaim_progs(&be, ids, 4), 0);
	memset(&a, 0, sizeof(a));
	a.vm = &vm;
	a.threshold_kib = 1024;
	a.interval_ns = 1;
	CHECK_EQ(autoreclaim__check(&a, 1000), 0);
	CHECK_EQ(atomic_load(&be.st.auto_reclaim_rounds), rounds0);
	unsetenv(AUTORECLAIM_MEMINFO_ENV);
	unlink(path);
}

int main(void)
{
	uint32_t id;

	if (fg_init(&g, RAM, 32 * MB, HIGH, false)) {
		fprintf(stderr, "cannot create the fake guest\n");
		return 1;
	}
	if (backend__create(&be, &g.mem, 1, &ops, NULL, VIEW_BITS)) {
		fprintf(stderr, "cannot create the backend\n");
		return 1;
	}
	/* the worst case of one batch the chunks plan with: TICK */
	be.run_budget_us = HUP_TEST_RUN_BUDGET_US;
	vm.hup = &be;
	vm.nr_vcpus = 0;
	id = do_register(p_all, ARRAY_LEN(p_all));
	test_fake_chunks_within_budget(id);
	test_fake_tiny_budget(id);
	test_fake_real_clock(id);
	test_fake_max_bytes(id);
	test_fake_dry_run(id);
	test_fake_audit(id);
	test_fake_skips_holes(id);
	test_fake_control(id);
	test_fake_meminfo_auto_reclaim();
	test_fake_control_responsive(id);
	CHECK_EQ(do_unregister(id), 0);
	test_fake_unregistered_midway();
	test_fake_refusal();
	test_fake_auto_reclaim_nothing_to_run();
	backend__destroy(&be);
	mem__destroy(&g.mem);
	return check_summary("reclaim_fake");
}
