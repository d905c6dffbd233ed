// SPDX-License-Identifier: BSD-2-Clause
/*
 * doorbell-probe: runs as root inside the L2 guest (static, no module) and
 * drives hupvm's hyperupcall doorbell from userspace, for the e2e test.
 *
 *   - finds the doorbell port through the CPUID discovery leaves;
 *   - takes guest-physical addresses of its own mlock'd pages from
 *     /proc/self/pagemap (the request block, bytecode, log, counter);
 *   - measures the exits per second of a loop of outb to an unclaimed
 *     port, without and then with a trace program attached;
 *   - registers a hand-assembled trace program whose window is its own
 *     counter page (a user GVA, resolved through the CR3 current at the
 *     outl) and checks the counter grows with every exit;
 *   - sends hostile requests and checks each -errno, also while another
 *     thread rewrites the block during processing;
 *   - with msr.ko: an MSR-write program vets IA32_TSC_AUX writes (0xdead
 *     is denied with #GP, other values are performed);
 *   - a vcpu_resume program asks for a TLB flush;
 *   - then prints "HUP-PROBE: ready", waits for a line on stdin (the L1
 *     script uses hupctl meanwhile: list, stats, pause/resume), checks the
 *     pause/resume trace events arrived, unregisters and exits.
 * Every result line starts with "HUP-PROBE: "; failures with "FAIL".
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <time.h>
#include <unistd.h>

#include <hyperupcall/abi.h>

#define PAGE 4096u
#define BENCH_PORT 0x2f0 /* nobody claims it: every outb is one exit */
#define MSR_TSC_AUX 0xc0000103u
#define DENIED_VALUE 0xdead

static int failures;
static uint16_t port;
static uint8_t *pages; /* 0 block, 1 insns, 2 log, 3 counter, 4 block2 */
static uint64_t gpa[5];

#define SAY(...) (printf("HUP-PROBE: " __VA_ARGS__), fflush(stdout))
#define FAIL(...)                                                            \
	do {                                                                 \
		failures++;                                                  \
		SAY("FAIL " __VA_ARGS__);                                    \
	} while (0)

/* ---- BPF assembly */
#define I(c, d, s, o, i)                                                     \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s),      \
			   .off = (o), .imm = (i)})
#define LD64(d, s, v)                                                        \
	I(BPF_LD | BPF_IMM | BPF_DW, d, s, 0, (int32_t)(uint32_t)(v)),       \
	    I(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))

/* Page i of the mmap'd, hence page-aligned, pages: as void *, so each
 * user picks its type without a uint8_t * cast tripping -Wcast-align. */
static void *page(unsigned int i)
{
	return pages + i * PAGE;
}

static struct hup_request *block(void)
{
	return page(0);
}

/* volatile: glibc's outb has no memory clobber, and the host writes the
 * counter behind the compiler's back */
static volatile uint64_t *counter(void)
{
	return page(3);
}

/* A port access that faults (#GP) arrives as SIGSEGV: say where. */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	const ucontext_t *u = uc;
	char buf[160];
	int n = snprintf(buf, sizeof(buf),
			 "HUP-PROBE: FAIL signal %d code %d addr %p rip %#llx\n",
			 sig, si->si_code, si->si_addr,
			 (unsigned long long)u->uc_mcontext.gregs[REG_RIP]);

	if (n > 0)
		(void)!write(1, buf, (size_t)n);
	_exit(3);
}

static int find_port(void)
{
	unsigned int a, b, c, d;

	__cpuid(HUP_CPUID_BASE, a, b, c, d);
	if (b != HUP_CPUID_SIG_EBX || c != HUP_CPUID_SIG_ECX ||
	    d != HUP_CPUID_SIG_EDX)
		return -1;
	__cpuid(HUP_CPUID_INFO, a, b, c, d);
	port = (uint16_t)b;
	SAY("port=%#x abi=%#x events=%#x features=%#x\n", port, a, c, d);
	return 0;
}

