/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A fake guest kernel for samples/free_discard.c, on the fake guest of
 * fakeguest.h: a BTF describing its structures (struct page, zone,
 * pglist_data, spinlock_t, enum zone_type, and enum pagetype for the 6.12
 * buddy encoding), those structures laid out in guest RAM with page
 * tables for the direct map, vmemmap and kernel windows, a buddy
 * allocator with free blocks of random orders and decoys nobody may
 * report, and free_discard.o relocated by hupload against the BTF, its
 * ksyms filled as the guest module does, registered through the doorbell.
 * Used by the replay_native_fake test and by bench-scan's synthetic
 * snapshot (bench/scan/mksnap.c).
 */
#ifndef HUPVM_TEST_FAKEKERNEL_H
#define HUPVM_TEST_FAKEKERNEL_H

#include <bpf/btf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakeguest.h"
#include "hupload.h"
#include "hyperupcall/backend.h"
#include "snapshot.h"

#define FK_BLOCK	   0x10000ull
#define FK_INSNS	   0x20000ull
#define FK_LOG		   0x40000ull
#define FK_LOG_SIZE	   16384u
#define FK_PGDAT_GPA	   0x900000ull
#define FK_KERN_GPA	   0x1000000ull
#define FK_VMEMMAP_GPA	   0x2000000ull /* pages * 64 bytes */
#define FK_DM		   0xffff888000000000ull
#define FK_VMEMMAP	   0xffffea0000000000ull
#define FK_KERN		   0xffffffff81000000ull
#define FK_MIN_RAM	   (64ull << 20)
#define FK_TABLES_ROOT_END (FG_TABLES + FG_4K) /* fg_init's root table */

/* The fake kernel's layout (struct page as Debian's: 64 bytes). */
#define FK_PAGE_PRIVATE 40
#define FK_PAGE_TYPE	48
#define FK_ZONE_START	88
#define FK_ZONE_SPANNED 96
#define FK_ZONE_LOCK	128
#define FK_ZONE_SIZE	192
#define FK_NR_ZONES	4
#define FK_PGTY_BUDDY	0xf4u

struct fake_kernel {
	struct fake_guest g;
	struct backend be;
	uint64_t ram, pages;
	bool pgty;     /* the 6.12 buddy encoding */
	uint64_t rnd;  /* the allocator's PRNG state */
	char err[512]; /* why fk_register failed */
};

static int fk_paging(void *opaque, uint32_t cpu, struct ptw_root *root)
{
	struct fake_kernel *k = opaque;

	(void)cpu;
	*root = k->g.root;
	return 0;
}

/* No VM to filter MSR writes for: accepting the filter lets msr_write
 * programs register (the tests raise the event with backend__msr_denied). */
static int fk_msr_filter(void *opaque, const uint32_t *msrs, unsigned int n)
{
	(void)opaque;
	(void)msrs;
	(void)n;
	return 0;
}

static const struct backend_ops fk_ops = {.paging = fk_paging,
					  .msr_filter = fk_msr_filter};

static inline int fk_member(struct btf *b, const char *name, int type,
			    uint32_t off)
{
	return btf__add_field(b, name, type, off * 8, 0);
}

/* The kernel's BTF into path; zone_start: offset of zone_start_pfn (a
 * kernel the object was not relocated against has another). 0/-errno. */
