/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The synthetic guest image of the hlib execution tests and their runner
 * (hlib_guest.h says what each part is; hlib_guest.c describes the image).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hup/libhup.h>

#include "guest_layout.h"
#include "hupcc.h"
#define HUP_CHECK_DEFINE /* the one pair of check counters */
#include "hlib_guest.h"
#include "hup_test_budget.h"
#include "hup_test_pt.h"

/* ------------------------------------------------------------ the image */

/* KASLR-like bases: the direct map and vmemmap PUD (1 GiB) aligned, the
 * kernel image 2 MiB aligned. */
/* The kernel image's data (offsets from _text). */

struct guest_layout L;
uint8_t *ram;
struct hup_view *view;
uint64_t heap;
uint64_t cr3 = PT_PA;


uint64_t halloc(uint64_t size)
{
	uint64_t pa = (heap + 63) & ~63ull;

	if (pa + size > HEAP_END) {
		fprintf(stderr, "guest heap full\n");
		exit(2);
	}
	heap = pa + size;
	memset(hp(pa), 0, size);
	return pa;
}

/* ------------------------------------------------------------- checking */

int engine;
const char *const engine_name[2] = { "interp", "jit" };

/* ------------------------------------------------------------- programs */

const char *hupcc_path, *srcdir, *outdir, *btf_path;

int compile(const char *name)
{
	char src[4096], obj[4096], inc[4096 + 2];
	char *argv[12];
	int n = 0, status;
	pid_t pid;

	snprintf(src, sizeof(src), "%s/%s.c", srcdir, name);
	snprintf(obj, sizeof(obj), "%s/%s.o", outdir, name);
	snprintf(inc, sizeof(inc), "-I%s", srcdir);
	argv[n++] = (char *)hupcc_path;
	if (btf_path) {
		argv[n++] = (char *)"--btf";
		argv[n++] = (char *)btf_path;
		argv[n++] = (char *)"-DHLIB_TEST_BTF";
	}
	argv[n++] = inc;
	argv[n++] = src;
	argv[n++] = (char *)"-o";
	argv[n++] = obj;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execv(hupcc_path, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "hupcc %s failed\n", src);
		return -EINVAL;
	}
	return 0;
}

static struct hupcc_ksym ksyms[16];
static size_t nksyms;

void ksym(const char *name, uint64_t addr)
{
	ksyms[nksyms].name = name;
	ksyms[nksyms++].addr = addr;
}

struct prog progs[64];
size_t nprogs;

static struct hup_prog *get(const char *obj, const char *name)
{
	char path[4096], log[16384];
	struct bpf_insn *insns;
	enum hup_event ev;
	struct prog *pr = NULL;
	size_t cnt;
	int err;

	for (size_t i = 0; i < nprogs; i++)
		if (!strcmp(progs[i].obj, obj) && !strcmp(progs[i].name, name))
			pr = &progs[i];
	if (!pr) {
		pr = &progs[nprogs++];
		pr->obj = obj;
		pr->name = name;
	}
	if (pr->tried)
		return pr->p[engine];
	pr->tried = true;
	snprintf(path, sizeof(path), "%s/%s.o", outdir, obj);
	err = hupcc__link_program(path, name, ksyms, nksyms, &insns, &cnt, &ev);
	if (err) {
		CHECK_MSG(0, "%s/%s: cannot link: %s", obj, name, strerror(-err));
		return NULL;
	}
	for (int jit = 0; jit < 2; jit++) {
		struct hup_load_opts o = {
			.sz = sizeof(o), .name = name, .view = view,
			.log_buf = log, .log_size = sizeof(log), .no_jit = !jit,
			.budget_us = HUP_TEST_RUN_BUDGET_US,
		};

		err = hup_prog__load(insns, cnt, ev, &o, &pr->p[jit]);
		CHECK_MSG(!err, "%s/%s: load (%s): %s\n%s", obj, name,
		      engine_name[jit], strerror(-err), log);
		if (err)
			pr->p[jit] = NULL;
	}
	free(insns);
	return pr->p[engine];
}


static int on_output(void *opaque, const void *buf, uint32_t size)
{
	struct out *o = opaque;

	if (!o || o->len + size > sizeof(o->buf))
		return -ENOSPC;
	memcpy(o->buf + o->len, buf, size);
	o->len += size;
	return 0;
}

int64_t cr3_result; /* what vcpu_reg(CR3) gives: >= 0 or -errno */

static int on_vcpu_reg(void *opaque, uint32_t reg, uint64_t *val)
{
	(void)opaque;
	if (reg != HUP_REG_CR3)
		return -EINVAL;
	if (cr3_result < 0)
		return (int)cr3_result;
	*val = (uint64_t)cr3_result;
	return 0;
}

/* Runs obj/name with ctx on the current engine.  An -EFAULT result must be
 * counted as an abort in the program's statistics. */
int run_ctx(const char *obj, const char *name, void *ctx, size_t size,
		   uint32_t vcpu, int64_t *r0, struct out *o)
{
	struct hup_prog *p = get(obj, name);
	struct hup_run_env env = {
		.sz = sizeof(env), .vcpu = vcpu, .output = on_output,
		.vcpu_reg = on_vcpu_reg, .opaque = o,
	};
	struct hup_run_result res = { 0 };
	struct hup_prog_stats before, after;
	int err;

	if (o)
		o->len = 0;
	*r0 = INT64_MIN;
	if (!p)
		return -ENOENT;
	hup_prog__stats(p, &before);
	err = hup_prog__run(p, ctx, size, &env, &res);
	hup_prog__stats(p, &after);
	if (err == -EFAULT)
		CHECK_MSG(after.aborts == before.aborts + 1,
		      "%s: -EFAULT not counted as an abort", name);
	*r0 = (int64_t)res.r0;
	return err;
}