static int phys_pages(void)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return -1;
	for (int i = 0; i < 5; i++) {
		uint64_t e;
		uintptr_t va = (uintptr_t)(pages + i * PAGE);

		if (pread(fd, &e, 8, (off_t)(va / PAGE * 8)) != 8 ||
		    !(e & (1ull << 63)) || !(e & ((1ull << 55) - 1)))
			return close(fd), -1;
		gpa[i] = (e & ((1ull << 55) - 1)) * PAGE;
	}
	close(fd);
	return 0;
}

/* Ring the doorbell for the block at g; returns the status port's value. */
static int32_t ring(uint64_t g)
{
	outl((uint32_t)(g >> 32), port + HUP_DB_REQ_HI);
	outl((uint32_t)g, port + HUP_DB_REQ_LO);
	return (int32_t)inl(port + HUP_DB_STATUS);
}

static void req_init(struct hup_request *r, uint32_t op)
{
	memset(r, 0, sizeof(*r));
	r->magic = HUP_REQ_MAGIC;
	r->abi_version = HUP_ABI_VERSION;
	r->op = op;
}

static void req_prog(struct hup_request *r, uint32_t event,
		     const struct bpf_insn *insns, uint32_t n, const char *name)
{
	req_init(r, HUP_OP_REGISTER);
	r->event = event;
	r->insn_cnt = n;
	memcpy(pages + PAGE, insns, n * sizeof(*insns));
	r->insns_gpa = gpa[1];
	r->log_gpa = gpa[2];
	r->log_size = PAGE;
	snprintf(r->name, sizeof(r->name), "%s", name);
}

/* The trace program: *(u64 *)counter += 1 through the view. */
static uint32_t count_prog(struct bpf_insn *p)
{
	uint64_t gva = (uintptr_t)(void *)counter();
	uint32_t n = 0;
	struct bpf_insn prog[] = {
	    LD64(2, HUP_PSEUDO_VIEW_MASK, 0),
	    LD64(3, HUP_PSEUDO_VIEW_BASE, 0),
	    LD64(1, 0, gva),
	    I(BPF_ALU64 | BPF_AND | BPF_X, 1, 2, 0, 0),
	    I(BPF_ALU64 | BPF_ADD | BPF_X, 1, 3, 0, 0),
	    I(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 1),
	    I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 4, 0, BPF_ADD),
	    I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
	    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	n = sizeof(prog) / sizeof(prog[0]);
	memcpy(p, prog, sizeof(prog));
	return n;
}

static int32_t register_counter(uint32_t *id)
{
	struct bpf_insn p[16];
	struct hup_request *r = block();
	uint32_t n = count_prog(p);
	int32_t st;

	req_prog(r, HUP_EVENT_TRACE, p, n, "probe-count");
	r->nr_windows = 1;
	r->windows[0] = (struct hup_window){(uintptr_t)(void *)counter(), PAGE,
					    HUP_WIN_READ | HUP_WIN_WRITE,
					    HUP_WIN_BUFFER};
	st = ring(gpa[0]);
	*id = r->prog_id;
	return st;
}

static int32_t unregister(uint32_t id)
{
	req_init(block(), HUP_OP_UNREGISTER);
	block()->prog_id = id;
	return ring(gpa[0]);
}

static double bench(unsigned int n)
{
	struct timespec t0, t1;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < n; i++)
		outb(0, BENCH_PORT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return n / s;
}

static void expect(const char *what, int32_t got, int32_t want)
{
	if (got == want && block()->result == want)
		SAY("ok %s -> %d\n", what, got);
	else
		FAIL("%s -> status %d, block result %d, want %d\n", what, got,
		     block()->result, want);
}