static inline int fk_write_btf(const char *path, bool pgty, uint32_t zone_start)
{
	struct btf *b = btf__new_empty();
	int u32, ul, q, raw, spin, zone, arr, fd, err = 0;
	const void *data;
	uint32_t size;

	if (!b)
		return -ENOMEM;
	u32 = btf__add_int(b, "unsigned int", 4, 0);
	ul = btf__add_int(b, "long unsigned int", 8, 0);
	btf__add_struct(b, "page", 64);
	fk_member(b, "private", ul, FK_PAGE_PRIVATE);
	fk_member(b, "page_type", u32, FK_PAGE_TYPE);
	q = btf__add_struct(b, "qspinlock", 4);
	fk_member(b, "val", u32, 0);
	raw = btf__add_struct(b, "raw_spinlock", 4);
	fk_member(b, "raw_lock", q, 0);
	spin = btf__add_struct(b, "spinlock", 4);
	fk_member(b, "rlock", raw, 0);
	zone = btf__add_struct(b, "zone", FK_ZONE_SIZE);
	fk_member(b, "zone_start_pfn", ul, zone_start);
	fk_member(b, "spanned_pages", ul, FK_ZONE_SPANNED);
	fk_member(b, "lock", spin, FK_ZONE_LOCK);
	arr = btf__add_array(b, u32, zone, FK_NR_ZONES);
	btf__add_struct(b, "pglist_data", FK_ZONE_SIZE * FK_NR_ZONES);
	fk_member(b, "node_zones", arr, 0);
	btf__add_enum(b, "zone_type", 4);
	btf__add_enum_value(b, "ZONE_DMA", 0);
	btf__add_enum_value(b, "ZONE_DMA32", 1);
	btf__add_enum_value(b, "ZONE_NORMAL", 2);
	btf__add_enum_value(b, "ZONE_MOVABLE", 3);
	btf__add_enum_value(b, "__MAX_NR_ZONES", FK_NR_ZONES);
	if (pgty) {
		btf__add_enum(b, "pagetype", 4);
		btf__add_enum_value(b, "PGTY_buffer", 0xf1);
		btf__add_enum_value(b, "PGTY_buddy", FK_PGTY_BUDDY);
	}
	data = btf__raw_data(b, &size);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (!data || fd < 0 || write(fd, data, size) != (ssize_t)size)
		err = -EIO;
	if (fd >= 0)
		close(fd);
	btf__free(b);
	return err;
}

/* Guest address of a kernel variable free_discard names (0: unknown). */
static inline uint64_t fk_kvar(const char *name)
{
	static const struct {
		const char *name;
		uint64_t off;
	} vars[] = {
	    {"vmemmap_base", 0x100},
	    {"node_data", 0x200},
	    {"contig_page_data", 0x300},
	    {"_page_poisoning_enabled_early", 0x400},
	    {"_page_poisoning_enabled", 0x408},
	};

	for (size_t i = 0; i < ARRAY_LEN(vars); i++)
		if (!strcmp(name, vars[i].name))
			return FK_KERN + vars[i].off;
	return 0;
}

static inline void *fk_kern(struct fake_kernel *k, const char *name, size_t len)
{
	return fg_hva(&k->g, FK_KERN_GPA + (fk_kvar(name) - FK_KERN), len);
}

/* Store a kernel field at a byte offset into guest memory: the compiler
 * cannot know the offset keeps the host type's alignment, so no cast. */
static inline void fk_put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static inline void fk_put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof(v)); }

static inline uint8_t *fk_page(struct fake_kernel *k, uint64_t pfn)
{
	return fg_hva(&k->g, FK_VMEMMAP_GPA + pfn * 64, 64);
}

static inline void fk_set_head(struct fake_kernel *k, uint64_t pfn,
			       unsigned int order)
{
	fk_put32(fk_page(k, pfn) + FK_PAGE_TYPE,
		 k->pgty ? FK_PGTY_BUDDY << 24 : 0xffffff7fu); /* PG_buddy clear */
	fk_put64(fk_page(k, pfn) + FK_PAGE_PRIVATE, order);
}

static inline uint64_t fk_rnd(struct fake_kernel *k)
{
	k->rnd = k->rnd * 6364136223846793005ull + 1442695040888963407ull;
	return k->rnd >> 33;
}

/* Zones DMA [1, 4096) and DMA32 [4096, pages); free blocks of random
 * order, and decoys nobody may report (an order past 10, a head not
 * aligned to its order).  Returns the pages in free blocks. */
