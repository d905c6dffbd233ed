// SPDX-License-Identifier: BSD-2-Clause
/*
 * hup-attack: the in-guest attack campaign of guest-attack-e2e
 * (test_attack_e2e.py), a static binary run as root in a Debian guest on
 * hupvm with hyperupcall.ko loaded and a legitimate tracing program
 * registered.  For SECONDS it runs, at once:
 *
 *   doorbell  (vCPU 0) request blocks rung straight at the doorbell port:
 *             random bytes, valid registrations mutated in 1-3 bytes,
 *             valid register/unregister pairs, random block addresses
 *             and high halves, queries of random ids, port accesses of
 *             every width and offset
 *   racer     (vCPU 1) rewrites the doorbell's block and bytecode while
 *             the host may be reading them
 *   ioctl     (vCPU 1) /dev/hyperupcall ioctls of the driver's type with
 *             random numbers, sizes and arguments, and mutated valid
 *             registrations
 *   regloop   (vCPU 0) registers and unregisters a valid program through
 *             the driver in a loop
 *   limits    (vCPU 1) programs built to hit each verifier limit, rung at
 *             the doorbell, each result checked against the one expected
 *
 * and it never unregisters KEEP_ID (the legitimate program): a block that
 * would is rewritten first.  Every program it manages to register is
 * unregistered again.  It prints "ATTACK ..." lines with the counts and
 * each limit's result, and exits 1 if a limit's result was not the one
 * expected or the setup failed.
 *
 *	hup-attack SECONDS KEEP_ID [THREADS]
 *
 * THREADS, a comma list of the names above (default: all five), runs a
 * part of the campaign, to find which part a guest failure follows; and
 * "exits" (not in the default) is a control: one thread per vCPU reading
 * the doorbell's status port in a loop, the VM-exit load of the campaign
 * with no request in it.
 *
 * Needs: root (port access, /proc/self/pagemap's frame numbers) and one
 * free 2 MiB huge page (vm.nr_hugepages), whose frames are contiguous, for
 * request blocks and bytecode the host reads by guest-physical address.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <hyperupcall/abi.h>
#include <hyperupcall/ioctl.h>
#include <hyperupcall/trace_ring.h>

#define PORT	  HUP_DB_PORT_DEFAULT
#define HUGE	  (2ull << 20)
#define BLK_FUZZ  0x0000u  /* the doorbell thread's block (racer's too) */
#define BLK_LIM	  0x1000u  /* the limits thread's block */
#define BLK_CLEAN 0x2000u  /* the doorbell thread's unregistering */
#define BLK_CLEAN_LIM 0x3000u /* the limits thread's */
#define INS_FUZZ  0x8000u  /* the doorbell thread's template bytecode */
#define LOG_FUZZ  0x10000u /* its log buffer (4 KiB) */
#define INS_LIM	  0x20000u /* the limit programs (up to 33 KiB) */
#define NR_ERRNO  256

static uint8_t *mem;
static uint64_t mem_gpa;
static uint32_t keep_id;
static atomic_int stop;

struct tally {
	_Atomic uint64_t n, ok;
	_Atomic uint64_t by_errno[NR_ERRNO];
};
static struct tally t_bell, t_ioctl, t_loop;
static _Atomic uint64_t races, port_ops, registered, unregistered;
static _Atomic uint64_t limit_rounds;
static int limit_bad;