static void hostile(void)
{
	struct bpf_insn p[16];
	uint32_t n = count_prog(p);
	struct hup_request *r = block();
	int32_t st;

#define HOSTILE(name, want, mutate)                                          \
	do {                                                                 \
		req_prog(r, HUP_EVENT_TRACE, p, n, "hostile");                \
		mutate;                                                      \
		expect(name, ring(gpa[0]), want);                             \
	} while (0)
	HOSTILE("bad-magic", -HUP_EPROTO, r->magic = 0x1234);
	HOSTILE("abi-major-2", -HUP_EPROTO, r->abi_version = 2u << 16);
	HOSTILE("unknown-op", -HUP_EOPNOTSUPP, r->op = 9);
	HOSTILE("flags", -HUP_EINVAL, r->flags = 1);
	HOSTILE("reserved0", -HUP_EINVAL, r->reserved0 = 7);
	HOSTILE("reserved1", -HUP_EINVAL, r->reserved1 = 1);
	HOSTILE("unknown-event", -HUP_EOPNOTSUPP, r->event = 77);
	HOSTILE("insn-cnt-0", -HUP_EINVAL, r->insn_cnt = 0);
	HOSTILE("insn-cnt-4097", -HUP_E2BIG, r->insn_cnt = 4097);
	HOSTILE("insns-outside-ram", -HUP_EFAULT, r->insns_gpa = 1ull << 40);
	HOSTILE("insns-wrap", -HUP_EFAULT, r->insns_gpa = ~0ull - 7);
	HOSTILE("log-too-big", -HUP_EINVAL, r->log_size = 1u << 20);
	HOSTILE("log-outside-ram", -HUP_EFAULT, r->log_gpa = 1ull << 40);
	HOSTILE("nr-windows-9", -HUP_EINVAL, r->nr_windows = 9);
	HOSTILE("window-unaligned", -HUP_EINVAL,
		(r->nr_windows = 1,
		 r->windows[0] = (struct hup_window){0x1001, PAGE, 1, 4}));
	HOSTILE("window-wraps", -HUP_EINVAL,
		(r->nr_windows = 1,
		 r->windows[0] = (struct hup_window){~0ull - 0xfff, 2 * PAGE, 1,
						     4}));
	HOSTILE("windows-overlap", -HUP_EINVAL,
		(r->nr_windows = 2,
		 r->windows[0] = (struct hup_window){0x10000, 4 * PAGE, 1, 4},
		 r->windows[1] = (struct hup_window){0x12000, PAGE, 1, 4}));
	HOSTILE("name-no-nul", -HUP_EINVAL, memset(r->name, 'x', 32));
	HOSTILE("verifier-leak", -HUP_EACCES,
		(p[0] = I(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 0, 0),
		 p[1] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		 memcpy(pages + PAGE, p, 2 * sizeof(*p)), r->insn_cnt = 2));
	if (r->log_len > 1 && r->log_len <= PAGE)
		SAY("ok verifier log (%u bytes): %.60s\n", r->log_len,
		    (const char *)(pages + 2 * PAGE));
	else
		FAIL("verifier log missing (log_len %u)\n", r->log_len);
	req_init(r, HUP_OP_UNREGISTER);
	r->prog_id = 123456;
	expect("unregister-unknown-id", ring(gpa[0]), -HUP_ENOENT);
	/* blocks the host cannot even read: status only */
	st = ring(1ull << 44);
	if (st == -HUP_EFAULT)
		SAY("ok block-outside-ram (hi latch) -> %d\n", st);
	else
		FAIL("block-outside-ram -> %d\n", st);
	st = ring(gpa[0] + 4);
	if (st == -HUP_EINVAL)
		SAY("ok block-misaligned -> %d\n", st);
	else
		FAIL("block-misaligned -> %d\n", st);
	st = ring(gpa[0] + PAGE * 1024ull * 1024 * 1024);
	if (st == -HUP_EFAULT)
		SAY("ok block-past-ram -> %d\n", st);
	else
		FAIL("block-past-ram -> %d\n", st);
}

/* Another thread rewrites the block while the host processes it. */
static volatile int racing;
static uint32_t race_insns; /* the real length, one of the two values */

