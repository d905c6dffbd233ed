// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/free_discard.c on a fake guest kernel, three ways on one
 * snapshot: the hyperupcall live in the backend, replayed from the
 * snapshot (JIT and interpreter), and hupreplay's native port
 * (backend/hupreplay/native_free_discard.c).  All must find the same free
 * pages, which must be the ones the fake buddy allocator holds.
 *
 * The fake kernel: a BTF written here (struct page, zone, pglist_data,
 * spinlock_t, enum zone_type, and for the 6.12 encoding enum pagetype),
 * its structures laid out in a memfd guest with page tables for the
 * direct map, vmemmap and kernel windows, and free_discard.o (hupcc)
 * relocated by hupload against that BTF, its ksyms filled as the guest
 * module does, registered through the doorbell path.  Both buddy
 * encodings (6.1, 6.12) are run; a BTF the object was not relocated
 * against is refused by the native port.
 *
 *   test_hupvm_replay_native_fake FREE_DISCARD_O
 */
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "fakeguest.h"
#include "hupload.h"
#include "hyperupcall/backend.h"
#include "native.h"
#include "replay.h"
#include "snapshot.h"

#define MB (1ull << 20)
#define RAM (64 * MB)
#define PAGES (RAM / 4096)
#define BLOCK 0x10000ull
#define INSNS 0x20000ull
#define LOG 0x40000ull
#define LOG_SIZE 16384u
#define VMEMMAP_GPA 0x800000ull /* PAGES * 64 = 1 MiB */
#define PGDAT_GPA 0x900000ull
#define KERN_GPA 0x1000000ull
#define DM 0xffff888000000000ull
#define VMEMMAP 0xffffea0000000000ull
#define KERN 0xffffffff81000000ull
#define VIEW_BITS 40

/* The fake kernel's layout (struct page as Debian's: 64 bytes). */
#define PAGE_PRIVATE 40
#define PAGE_TYPE 48
#define ZONE_START 88
#define ZONE_SPANNED 96
#define ZONE_LOCK 128
#define ZONE_SIZE 192
#define NR_ZONES 4
#define PGTY_BUDDY 0xf4u

static const char *obj;
static char dir[] = "/tmp/hup-native-fake-XXXXXX";
static struct fake_guest g;
static struct backend be;

static int f_paging(void *opaque, uint32_t cpu, struct ptw_root *root)
{
	(void)opaque;
	(void)cpu;
	*root = g.root;
	return 0;
}

static const struct backend_ops ops = {.paging = f_paging};

/* ---- the fake kernel's BTF */
static int member(struct btf *b, const char *name, int type, uint32_t off)
{
	return btf__add_field(b, name, type, off * 8, 0);
}

static void write_btf(const char *path, bool pgty, uint32_t zone_start)
{
	struct btf *b = btf__new_empty();
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int ul = btf__add_int(b, "long unsigned int", 8, 0);
	int q, raw, spin, zone, arr;
	const void *data;
	uint32_t size;
	int fd;

	btf__add_struct(b, "page", 64);
	member(b, "private", ul, PAGE_PRIVATE);
	member(b, "page_type", u32, PAGE_TYPE);
	q = btf__add_struct(b, "qspinlock", 4);
	member(b, "val", u32, 0);
	raw = btf__add_struct(b, "raw_spinlock", 4);
	member(b, "raw_lock", q, 0);
	spin = btf__add_struct(b, "spinlock", 4);
	member(b, "rlock", raw, 0);
	zone = btf__add_struct(b, "zone", ZONE_SIZE);
	member(b, "zone_start_pfn", ul, zone_start);
	member(b, "spanned_pages", ul, ZONE_SPANNED);
	member(b, "lock", spin, ZONE_LOCK);
	arr = btf__add_array(b, u32, zone, NR_ZONES);
	btf__add_struct(b, "pglist_data", ZONE_SIZE * NR_ZONES);
	member(b, "node_zones", arr, 0);
	btf__add_enum(b, "zone_type", 4);
	btf__add_enum_value(b, "ZONE_DMA", 0);
	btf__add_enum_value(b, "ZONE_DMA32", 1);
	btf__add_enum_value(b, "ZONE_NORMAL", 2);
	btf__add_enum_value(b, "ZONE_MOVABLE", 3);
	btf__add_enum_value(b, "__MAX_NR_ZONES", NR_ZONES);
	if (pgty) {
		btf__add_enum(b, "pagetype", 4);
		btf__add_enum_value(b, "PGTY_buffer", 0xf1);
		btf__add_enum_value(b, "PGTY_buddy", PGTY_BUDDY);
	}
	data = btf__raw_data(b, &size);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && data);
	CHECK_EQ(write(fd, data, size), size);
	close(fd);
	btf__free(b);
}

/* ---- the fake kernel's memory */
static uint64_t kvar(const char *name)
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
			return KERN + vars[i].off;
	fprintf(stderr, "free_discard names an unknown ksym %s\n", name);
	CHECK(0);
	return 0;
}

