/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The synthetic guest image the hlib execution tests run against
 * (guest_image.c: memory, page tables, per-CPU areas, the view's windows)
 * and the runner around it (compiling the programs, loading them under
 * both engines, running them, the per-engine check).  hlib_guest.c holds
 * the tests.
 */
#ifndef HLIB_GUEST_H
#define HLIB_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <hup/libhup.h>

#include "guest_layout.h"
#include "hupcc.h"

/* ------------------------------------------------ the image's layout */

#define RAM_SIZE (64ull << 20)
#define START_KERNEL_MAP 0xffffffff80000000ull
#define POB 0xffff8f3a40000000ull   /* page_offset_base */
#define VMEMMAP 0xffffe3a7c0000000ull /* vmemmap_base */
#define KIMG_VA 0xffffffff82200000ull /* _text */
#define KIMG_PA 0x3000000ull
#define KIMG_SIZE 0x800000ull
#define PHYS_BASE (KIMG_PA - (KIMG_VA - START_KERNEL_MAP))
#define VMM_PA 0x3800000ull          /* the vmemmap's backing pages */
#define NR_PFNS (RAM_SIZE >> 12)
#define HOLE_PA 0x1fff000ull         /* a page not mapped in the view */
#define PT_PA 0x100000ull            /* page tables */
#define HEAP_PA 0x200000ull
#define HEAP_END 0x1000000ull
#define PCPU_PA 0x1000000ull
#define PCPU_STRIDE 0x40000ull
#define NR_POSSIBLE 4
#define NR_CPUS 8192
#define K_POB 0x600000ull
#define K_VMEMMAP 0x600008ull
#define K_PHYS_BASE 0x600010ull
#define K_ONLINE 0x601000ull
#define K_PCPU_OFFSET 0x610000ull
#define K_INIT_TASK 0x620000ull
#define K_PCPU_LOAD 0x640000ull
#define K_BANNER 0x7f0000ull
#define USER_VA 0x00007ffd12345678ull
#define USER_PA 0x250000ull
#define P 0x1ull
#define RW 0x2ull
#define US 0x4ull
#define A 0x20ull
#define D 0x40ull
#define PSE 0x80ull
#define GL 0x100ull
#define PAT_LARGE 0x1000ull
#define NX (1ull << 63)
#define TBL (P | RW | A | D)

/* The layout the image follows (the BTF's or the defaults). */
extern struct guest_layout L;
extern uint8_t *ram;            /* guest RAM, as the "VMM" sees it */
extern struct hup_view *view;
extern uint64_t heap;           /* next free guest-physical heap byte */
extern uint64_t cr3;            /* the page tables' root */
extern int64_t cr3_result;      /* what vcpu_reg(CR3) gives: >= 0 or -errno */

static inline void *hp(uint64_t pa) { return ram + pa; }
static inline uint64_t dva(uint64_t pa) { return POB + pa; }
static inline uint64_t kva(uint64_t off) { return KIMG_VA + off; }
static inline void *kp(uint64_t off) { return ram + KIMG_PA + off; }
static inline uint64_t *u64p(uint64_t pa) { return (uint64_t *)hp(pa); }

uint64_t halloc(uint64_t size);
uint64_t pcpu_area_pa(unsigned int cpu);
uint64_t pcpu_offset(unsigned int cpu); /* __per_cpu_offset[cpu] */
void build_image(void);
int map_view(void);

/* ------------------------------------------------ checking, per engine */

extern int engine; /* 0 interpreter, 1 JIT */
extern const char *const engine_name[2];
#define HUP_CHECK_SHARED
#define HUP_CHECK_TAG engine_name[engine]
#include "hup_check.h"

/* ------------------------------------------------ programs */

extern const char *hupcc_path, *srcdir, *outdir, *btf_path;

struct prog {
	const char *obj, *name;
	struct hup_prog *p[2];
	bool tried;
};
extern struct prog progs[64];
extern size_t nprogs;

struct out {
	uint8_t buf[4096];
	size_t len;
};

int compile(const char *name);
void ksym(const char *name, uint64_t addr);
int run_ctx(const char *obj, const char *name, void *ctx, size_t size,
	    uint32_t vcpu, int64_t *r0, struct out *o);
int query(const char *obj, const char *name, uint64_t a0, uint64_t a1,
	  uint64_t a2, uint64_t a3, int64_t *r0, struct out *o);
static inline uint64_t out64(const struct out *o, size_t i)
{
	uint64_t v = 0;

	if ((i + 1) * 8 <= o->len)
		memcpy(&v, o->buf + i * 8, 8);
	return v;
}

#endif /* HLIB_GUEST_H */