static void *rewriter(void *arg)
{
	volatile struct hup_request *r = (volatile struct hup_request *)block();
	unsigned int i = 0;

	(void)arg;
	while (racing) {
		i++;
		r->nr_windows = (i & 1) ? 0xffffffffu : 1;
		r->insn_cnt = (i & 2) ? 0xffffffffu : race_insns;
		r->windows[0].size = (i & 4) ? (1ull << 63) : PAGE;
	}
	return NULL;
}

static void race(void)
{
	unsigned int ok = 0, refused = 0, bad = 0;
	pthread_t t;

	{
		struct bpf_insn p[16];

		race_insns = count_prog(p);
	}
	racing = 1;
	if (pthread_create(&t, NULL, rewriter, NULL)) {
		FAIL("pthread_create\n");
		return;
	}
	for (int i = 0; i < 200; i++) {
		struct bpf_insn p[16];
		uint32_t n = count_prog(p);
		struct hup_request *r = block();
		int32_t st;

		req_prog(r, HUP_EVENT_TRACE, p, n, "race");
		r->nr_windows = 1;
		r->windows[0] = (struct hup_window){(uintptr_t)(void *)counter(), PAGE,
						    3, HUP_WIN_BUFFER};
		st = ring(gpa[0]);
		if (st == 0) {
			uint32_t id = r->prog_id;
			struct hup_request *u = (void *)(pages + 4 * PAGE);

			ok++;
			memset(u, 0, sizeof(*u));
			u->magic = HUP_REQ_MAGIC;
			u->abi_version = HUP_ABI_VERSION;
			u->op = HUP_OP_UNREGISTER;
			u->prog_id = id;
			if (ring(gpa[4]))
				bad++;
		} else if (st == -HUP_EINVAL || st == -HUP_E2BIG ||
			   st == -HUP_EFAULT) {
			refused++;
		} else {
			bad++;
		}
	}
	racing = 0;
	pthread_join(t, NULL);
	if (bad || ok + refused != 200)
		FAIL("race: %u registered, %u refused, %u unexpected\n", ok,
		     refused, bad);
	else
		SAY("ok race: %u registered, %u refused while rewritten\n", ok,
		    refused);
}

static int msr_fd = -1;

static int msr_rw(int write, uint64_t *v)
{
	ssize_t n = write ? pwrite(msr_fd, v, 8, MSR_TSC_AUX)
			  : pread(msr_fd, v, 8, MSR_TSC_AUX);

	return n == 8 ? 0 : -errno;
}

/* MSR-write hook: deny TSC_AUX := 0xdead (r0 = value == 0xdead). */
static void msr_test(void)
{
	struct bpf_insn p[] = {
	    I(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, 16, 0),
	    I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
	    I(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 1, DENIED_VALUE),
	    I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),
	    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	uint64_t orig, v;
	int32_t st;
	uint32_t id;
	int err;

	msr_fd = open("/dev/cpu/0/msr", O_RDWR);
	if (msr_fd < 0) {
		SAY("skip msr: /dev/cpu/0/msr: %s\n", strerror(errno));
		return;
	}
	if (msr_rw(0, &orig)) {
		SAY("skip msr: TSC_AUX unreadable\n");
		return;
	}
	req_prog(block(), HUP_EVENT_MSR_WRITE, p, 5, "probe-msr");
	block()->event_arg = MSR_TSC_AUX;
	st = ring(gpa[0]);
	id = block()->prog_id;
	if (st) {
		FAIL("msr program: %d: %s\n", st, (char *)(pages + 2 * PAGE));
		return;
	}
	v = DENIED_VALUE;
	err = msr_rw(1, &v);
	msr_rw(0, &v);
	if (err == -EIO && v == orig)
		SAY("ok msr write of %#x denied (#GP, value kept %#llx)\n",
		    DENIED_VALUE, (unsigned long long)v);
	else
		FAIL("msr deny: err %d value %#llx\n", err,
		     (unsigned long long)v);
	v = orig ^ 0x40;
	err = msr_rw(1, &v);
	msr_rw(0, &v);
	if (!err && v == (orig ^ 0x40))
		SAY("ok msr write allowed and performed (%#llx)\n",
		    (unsigned long long)v);
	else
		FAIL("msr allow: err %d value %#llx\n", err,
		     (unsigned long long)v);
	v = orig;
	msr_rw(1, &v);
	expect("unregister msr program", unregister(id), 0);
}