static void *kern(const char *name, size_t len)
{
	return fg_hva(&g, KERN_GPA + (kvar(name) - KERN), len);
}

static uint8_t *page(uint64_t pfn)
{
	return fg_hva(&g, VMEMMAP_GPA + pfn * 64, 64);
}

static void set_head(uint64_t pfn, unsigned int order, bool pgty)
{
	*(uint32_t *)(page(pfn) + PAGE_TYPE) =
	    pgty ? PGTY_BUDDY << 24 : 0xffffff7fu; /* PG_buddy clear */
	*(uint64_t *)(page(pfn) + PAGE_PRIVATE) = order;
}

static uint64_t rnd_state = 12345;

static uint64_t rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
	return rnd_state >> 33;
}

/* Zones DMA [1, 4096) and DMA32 [4096, PAGES); free blocks of random
 * order, and decoys nobody may report (an order past 10, a head that is
 * not aligned to its order).  Returns the pages in free blocks. */
static uint64_t build_kernel(bool pgty)
{
	static const uint64_t zones[2][2] = {{1, 4096}, {4096, PAGES}};
	uint8_t *pgdat = fg_hva(&g, PGDAT_GPA, ZONE_SIZE * NR_ZONES);
	uint64_t free_pages = 0;

	for (uint64_t pfn = 0; pfn < PAGES; pfn++) {
		memset(page(pfn), 0, 64);
		*(uint32_t *)(page(pfn) + PAGE_TYPE) =
		    pgty ? 0xffffffffu : 0xffffffffu; /* no type */
	}
	memset(pgdat, 0, ZONE_SIZE * NR_ZONES);
	*(uint64_t *)kern("vmemmap_base", 8) = VMEMMAP;
	((uint64_t *)kern("node_data", 16))[0] = DM + PGDAT_GPA;
	((uint64_t *)kern("node_data", 16))[1] = 0;
	*(uint8_t *)kern("_page_poisoning_enabled_early", 1) = 0;
	*(uint32_t *)kern("_page_poisoning_enabled", 4) = 0;
	for (int z = 0; z < 2; z++) {
		uint8_t *zone = pgdat + z * ZONE_SIZE;
		uint64_t pfn = zones[z][0], end = zones[z][1];

		*(uint64_t *)(zone + ZONE_START) = zones[z][0];
		*(uint64_t *)(zone + ZONE_SPANNED) = end - zones[z][0];
		while (pfn < end) {
			unsigned int o = (unsigned int)(rnd() % 11);
			uint64_t n = 1ull << o;

			pfn = (pfn + n - 1) & ~(n - 1);
			if (pfn + n > end) {
				pfn++;
				continue;
			}
			switch (rnd() % 4) {
			case 0:
			case 1:
				set_head(pfn, o, pgty);
				free_pages += n;
				break;
			case 2: /* allocated, with a decoy inside */
				if (n >= 4) {
					set_head(pfn + 1, 1, pgty);
					set_head(pfn + 2, 11, pgty);
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

static void map_windows(void)
{
	for (uint64_t a = 0; a < RAM; a += FG_2M)
		fg_map(&g, DM + a, a, FG_2M, 0);
	for (uint64_t a = 0; a < PAGES * 64; a += FG_4K)
		fg_map(&g, VMEMMAP + a, VMEMMAP_GPA + a, FG_4K, 0);
	fg_map(&g, KERN, KERN_GPA, FG_2M, 0);
}

/* free_discard.o relocated against btf by hupload, ksyms filled as the
 * guest module does, registered by vCPU 0. */
static uint32_t register_free_discard(const char *btf)
{
	struct hupload_opts opts = {.btf_path = btf};
	struct hup_request *blk = fg_hva(&g, BLOCK, sizeof(*blk));
	struct hupload_prog *progs = NULL;
	struct bpf_insn *in;
	struct hupobj o;
	size_t n = 0;
	char err[256] = "";
	uint32_t id = 0;

	CHECK_EQ(hupobj__open(&o, obj), 0);
	if (hupload__prepare(&o, &opts, &progs, &n, err, sizeof(err)) ||
	    n != 1) {
		fprintf(stderr, "hupload: %s\n", err);
		CHECK(0);
		goto out;
	}
	in = fg_hva(&g, INSNS, progs[0].lp.cnt * 8);
	memcpy(in, progs[0].lp.insns, progs[0].lp.cnt * 8);
	for (size_t k = 0; k < progs[0].nksyms; k++) {
		uint64_t a = kvar(progs[0].ksyms[k].name);

		in[progs[0].ksyms[k].insn_idx].imm = (int32_t)(uint32_t)a;
		in[progs[0].ksyms[k].insn_idx + 1].imm = (int32_t)(a >> 32);
	}
	memset(blk, 0, sizeof(*blk));
	blk->magic = HUP_REQ_MAGIC;
	blk->abi_version = HUP_ABI_VERSION;
	blk->op = HUP_OP_REGISTER;
	blk->event = HUP_EVENT_RECLAIM;
	blk->insn_cnt = (uint32_t)progs[0].lp.cnt;
	blk->insns_gpa = INSNS;
	blk->log_gpa = LOG;
	blk->log_size = LOG_SIZE;
	blk->nr_windows = 3;
	blk->windows[0] = (struct hup_window){DM, RAM,
					      HUP_WIN_READ | HUP_WIN_WRITE,
					      HUP_WIN_DIRECT_MAP};
	blk->windows[1] = (struct hup_window){VMEMMAP, PAGES * 64,
					      HUP_WIN_READ, HUP_WIN_VMEMMAP};
	blk->windows[2] = (struct hup_window){KERN, FG_2M, HUP_WIN_READ,
					      HUP_WIN_KERNEL};
	strcpy(blk->name, "free_discard");
	if (backend__submit(&be, 0, BLOCK)) {
		fprintf(stderr, "registration refused: %s\n",
			(char *)fg_hva(&g, LOG, LOG_SIZE));
		CHECK(0);
	}
	id = blk->prog_id;
out:
	hupload__free(progs, n);
	hupobj__close(&o);
	return id;
}

static uint64_t replay_pages(const char *snap, uint32_t id, bool no_jit,
			     const char *native_btf, int *native_err)
{
	struct replay_opts o = {.no_jit = no_jit};
	struct backend_reclaim_report rep;
	struct replay *r = malloc(sizeof(*r));
	struct native *n = NULL;
	char err[512] = "";
	uint64_t pages = UINT64_MAX;
	int e;

	CHECK_EQ(replay__open(r, snap, id, &o, err, sizeof(err)), 0);
	CHECK(!r->view_differs);
	if (native_btf) {
		e = native__open(&n, r, obj, native_btf, err, sizeof(err));
		if (native_err) {
			*native_err = e;
			if (e)
				CHECK(strstr(err, "differs from the "
						  "snapshot's program") != NULL);
			goto out;
		}
		if (e) {
			fprintf(stderr, "native: %s\n", err);
			CHECK(0);
			goto out;
		}
	}
	e = replay__reclaim(r, n ? native__decide : NULL, n, &rep);
	CHECK_EQ(e, 0);
	if (!e)
		pages = rep.pages;
out:
	native__close(n);
	replay__close(r);
	free(r);
	return pages;
}

static void run_kernel(bool pgty)
{
	struct backend_reclaim_opts o = {.gap_ns = 1, .dry_run = true};
	struct backend_reclaim_report rep;
	char btf[300], other[300], snap[300];
	uint64_t expect;
	uint32_t id;
	int fd, e = 0;

	snprintf(btf, sizeof(btf), "%s/vmlinux-%d.btf", dir, pgty);
	snprintf(other, sizeof(other), "%s/other-%d.btf", dir, pgty);
	snprintf(snap, sizeof(snap), "%s/guest-%d.snap", dir, pgty);
	write_btf(btf, pgty, ZONE_START);
	write_btf(other, pgty, ZONE_START - 8); /* not the guest's kernel */
	if (fg_init(&g, RAM, RAM, RAM, false) ||
	    backend__create(&be, &g.mem, 1, &ops, NULL, VIEW_BITS)) {
		CHECK(0);
		return;
	}
	expect = build_kernel(pgty);
	map_windows();
	id = register_free_discard(btf);
	CHECK(id != 0);
	CHECK(expect > PAGES / 4);
	/* live, in the backend that registered it */
	CHECK_EQ(backend__reclaim(&be, id, &o, &rep), 0);
	CHECK_EQ(rep.pages, expect);
	fd = open(snap, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK_EQ(snapshot__write(fd, &g.mem, &be, 1), 0);
	close(fd);
	CHECK_EQ(replay_pages(snap, id, false, NULL, NULL), expect);
	CHECK_EQ(replay_pages(snap, id, true, NULL, NULL), expect);
	CHECK_EQ(replay_pages(snap, id, false, btf, NULL), expect);
	replay_pages(snap, id, false, other, &e);
	CHECK_EQ(e, -EINVAL);
	printf("%s: %llu free pages found alike live, replayed (JIT, "
	       "interpreter) and native\n",
	       pgty ? "6.12 encoding" : "6.1 encoding",
	       (unsigned long long)expect);
	unlink(btf);
	unlink(other);
	unlink(snap);
	backend__destroy(&be);
	mem__destroy(&g.mem);
}

int main(int argc, char **argv)
{
	if (argc != 2 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: %s FREE_DISCARD_O\n", argv[0]);
		return 2;
	}
	obj = argv[1];
	run_kernel(false);
	run_kernel(true);
	rmdir(dir);
	return check_summary("replay_native_fake");
}