static void count(struct tally *t, int rc)
{
	int e = rc < 0 ? -rc : rc;

	atomic_fetch_add(&t->n, 1);
	if (!rc)
		atomic_fetch_add(&t->ok, 1);
	atomic_fetch_add(&t->by_errno[e < NR_ERRNO ? e : NR_ERRNO - 1], 1);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* An offset of the huge page (2 MiB aligned, so any alignment holds). */
static void *at(uint32_t off)
{
	return (void *)((uintptr_t)mem + off);
}

static struct hup_request *blk(uint32_t off)
{
	return at(off);
}

/*
 * Ring the doorbell with the block at gpa, r if it is one of ours: its
 * result.  The host writes the result into the block before the outl
 * retires; the status port holds the last result of this vCPU, which
 * another thread on the same vCPU (the driver's ioctls) may have rung in
 * between, so it is read only for a block the host did not write back
 * (refused before reading it: unaligned, outside RAM).
 */
#define NOT_WRITTEN 1
static int ring(uint64_t gpa, struct hup_request *r)
{
	volatile int32_t *res = r ? &r->result : NULL;

	if (res)
		*res = NOT_WRITTEN;
	/* glibc's outl has no memory clobber: the block must be in memory
	 * before the ring, and read again after it (the host wrote it) */
	__asm__ __volatile__("" ::: "memory");
	outl((uint32_t)(gpa >> 32), PORT + HUP_DB_REQ_HI);
	outl((uint32_t)gpa, PORT + HUP_DB_REQ_LO);
	__asm__ __volatile__("" ::: "memory");
	if (res && *res != NOT_WRITTEN)
		return *res;
	return (int32_t)inl(PORT + HUP_DB_STATUS);
}

/* Never the legitimate program: rewritten before the ring. */
static void spare_keep(struct hup_request *r)
{
	if (r->op == HUP_OP_UNREGISTER && r->prog_id == keep_id)
		r->prog_id = 0;
}

static int unregister_raw(uint32_t id, uint32_t off)
{
	struct hup_request *r = blk(off);

	if (!id || id == keep_id)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->magic = HUP_REQ_MAGIC;
	r->abi_version = HUP_ABI_VERSION;
	r->op = HUP_OP_UNREGISTER;
	r->prog_id = id;
	return ring(mem_gpa + off, r);
}

/*
 * The host writes a block's result back where the block is, and a
 * verifier log where log_gpa says: at an address the guest chose, as it
 * must.  A wild address inside the guest's RAM would only have the guest
 * corrupt itself (its own right, and a crash this test would then take
 * for the host's); so wild addresses are aligned-but-outside-RAM,
 * unaligned, or inside our own page.
 */
static uint64_t wild_gpa(uint64_t *s)
{
	uint64_t x = rnd(s);

	switch (x % 4) {
	case 0: return x | 1;			  /* unaligned: never read */
	case 1: return (x | 1ull << 40) & ~7ull;  /* beyond RAM */
	case 2: return 0xfffff000ull + (x & 0xff8); /* the PCI hole */
	default: return mem_gpa + (x % (HUGE - sizeof(struct hup_request)));
	}
}

static void spare_guest(struct hup_request *r)
{
	if (r->log_gpa && r->log_gpa - mem_gpa >= HUGE &&
	    r->log_gpa < 1ull << 40)
		r->log_gpa |= 1ull << 40;
}

/* A registration that succeeded is undone at once (program slots are
 * few); what the racer garbled is found by id at the end. */
static _Atomic uint32_t max_id;
static void registered_id(uint32_t id)
{
	uint32_t m = atomic_load(&max_id);

	atomic_fetch_add(&registered, 1);
	while (id > m && !atomic_compare_exchange_weak(&max_id, &m, id))
		;
}

static void valid_block(struct hup_request *r, uint32_t insns_off,
			uint32_t insn_cnt, uint32_t event)
{
	memset(r, 0, sizeof(*r));
	r->magic = HUP_REQ_MAGIC;
	r->abi_version = HUP_ABI_VERSION;
	r->op = HUP_OP_REGISTER;
	r->event = event;
	r->insn_cnt = insn_cnt;
	r->insns_gpa = mem_gpa + insns_off;
	strcpy(r->name, "attack");
}

/* ------------------------------------------------------------ doorbell */

static void *doorbell(void *arg)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;
	struct hup_request *r = blk(BLK_FUZZ);
	const struct bpf_insn ret0[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};

	(void)arg;
	pin(0);
	memcpy(mem + INS_FUZZ, ret0, sizeof(ret0));
	while (!atomic_load(&stop)) {
		uint64_t gpa = mem_gpa + BLK_FUZZ, m = rnd(&s) % 10;
		int rc;

		if (m == 0) {
			for (size_t i = 0; i < sizeof(*r); i += 8) {
				uint64_t v = rnd(&s);

				memcpy((uint8_t *)r + i, &v,
				       sizeof(*r) - i < 8 ? sizeof(*r) - i : 8);
			}
		} else {
			valid_block(r, INS_FUZZ, 2, HUP_EVENT_QUERY);
			if (rnd(&s) & 1) {
				r->log_gpa = mem_gpa + LOG_FUZZ;
				r->log_size = 4096;
			}
		}
		if (m >= 1 && m <= 3) /* mutate 1-3 bytes */
			for (uint64_t k = 0; k <= rnd(&s) % 3; k++)
				((uint8_t *)r)[rnd(&s) % sizeof(*r)] ^=
				    (uint8_t)(1 + rnd(&s) % 255);
		if (m == 5) /* the block anywhere the guest may name */
			gpa = wild_gpa(&s);
		if (m == 6) { /* a stale high half: the block below 4 GiB */
			outl((uint32_t)rnd(&s), PORT + HUP_DB_REQ_HI);
			outl((uint32_t)gpa, PORT + HUP_DB_REQ_LO);
			count(&t_bell, (int32_t)inl(PORT + HUP_DB_STATUS));
			continue;
		}
		if (m == 7) { /* a query of some id */
			r->op = HUP_OP_QUERY;
			r->prog_id = (uint32_t)(rnd(&s) % 256);
		}
		if (m == 8) { /* every width, every offset */
			uint16_t p = (uint16_t)(PORT + rnd(&s) % HUP_DB_NR_PORTS);

			switch (rnd(&s) % 6) {
			case 0: outb((uint8_t)rnd(&s), p); break;
			case 1: outw((uint16_t)rnd(&s), p); break;
			case 2: (void)inb(p); break;
			case 3: (void)inw(p); break;
			case 4: (void)inl(p); break;
			default:
				if (p != PORT + HUP_DB_REQ_LO)
					outl((uint32_t)rnd(&s), p);
			}
			atomic_fetch_add(&port_ops, 1);
			continue;
		}
		spare_keep(r);
		spare_guest(r);
		rc = ring(gpa, gpa == mem_gpa + BLK_FUZZ ? r : NULL);
		count(&t_bell, rc);
		if (!rc && r->op == HUP_OP_REGISTER && r->prog_id) {
			registered_id(r->prog_id);
			if (!unregister_raw(r->prog_id, BLK_CLEAN))
				atomic_fetch_add(&unregistered, 1);
		}
	}
	return NULL;
}