static inline uint64_t fk_build_allocator(struct fake_kernel *k)
{
	const uint64_t zones[2][2] = {{1, 4096}, {4096, k->pages}};
	uint8_t *pgdat =
	    fg_hva(&k->g, FK_PGDAT_GPA, FK_ZONE_SIZE * FK_NR_ZONES);
	uint64_t free_pages = 0;

	for (uint64_t pfn = 0; pfn < k->pages; pfn++) {
		memset(fk_page(k, pfn), 0, 64);
		/* no page type (both encodings) */
		fk_put32(fk_page(k, pfn) + FK_PAGE_TYPE, 0xffffffffu);
	}
	memset(pgdat, 0, FK_ZONE_SIZE * FK_NR_ZONES);
	fk_put64(fk_kern(k, "vmemmap_base", 8), FK_VMEMMAP);
	fk_put64(fk_kern(k, "node_data", 16), FK_DM + FK_PGDAT_GPA);
	fk_put64((uint8_t *)fk_kern(k, "node_data", 16) + 8, 0);
	*(uint8_t *)fk_kern(k, "_page_poisoning_enabled_early", 1) = 0;
	fk_put32(fk_kern(k, "_page_poisoning_enabled", 4), 0);
	for (int z = 0; z < 2; z++) {
		uint8_t *zone = pgdat + z * FK_ZONE_SIZE;
		uint64_t pfn = zones[z][0], end = zones[z][1];

		fk_put64(zone + FK_ZONE_START, zones[z][0]);
		fk_put64(zone + FK_ZONE_SPANNED, end - zones[z][0]);
		while (pfn < end) {
			unsigned int o = (unsigned int)(fk_rnd(k) % 11);
			uint64_t n = 1ull << o;

			pfn = (pfn + n - 1) & ~(n - 1);
			if (pfn + n > end) {
				pfn++;
				continue;
			}
			switch (fk_rnd(k) % 4) {
			case 0:
			case 1:
				fk_set_head(k, pfn, o);
				free_pages += n;
				break;
			case 2: /* allocated, with decoys inside */
				if (n >= 4) {
					fk_set_head(k, pfn + 1, 1);
					fk_set_head(k, pfn + 2, 11);
				}
				break;
			default: /* allocated */
				break;
			}
			pfn += n;
		}
	}
	return free_pages;
}

static inline void fk_map_windows(struct fake_kernel *k)
{
	uint64_t vsize = k->pages * 64;

	for (uint64_t a = 0; a < k->ram; a += FG_2M)
		fg_map(&k->g, FK_DM + a, a, FG_2M, 0);
	for (uint64_t a = 0; a < vsize;) {
		uint64_t sz = vsize - a >= FG_2M ? FG_2M : FG_4K;

		fg_map(&k->g, FK_VMEMMAP + a, FK_VMEMMAP_GPA + a, sz, 0);
		a += sz;
	}
	fg_map(&k->g, FK_KERN, FK_KERN_GPA, FG_2M, 0);
}

/* RAM (a multiple of 2 MiB, >= FK_MIN_RAM, one region), the backend, the
 * kernel; returns the pages its allocator holds free, 0 on failure. */
static inline uint64_t fk_init(struct fake_kernel *k, uint64_t ram, bool pgty)
{
	memset(k, 0, sizeof(*k));
	k->ram = ram;
	k->pages = ram / 4096;
	k->pgty = pgty;
	k->rnd = 12345;
	if (ram < FK_MIN_RAM || ram % FG_2M ||
	    FK_VMEMMAP_GPA + k->pages * 64 > ram ||
	    fg_init(&k->g, ram, ram, ram, false))
		return 0;
	/* All of RAM written but the root table fg_init made (a reclaim,
	 * dry or not, skips what the host never allocated; later tables are
	 * zeroed as they are taken) */
	memset(k->g.mem.hva, 0xab, FK_TABLES_ROOT_END - FG_4K);
	memset(k->g.mem.hva + FK_TABLES_ROOT_END, 0xab,
	       ram - FK_TABLES_ROOT_END);
	if (backend__create(&k->be, &k->g.mem, 1, &fk_ops, k, 0)) {
		mem__destroy(&k->g.mem);
		return 0;
	}
	fk_map_windows(k);
	return fk_build_allocator(k);
}

/* The fake guest dumped to path (a new file, as hupctl dump writes one,
 * one vCPU): 0 or -errno. */