static uint32_t register_resume(void)
{
	/* ctx->actions (offset 20) = HUP_ENTRY_FLUSH_TLB */
	struct bpf_insn p[] = {
	    I(BPF_ST | BPF_MEM | BPF_W, 1, 0, 20, HUP_ENTRY_FLUSH_TLB),
	    I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
	    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	req_prog(block(), HUP_EVENT_VCPU_RESUME, p, 3, "probe-flush");
	if (ring(gpa[0]))
		FAIL("resume program: %d\n", block()->result);
	return block()->prog_id;
}

int main(int argc, char **argv)
{
	uint32_t id, rid;
	uint64_t c0, c1;
	double base, traced;
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 20000;
	char line[64];

	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (find_port()) {
		FAIL("no hyperupcall backend in CPUID\n");
		return 1;
	}
	if (iopl(3)) {
		FAIL("iopl: %s\n", strerror(errno));
		return 1;
	}
	pages = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (pages == MAP_FAILED || mlock(pages, 5 * PAGE) ||
	    (memset(pages, 0, 5 * PAGE), phys_pages())) {
		FAIL("buffers / pagemap\n");
		return 1;
	}
	SAY("block gpa=%#llx counter gva=%p gpa=%#llx\n",
	    (unsigned long long)gpa[0], (void *)counter(),
	    (unsigned long long)gpa[3]);

	base = bench(n);
	SAY("bench no-trace exits_per_s=%.0f n=%u\n", base, n);

	expect("register trace counter", register_counter(&id), 0);
	if (block()->result)
		SAY("log: %s\n", (char *)(pages + 2 * PAGE));
	SAY("prog_id=%u log_len=%u\n", id, block()->log_len);
	c0 = *counter();
	for (int i = 0; i < 100; i++)
		outb(0, BENCH_PORT);
	c1 = *counter();
	if (c1 - c0 >= 100)
		SAY("ok counter grew by %llu over 100 port writes\n",
		    (unsigned long long)(c1 - c0));
	else
		FAIL("counter grew by %llu over 100 port writes\n",
		     (unsigned long long)(c1 - c0));
	traced = bench(n);
	SAY("bench trace exits_per_s=%.0f n=%u ratio=%.3f\n", traced, n,
	    traced / base);

	req_init(block(), HUP_OP_QUERY);
	block()->prog_id = id;
	expect("query op", ring(gpa[0]), 0);
	SAY("query: runs=%llu aborts=%llu run_ns=%llu jited_len=%u\n",
	    (unsigned long long)block()->stat_runs,
	    (unsigned long long)block()->stat_aborts,
	    (unsigned long long)block()->stat_run_ns, block()->jited_len);
	if (block()->stat_runs < c1 - c0 || !block()->jited_len)
		FAIL("query stats\n");

	hostile();
	race();
	msr_test();
	rid = register_resume();

	c0 = *counter();
	SAY("ready prog_id=%u resume_id=%u counter=%llu failures=%d\n", id,
	    rid, (unsigned long long)c0, failures);
	if (!fgets(line, sizeof(line), stdin))
		SAY("stdin closed\n");
	c1 = *counter();
	SAY("after hupctl: counter +%llu\n", (unsigned long long)(c1 - c0));
	expect("unregister resume program", unregister(rid), 0);
	expect("unregister trace counter", unregister(id), 0);
	c0 = *counter();
	for (int i = 0; i < 100; i++)
		outb(0, BENCH_PORT);
	if (*counter() == c0)
		SAY("ok counter stopped after unregister\n");
	else
		FAIL("counter still moving after unregister\n");
	SAY("done failures=%d\n", failures);
	return failures ? 1 : 0;
}