/* Rewrites the doorbell thread's block and bytecode under it: whatever
 * the host reads twice, it must not trust the second reading. */
static void *racer(void *arg)
{
	uint64_t s = 0x2545f4914f6cdd1dull;
	struct hup_request *r = blk(BLK_FUZZ);
	volatile uint32_t *w;

	(void)arg;
	pin(1);
	while (!atomic_load(&stop)) {
		switch (rnd(&s) % 6) {
		case 0: w = &r->insn_cnt; break;
		case 1: w = (volatile uint32_t *)&r->insns_gpa; break;
		case 2: w = &r->nr_windows; break;
		case 3: w = &r->log_size; break;
		case 4: w = (volatile uint32_t *)&r->windows[rnd(&s) % 8]; break;
		default:
			w = at(INS_FUZZ + 4 * (uint32_t)(rnd(&s) % 4));
		}
		*w = (uint32_t)rnd(&s);
		atomic_fetch_add(&races, 1);
	}
	return NULL;
}

/* -------------------------------------------------------------- ioctl */

static struct bpf_insn trace_prog[] = {
	{.code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 1},
	{0},
	{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0},
	{.code = BPF_JMP | BPF_EXIT},
};

static struct hup_ioc_register good(struct hup_ioc_ksym *k,
				    struct hup_ioc_window *w)
{
	struct hup_ioc_register r;

	memset(&r, 0, sizeof(r));
	memset(k, 0, sizeof(*k));
	strcpy(k->name, HUP_TRACE_RING_KSYM);
	w->kind = HUP_IOC_WIN_TRACE_RING;
	w->prot = HUP_WIN_READ | HUP_WIN_WRITE;
	r.size = sizeof(r);
	r.event = HUP_EVENT_TRACE;
	r.insn_cnt = 4;
	r.insns = (unsigned long)trace_prog;
	r.ksyms = (unsigned long)k;
	r.nr_ksyms = 1;
	r.windows = (unsigned long)w;
	r.nr_windows = 1;
	strcpy(r.name, "attack-ioctl");
	return r;
}

static void ioctl_unregister(int fd, uint32_t id)
{
	struct hup_ioc_unregister u = {.prog_id = id};

	if (id && id != keep_id && !ioctl(fd, HUP_IOC_UNREGISTER, &u))
		atomic_fetch_add(&unregistered, 1);
}