static inline int fk_dump(struct fake_kernel *k, const char *path)
{
	int fd, err;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	err = fd < 0 ? -errno : snapshot__write(fd, &k->g.mem, &k->be, 1);
	if (fd >= 0 && close(fd) && !err)
		err = -errno;
	return err;
}

static inline void fk_exit(struct fake_kernel *k)
{
	backend__destroy(&k->be);
	mem__destroy(&k->g.mem);
}

/*
 * obj's one program relocated against btf by hupload, its ksyms filled
 * from kvar (as the guest module does; an unknown one refuses), registered
 * by vCPU 0 through the doorbell for its own event with event_arg and the
 * nw windows w.  The id, or 0 with k->err set.
 */
static inline uint32_t fk_register_obj(struct fake_kernel *k, const char *obj,
				       const char *btf, uint64_t event_arg,
				       const struct hup_window *w, uint32_t nw,
				       uint64_t (*kvar)(const char *name))
{
	struct hupload_opts opts = {.btf_path = btf};
	struct hup_request *blk = fg_hva(&k->g, FK_BLOCK, sizeof(*blk));
	struct hupload_prog *progs = NULL;
	struct bpf_insn *in;
	struct hupobj o;
	size_t n = 0;
	uint32_t id = 0;

	k->err[0] = 0;
	if (hupobj__open(&o, obj)) {
		snprintf(k->err, sizeof(k->err), "%s: unreadable", obj);
		goto out;
	}
	if (hupload__prepare(&o, &opts, &progs, &n, k->err, sizeof(k->err)) ||
	    n != 1)
		goto out;
	in = fg_hva(&k->g, FK_INSNS, progs[0].lp.cnt * 8);
	memcpy(in, progs[0].lp.insns, progs[0].lp.cnt * 8);
	for (size_t i = 0; i < progs[0].nksyms; i++) {
		uint64_t a = kvar(progs[0].ksyms[i].name);

		if (!a) {
			snprintf(k->err, sizeof(k->err), "unknown ksym %s",
				 progs[0].ksyms[i].name);
			goto out;
		}
		in[progs[0].ksyms[i].insn_idx].imm = (int32_t)(uint32_t)a;
		in[progs[0].ksyms[i].insn_idx + 1].imm = (int32_t)(a >> 32);
	}
	memset(blk, 0, sizeof(*blk));
	blk->magic = HUP_REQ_MAGIC;
	blk->abi_version = HUP_ABI_VERSION;
	blk->op = HUP_OP_REGISTER;
	blk->event = progs[0].lp.event;
	blk->event_arg = event_arg;
	blk->insn_cnt = (uint32_t)progs[0].lp.cnt;
	blk->insns_gpa = FK_INSNS;
	blk->log_gpa = FK_LOG;
	blk->log_size = FK_LOG_SIZE;
	blk->nr_windows = nw;
	if (nw)
		memcpy(blk->windows, w, nw * sizeof(*w));
	snprintf(blk->name, sizeof(blk->name), "%s", progs[0].name);
	if (backend__submit(&k->be, 0, FK_BLOCK))
		snprintf(k->err, sizeof(k->err), "registration refused: %s",
			 (char *)fg_hva(&k->g, FK_LOG, FK_LOG_SIZE));
	else
		id = blk->prog_id;
out:
	hupload__free(progs, n);
	hupobj__close(&o);
	return id;
}

/* free_discard.o with the windows it documents (kernel, direct:rw,
 * vmemmap). */
static inline uint32_t fk_register(struct fake_kernel *k, const char *obj,
				   const char *btf)
{
	const struct hup_window w[] = {
	    {FK_DM, k->ram, HUP_WIN_READ | HUP_WIN_WRITE, HUP_WIN_DIRECT_MAP},
	    {FK_VMEMMAP, k->pages * 64, HUP_WIN_READ, HUP_WIN_VMEMMAP},
	    {FK_KERN, FG_2M, HUP_WIN_READ, HUP_WIN_KERNEL},
	};

	return fk_register_obj(k, obj, btf, 0, w, 3, fk_kvar);
}

#endif