int query(const char *obj, const char *name, uint64_t a0, uint64_t a1,
		 uint64_t a2, uint64_t a3, int64_t *r0, struct out *o)
{
	struct hup_query_ctx q = { .arg = { a0, a1, a2, a3 } };

	return run_ctx(obj, name, &q, sizeof(q), 0, r0, o);
}


/* ------------------------------------------------------ building the image */

static void *image_table(void *ctx, uint64_t pa)
{
	(void)ctx;
	return hp(pa);
}

/* Page tables: PGD at PT_PA, the others after it in the order made. */
static void build_page_tables(void)
{
	struct hup_test_pt pt = { .table = image_table, .root = PT_PA,
				  .levels = 4, .next = PT_PA + 0x1000 };

	memset(hp(PT_PA), 0, 0x1000);
	/* Direct map: one 1 GiB page at pa 0 (PAT bit of a large page set). */
	hup_test_pt__set(&pt, POB, 3, 0 | P | RW | A | D | PSE | GL | NX | PAT_LARGE, TBL);
	/* Kernel image: 2 MiB pages; the one after it not present. */
	for (uint64_t i = 0; i < KIMG_SIZE >> 21; i++)
		hup_test_pt__set(&pt, KIMG_VA + (i << 21), 2,
				 (KIMG_PA + (i << 21)) | P | RW | A | D | PSE | GL |
				 (i == 1 ? PAT_LARGE : 0), TBL);
	/* vmemmap: 4 KiB pages of its backing. */
	for (uint64_t i = 0; i < 256; i++)
		hup_test_pt__set(&pt, VMEMMAP + (i << 12), 1,
				 (VMM_PA + (i << 12)) | P | RW | A | D | GL | NX, TBL);
	/* A user page, and a swapped-out (non-present) one after it. */
	hup_test_pt__set(&pt, USER_VA, 1, USER_PA | P | RW | US | A | D | NX, TBL | US);
	hup_test_pt__set(&pt, USER_VA + 0x1000, 1, 0x3a5c00ull, TBL | US); /* a swap entry */
	/* PGD[1]: a PUD table in the hole; PGD[2]: one beyond guest RAM. */
	u64p(PT_PA)[1] = HOLE_PA | TBL | US;
	u64p(PT_PA)[2] = 0x7f000000ull | TBL | US;
}

uint64_t pcpu_area_pa(unsigned int cpu)
{
	return PCPU_PA + cpu * PCPU_STRIDE;
}

uint64_t pcpu_offset(unsigned int cpu) /* __per_cpu_offset[cpu] */
{
	return ((uint64_t *)kp(K_PCPU_OFFSET))[cpu];
}

static void build_percpu(void)
{
	uint64_t *off = kp(K_PCPU_OFFSET);
	uint64_t boot = kva(K_PCPU_LOAD); /* BOOT_PERCPU_OFFSET */

	if (L.pcpu_size > PCPU_STRIDE || K_PCPU_LOAD + L.pcpu_size > K_BANNER) {
		fprintf(stderr, "per-CPU section too big\n");
		exit(2);
	}
	/* The load copy: what non-possible CPUs point at. */
	*(uint64_t *)kp(K_PCPU_LOAD + L.pcpu_this_cpu_off) = boot;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		off[cpu] = boot;
	for (unsigned int cpu = 0; cpu < NR_POSSIBLE; cpu++) {
		uint64_t pa = pcpu_area_pa(cpu);

		memset(hp(pa), 0, L.pcpu_size);
		off[cpu] = dva(pa); /* __per_cpu_start is 0 on x86-64 */
		*(int32_t *)hp(pa + L.pcpu_cpu_number) = (int32_t)cpu;
		*(uint64_t *)hp(pa + L.pcpu_this_cpu_off) = off[cpu];
	}
	/* CPU 6: possible, its area not mapped (a hole). */
	off[6] = dva(HOLE_PA) - L.pcpu_cpu_number;
}

void build_image(void)
{
	memset(ram, 0, RAM_SIZE);
	heap = HEAP_PA;
	*(uint64_t *)kp(K_POB) = POB;
	*(uint64_t *)kp(K_VMEMMAP) = VMEMMAP;
	*(uint64_t *)kp(K_PHYS_BASE) = PHYS_BASE;
	build_page_tables();
	build_percpu();
	strcpy(kp(K_BANNER), "Linux version 6.1.0-56-cloud-amd64");
}

int map_view(void)
{
	uint64_t vmm_len = ((NR_PFNS * L.page_size) + 4095) & ~4095ull;
	int fd = memfd_create("guest-ram", MFD_CLOEXEC), err;

	if (fd < 0 || ftruncate(fd, (off_t)RAM_SIZE))
		return -errno;
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ram == MAP_FAILED)
		return -errno;
	if (VMM_PA + vmm_len > RAM_SIZE)
		return -E2BIG;
	err = hup_view__create(0, &view); /* the default: 2^44, as the host */
	if (!err)
		err = hup_view__map(view, POB, fd, 0, HOLE_PA,
				    HUP_WIN_READ | HUP_WIN_WRITE);
	if (!err)
		err = hup_view__map(view, POB + HOLE_PA + 4096, fd,
				    HOLE_PA + 4096, RAM_SIZE - HOLE_PA - 4096,
				    HUP_WIN_READ | HUP_WIN_WRITE);
	if (!err)
		err = hup_view__map(view, VMEMMAP, fd, VMM_PA, vmm_len,
				    HUP_WIN_READ | HUP_WIN_WRITE);
	if (!err)
		err = hup_view__map(view, KIMG_VA, fd, KIMG_PA, KIMG_SIZE,
				    HUP_WIN_READ);
	close(fd);
	return err;
}