static void *ioctls(void *arg)
{
	uint64_t s = 0xda942042e4dd58b5ull;
	static uint8_t junk[8192];
	int fd = open("/dev/" HUP_DEV_NAME, O_RDWR);

	(void)arg;
	pin(1);
	if (fd < 0) {
		perror("ATTACK ioctl: open");
		return NULL;
	}
	while (!atomic_load(&stop)) {
		struct hup_ioc_ksym k;
		struct hup_ioc_window w;
		struct hup_ioc_register g = good(&k, &w);
		unsigned long cmd;
		void *a;
		int rc;

		for (size_t i = 0; i < sizeof(junk); i += 8) {
			uint64_t v = rnd(&s);

			memcpy(junk + i, &v, 8);
		}
		switch (rnd(&s) % 4) {
		case 0:
			cmd = HUP_IOC_REGISTER;
			break;
		case 1:
			cmd = rnd(&s) & 1 ? HUP_IOC_UNREGISTER : HUP_IOC_LIST;
			break;
		default: /* the driver's type, anything else */
			cmd = _IOC(rnd(&s) % 4, HUP_IOC_MAGIC, rnd(&s) % 8,
				   rnd(&s) % 1024);
		}
		switch (rnd(&s) % 5) {
		case 0: a = NULL; break;
		case 1: a = junk; break;
		case 2: a = (void *)0xffffffff81000000ul; break;
		case 3: a = (void *)0x1000ul; break;
		default:
			for (uint64_t n = 0; n <= rnd(&s) % 3; n++)
				((uint8_t *)&g)[rnd(&s) % sizeof(g)] ^=
				    (uint8_t)(1 + rnd(&s) % 255);
			a = &g;
		}
		/* Never the legitimate program, whichever of our buffers the
		 * unregister reads (a flipped register block's size field
		 * can read as its id too) */
		if (cmd == HUP_IOC_UNREGISTER && (a == junk || a == &g)) {
			struct hup_ioc_unregister *u = a;

			if (u->prog_id == keep_id)
				u->prog_id = 0;
		}
		rc = ioctl(fd, cmd, a);
		count(&t_ioctl, rc < 0 ? -errno : 0);
		if (!rc && cmd == HUP_IOC_REGISTER && a == &g) {
			registered_id(g.prog_id);
			ioctl_unregister(fd, g.prog_id);
		}
	}
	close(fd);
	return NULL;
}

static void *regloop(void *arg)
{
	int fd = open("/dev/" HUP_DEV_NAME, O_RDWR);

	(void)arg;
	pin(0);
	if (fd < 0) {
		perror("ATTACK regloop: open");
		return NULL;
	}
	while (!atomic_load(&stop)) {
		struct hup_ioc_ksym k;
		struct hup_ioc_window w;
		struct hup_ioc_register g = good(&k, &w);
		int rc = ioctl(fd, HUP_IOC_REGISTER, &g);

		count(&t_loop, rc < 0 ? -errno : 0);
		if (!rc) {
			registered_id(g.prog_id);
			ioctl_unregister(fd, g.prog_id);
		}
	}
	close(fd);
	return NULL;
}

/* ------------------------------------------------------------- limits */

#define I(c, d, s_, o, i)                                                     \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s_),      \
			   .off = (o), .imm = (i)})
#define MOVI(d, i)   I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADDI(d, i)   I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define EXIT_I	     I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define JA(o)	     I(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define LDX64(d, s_, o) I(BPF_LDX | BPF_MEM | BPF_DW, d, s_, o, 0)
#define STI64(d, o, i) I(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define CALLF(o)     I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, o)

struct limit {
	const char *name;
	int want; /* the result the host must give */
	uint32_t (*build)(struct bpf_insn *p); /* returns insn_cnt */
	uint32_t event;
};

static uint32_t b_max_insns(struct bpf_insn *p)
{
	for (uint32_t i = 0; i < HUP_MAX_INSNS - 1; i++)
		p[i] = i ? ADDI(0, 1) : MOVI(0, 0);
	p[HUP_MAX_INSNS - 1] = EXIT_I;
	return HUP_MAX_INSNS;
}

static uint32_t b_too_many(struct bpf_insn *p)
{
	b_max_insns(p);
	p[HUP_MAX_INSNS - 1] = ADDI(0, 1);
	p[HUP_MAX_INSNS] = EXIT_I;
	return HUP_MAX_INSNS + 1;
}

/* 24 independent branches on bits of a value the verifier cannot know,
 * each adding a different constant: 2^24 paths, no two states alike, far
 * past HUP_VERIFIER_MAX_STATES explored instructions */
