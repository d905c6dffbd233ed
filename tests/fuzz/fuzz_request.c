// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the hyperupcall request path of hupvm against
 * arbitrary guest memory.  The input is split into a header (where the
 * block lies, CR3, LA57) and guest RAM contents (request block, bytecode,
 * page tables all come from it).  Each run copies and validates the block
 * (request.c), walks every window of a valid registration through the
 * guest's page tables (ptwalk.c) checking the runs' invariants, then hands
 * the same block to the whole backend (backend.c: view map, libhup load,
 * registry) and unregisters whatever got registered.  Nothing may crash,
 * leak or touch memory outside guest RAM (ASan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hyperupcall/backend.h"
#include "hyperupcall/ptwalk.h"
#include "hyperupcall/request.h"
#include "log.h"
#include "mem.h"

#define RAM_LOW (4u << 20)   /* [0, 4M) */
#define RAM_HIGH_BASE (4ull << 30)
#define RAM_SIZE (5u << 20)  /* + [4G, 4G + 1M) */
#define HDR 24
#define WALK_BUDGET 4096

struct header {
	uint64_t block_gpa;
	uint64_t cr3;
	uint64_t flags; /* 1: LA57, 2/4: unbounded block/CR3, 8: valid
			 * header, bits 8..: event */
};

static struct mem mem;
static struct backend be;
static struct ptw_root root;

static int f_paging(void *opaque, uint32_t cpu, struct ptw_root *r)
{
	(void)opaque;
	(void)cpu;
	*r = root;
	return 0;
}

static int f_msr(void *opaque, const uint32_t *msrs, unsigned int n)
{
	(void)opaque;
	(void)msrs;
	return n > 16 ? -28 : 0;
}

static const struct backend_ops ops = {
    .paging = f_paging, .msr_filter = f_msr};

static int check_run(void *opaque, uint64_t gva, uint64_t gpa, uint64_t off,
		     uint64_t len)
{
	uint64_t o;

	(void)opaque;
	if ((gva | gpa | off | len) & 0xfff || !len)
		__builtin_trap();
	if (!mem__gpa_to_hva(&mem, gpa, len) ||
	    mem__gpa_to_offset(&mem, gpa, len, &o) || o != off)
		__builtin_trap();
	return 0;
}

static int init(void)
{
	log__set_level(LOG_ERR);
	if (mem__create(&mem, RAM_SIZE, RAM_LOW, RAM_HIGH_BASE))
		return -1;
	return backend__create(&be, &mem, 2, &ops, NULL, 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct backend_prog_info info[8];
	struct hup_request r;
	enum hreq_reason why;
	struct header h;
	size_t n;

	if (!ready) {
		if (init())
			abort();
		ready = 1;
	}
	if (size < HDR)
		return 0;
	memcpy(&h, data, HDR);
	data += HDR;
	size -= HDR;
	/* guest RAM: the rest of the input, at the start of low RAM and
	 * mirrored at the start of high RAM; the rest stays zero */
	memset(mem.hva, 0, 64 * 1024);
	n = size < 64 * 1024 ? size : 64 * 1024;
	memcpy(mem.hva, data, n);
	memcpy(mem.hva + RAM_LOW, data, n);
	/* keep the interesting addresses mostly inside RAM */
	if (!(h.flags & 2))
		h.block_gpa %= 64 * 1024;
	if (!(h.flags & 4))
		h.cr3 %= 64 * 1024;
	root.cr3 = h.cr3;
	root.la57 = h.flags & 1;
	/* flag 8: a valid header, so most runs get past the first checks */
	if (h.flags & 8) {
		struct hup_request *b =
		    mem__gpa_to_hva(&mem, h.block_gpa & ~7ull, sizeof(*b));

		if (b) {
			b->magic = HUP_REQ_MAGIC;
			b->abi_version = HUP_ABI_VERSION;
			b->op = HUP_OP_REGISTER;
			b->flags = b->reserved0 = b->reserved1 = 0;
			b->event = 1 + (uint32_t)(h.flags >> 8) % HUP_EVENT_MAX;
			b->nr_windows %= HUP_MAX_WINDOWS + 1;
			b->insn_cnt %= 64;
			b->insns_gpa %= 64 * 1024;
			b->log_size %= 256;
			b->log_gpa %= 64 * 1024;
		}
	}

	if (!hreq__copy(&mem, h.block_gpa, &r, &why) &&
	    !hreq__validate(&mem, &r, &why) && r.op == HUP_OP_REGISTER) {
		for (uint32_t i = 0; i < r.nr_windows; i++)
			ptw__walk(&mem, &root, r.windows[i].gva,
				  r.windows[i].size, WALK_BUDGET, check_run,
				  NULL, NULL);
	}
	(void)hreq__reason_name(why);
	(void)hreq__errno(why);

	be.walk_budget = WALK_BUDGET;
	backend__submit(&be, 0, h.block_gpa);
	n = backend__list(&be, 0, info, 8);
	for (size_t i = 0; i < n; i++) {
		struct hup_request *u = mem__gpa_to_hva(&mem, 0x8000, sizeof(*u));

		memset(u, 0, sizeof(*u));
		u->magic = HUP_REQ_MAGIC;
		u->abi_version = HUP_ABI_VERSION;
		u->op = HUP_OP_UNREGISTER;
		u->prog_id = info[i].id;
		if (backend__submit(&be, 0, 0x8000))
			__builtin_trap();
	}
	if (be.reg.nr_progs || be.views.nr_views || be.views.maps)
		__builtin_trap();
	return 0;
}