static uint32_t b_branches(struct bpf_insn *p)
{
	uint32_t n = 0;

	p[n++] = LDX64(2, 1, 0);
	p[n++] = MOVI(0, 0);
	for (int i = 0; i < 24; i++) {
		p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0);
		p[n++] = I(BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 1 << i);
		p[n++] = I(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 1, 0);
		p[n++] = ADDI(0, 1 << i);
	}
	p[n++] = EXIT_I;
	return n;
}

static uint32_t b_stack_ok(struct bpf_insn *p)
{
	p[0] = STI64(10, -(int)HUP_STACK_SIZE, 1);
	p[1] = MOVI(0, 0);
	p[2] = EXIT_I;
	return 3;
}

static uint32_t b_stack_over(struct bpf_insn *p)
{
	p[0] = STI64(10, -(int)HUP_STACK_SIZE - 8, 1);
	p[1] = MOVI(0, 0);
	p[2] = EXIT_I;
	return 3;
}

static uint32_t b_endless(struct bpf_insn *p)
{
	p[0] = MOVI(0, 0);
	p[1] = JA(-1);
	p[2] = EXIT_I;
	return 3;
}

/* bpf-to-bpf calls nested one deeper than Linux allows (8 frames) */
static uint32_t b_call_depth(struct bpf_insn *p)
{
	uint32_t n = 0;

	for (int i = 0; i < 9; i++) {
		p[n++] = CALLF(1);
		p[n++] = EXIT_I;
	}
	p[n++] = MOVI(0, 0);
	p[n++] = EXIT_I;
	return n;
}

static uint32_t b_bad_pseudo(struct bpf_insn *p)
{
	p[0] = I(BPF_LD | BPF_IMM | BPF_DW, 1, 7, 0, 0);
	p[1] = I(0, 0, 0, 0, 0);
	p[2] = MOVI(0, 0);
	p[3] = EXIT_I;
	return 4;
}

static uint32_t b_fall_off(struct bpf_insn *p)
{
	p[0] = MOVI(0, 0);
	return 1;
}

static const struct limit limits[] = {
	{"max-insns", 0, b_max_insns, HUP_EVENT_QUERY},
	{"too-many-insns", -E2BIG, b_too_many, HUP_EVENT_QUERY},
	{"branches", -E2BIG, b_branches, HUP_EVENT_QUERY},
	{"stack-512", 0, b_stack_ok, HUP_EVENT_QUERY},
	{"stack-over", -EACCES, b_stack_over, HUP_EVENT_QUERY},
	{"endless-loop", -EACCES, b_endless, HUP_EVENT_QUERY},
	{"call-depth", -E2BIG, b_call_depth, HUP_EVENT_QUERY},
	{"bad-pseudo", -EINVAL, b_bad_pseudo, HUP_EVENT_QUERY},
	{"fall-off", -EINVAL, b_fall_off, HUP_EVENT_QUERY},
};

static void *limit_thread(void *arg)
{
	struct hup_request *r = blk(BLK_LIM);
	struct bpf_insn *p = at(INS_LIM);

	(void)arg;
	pin(1);
	while (!atomic_load(&stop)) {
		for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
			const struct limit *l = &limits[i];
			uint32_t n = l->build(p);
			int rc;

			valid_block(r, INS_LIM, n, l->event);
			rc = ring(mem_gpa + BLK_LIM, r);
			if (!rc) {
				registered_id(r->prog_id);
				if (!unregister_raw(r->prog_id, BLK_CLEAN_LIM))
					atomic_fetch_add(&unregistered, 1);
			}
			if (!atomic_load(&limit_rounds)) {
				int ok = rc == l->want;

				printf("ATTACK limit %s rc=%d want=%d %s\n",
				       l->name, rc, l->want, ok ? "ok" : "BAD");
				limit_bad += !ok;
			}
		}
		atomic_fetch_add(&limit_rounds, 1);
	}
	return NULL;
}

/* -------------------------------------------------------------- setup */

static int setup(void)
{
	uint64_t e;
	int fd;

	/* 3 ports more: a 4-byte access at the last port spans them */
	if (ioperm(PORT, HUP_DB_NR_PORTS + 3, 1)) {
		perror("ATTACK setup: ioperm");
		return -1;
	}
	mem = mmap(NULL, HUGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE |
		       MAP_LOCKED,
		   -1, 0);
	if (mem == MAP_FAILED) {
		perror("ATTACK setup: a 2 MiB huge page (vm.nr_hugepages)");
		return -1;
	}
	memset(mem, 0, HUGE);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)mem >> 12) * 8) != 8) {
		perror("ATTACK setup: pagemap");
		return -1;
	}
	close(fd);
	if (!(e >> 63) || !(e & ((1ull << 55) - 1))) {
		fprintf(stderr, "ATTACK setup: no frame number (not root?)\n");
		return -1;
	}
	mem_gpa = (e & ((1ull << 55) - 1)) << 12;
	return 0;
}

static void report(const char *name, struct tally *t)
{
	printf("ATTACK %s n=%llu ok=%llu", name,
	       (unsigned long long)atomic_load(&t->n),
	       (unsigned long long)atomic_load(&t->ok));
	for (int e = 1; e < NR_ERRNO; e++)
		if (atomic_load(&t->by_errno[e]))
			printf(" E%d=%llu", e,
			       (unsigned long long)atomic_load(&t->by_errno[e]));
	printf("\n");
}

/* The control thread of "exits": port exits that carry no request. */
static void *exits(void *arg)
{
	pin((int)(uintptr_t)arg);
	while (!atomic_load(&stop)) {
		(void)inl(PORT + HUP_DB_STATUS);
		atomic_fetch_add(&port_ops, 1);
	}
	return NULL;
}

static const struct {
	const char *name;
	void *(*fn)(void *);
	int nr; /* threads: the thread's argument is its index */
	bool all;
} parts[] = {
	{"doorbell", doorbell, 1, true}, {"racer", racer, 1, true},
	{"ioctl", ioctls, 1, true},	 {"regloop", regloop, 1, true},
	{"limits", limit_thread, 1, true}, {"exits", exits, 2, false},
};
#define NR_PARTS (sizeof(parts) / sizeof(parts[0]))

/* Which parts a THREADS list names: a bit each, 0 if a name is unknown. */
static unsigned int parse_parts(const char *list)
{
	char buf[128], *save = NULL;
	unsigned int mask = 0;

	if (!list) {
		for (size_t i = 0; i < NR_PARTS; i++)
			mask |= parts[i].all ? 1u << i : 0;
		return mask;
	}
	if (strlen(list) >= sizeof(buf))
		return 0;
	strcpy(buf, list);
	for (char *w = strtok_r(buf, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		size_t i = 0;

		while (i < NR_PARTS && strcmp(parts[i].name, w))
			i++;
		if (i == NR_PARTS) {
			fprintf(stderr, "hup-attack: no part '%s' (doorbell, "
					"racer, ioctl, regloop, limits, exits)\n",
				w);
			return 0;
		}
		mask |= 1u << i;
	}
	return mask;
}

int main(int argc, char **argv)
{
	pthread_t th[8];
	unsigned int nth = 0, mask;
	struct timespec d;
	uint32_t leftover = 0;

	if ((argc != 3 && argc != 4) || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: hup-attack SECONDS KEEP_ID [THREADS]\n");
		return 2;
	}
	mask = parse_parts(argc == 4 ? argv[3] : NULL);
	if (!mask)
		return 2;
	keep_id = (uint32_t)strtoul(argv[2], NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup())
		return 1;
	printf("ATTACK start gpa=%#llx keep=%u threads=%s\n",
	       (unsigned long long)mem_gpa, keep_id,
	       argc == 4 ? argv[3] : "all");
	for (size_t i = 0; i < NR_PARTS; i++)
		for (int k = 0; mask & 1u << i && k < parts[i].nr; k++)
			pthread_create(&th[nth++], NULL, parts[i].fn,
				       (void *)(uintptr_t)k);
	d = (struct timespec){atoi(argv[1]), 0};
	nanosleep(&d, NULL);
	atomic_store(&stop, 1);
	for (unsigned int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	/* what a garbled block registered and nobody undid */
	for (uint32_t id = 1; id <= atomic_load(&max_id) + 64; id++)
		if (!unregister_raw(id, BLK_CLEAN))
			leftover++;
	report("doorbell", &t_bell);
	report("ioctl", &t_ioctl);
	report("regloop", &t_loop);
	printf("ATTACK races=%llu port_ops=%llu registered=%llu "
	       "unregistered=%llu leftover=%u limit_rounds=%llu\n",
	       (unsigned long long)atomic_load(&races),
	       (unsigned long long)atomic_load(&port_ops),
	       (unsigned long long)atomic_load(&registered),
	       (unsigned long long)atomic_load(&unregistered), leftover,
	       (unsigned long long)atomic_load(&limit_rounds));
	printf("ATTACK done limits_bad=%d\n", limit_bad);
	return limit_bad ? 1 : 0;
}
