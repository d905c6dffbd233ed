// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/dmesg.c against fake guest kernels: the object prepared by
 * hupload's own code (CO-RE against a BTF, the bitfield level included),
 * verified and run on libhup (interpreter and JIT) over a guest-memory
 * image holding a printk ring built here as the kernel's writer leaves
 * it.  The layouts are read from the BTF by name, so the same rings are
 * built for a hand-made kernel and for Debian's (NAME=BTF arguments).
 *
 * Each ring is checked against what this file wrote, record by record:
 *   - a ring that wrapped, its oldest data overwritten (descriptors
 *     recycled, made reusable), a text block wrapped to the ring's start,
 *     a text longer than the record's, a committed (still open) record, a
 *     reserved one at the head, a lost text (FAILED_LPOS), an empty one
 *     (NO_LPOS), an info whose seq is another slot's, a text_len longer
 *     than its block, ids crossing the 62-bit wrap; the last N of them
 *     for several N;
 *   - the empty ring as the kernel boots with it: no record;
 *   - a kernel without prb (weak ksym 0), a ring of no believable geometry
 *     and a printk_info without level: a negative errno and a host log
 *     line each.
 *
 *   dmesg_fake DMESG_O [NAME=BTF]...
 */
#define _GNU_SOURCE
#include <bpf/btf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hup/libhup.h>
#include <hyperupcall/abi.h>
#include <linux/bpf.h>

#include "check.h"
#include "hupload.h"
#include "hup_test_btf.h"
#include "hup_test_budget.h"
#include "hup_test_gmem.h"

#define GMEM_SIZE (1u << 20)
#define GMEM_GVA 0xffff888000000000ull
#define TEXT_LEN 128 /* struct dmesg_rec.text */
#define DMESG_MAX 64 /* the sample's bound */

/* The ring protocol's constants (kernel/printk/printk_ringbuffer.h). */
#define SV_SHIFT 62
#define ID_MASK (~(3ull << SV_SHIFT))
enum { ST_RESERVED, ST_COMMITTED, ST_FINALIZED, ST_REUSABLE };
#define FAILED_LPOS 1ull
#define NO_LPOS 3ull

/* struct dmesg_rec of the sample, as it lands in the answer. */
struct rec {
	uint64_t seq, ts_nsec;
	uint16_t text_len;
	uint8_t facility, level;
	char text[TEXT_LEN];
};

/* ------------------------------------------------------------ layouts */

struct layout {
	uint32_t desc_size, info_size;
	/* bit offsets */
	uint32_t rb_count_bits, rb_descs, rb_infos, rb_head_id, rb_tail_id,
		rb_size_bits, rb_data, rb_head_lpos, rb_tail_lpos;
	uint32_t d_state, d_begin, d_next;
	uint32_t i_seq, i_ts, i_text_len, i_facility, i_level, i_level_bits;
	uint32_t rb_size;
};

static int layout_of(const struct btf *b, struct layout *l)
{
	static const struct {
		const char *s, *path;
		size_t off;
	} m[] = {
#define M(s, p, f) { s, p, offsetof(struct layout, f) }
		M("printk_ringbuffer", "desc_ring.count_bits", rb_count_bits),
		M("printk_ringbuffer", "desc_ring.descs", rb_descs),
		M("printk_ringbuffer", "desc_ring.infos", rb_infos),
		M("printk_ringbuffer", "desc_ring.head_id", rb_head_id),
		M("printk_ringbuffer", "desc_ring.tail_id", rb_tail_id),
		M("printk_ringbuffer", "text_data_ring.size_bits", rb_size_bits),
		M("printk_ringbuffer", "text_data_ring.data", rb_data),
		M("printk_ringbuffer", "text_data_ring.head_lpos", rb_head_lpos),
		M("printk_ringbuffer", "text_data_ring.tail_lpos", rb_tail_lpos),
		M("prb_desc", "state_var", d_state),
		M("prb_desc", "text_blk_lpos.begin", d_begin),
		M("prb_desc", "text_blk_lpos.next", d_next),
		M("printk_info", "seq", i_seq),
		M("printk_info", "ts_nsec", i_ts),
		M("printk_info", "text_len", i_text_len),
		M("printk_info", "facility", i_facility),
#undef M
	};

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		uint32_t bit_off;

		if (hup_test_btf__member(b, m[i].s, m[i].path, &bit_off, NULL, NULL)) {
			fprintf(stderr, "no %s.%s in the BTF\n", m[i].s,
				m[i].path);
			return -ENOENT;
		}
		/* the field by its offset in l (a char pointer's cast to
		 * uint32_t * would claim an alignment it cannot prove) */
		memcpy((char *)l + m[i].off, &bit_off, sizeof(bit_off));
	}
	/* A kernel without the level bitfield: its records are never
	 * written here (the program must refuse it first). */
	if (hup_test_btf__member(b, "printk_info", "level", &l->i_level,
				 &l->i_level_bits, NULL))
		l->i_level_bits = 0;
	l->desc_size = hup_test_btf__struct_size(b, "prb_desc");
	l->info_size = hup_test_btf__struct_size(b, "printk_info");
	l->rb_size = hup_test_btf__struct_size(b, "printk_ringbuffer");
	return l->desc_size && l->info_size && l->rb_size ? 0 : -ENOENT;
}

/* ------------------------------------------------- guest memory image */

static struct hup_test_gmem gmem;

static uint64_t galloc(size_t size, uint8_t **host)
{
	return hup_test_gmem__alloc(&gmem, size, (void **)host);
}

static void put64(uint8_t *base, uint32_t bit_off, uint64_t v)
{
	memcpy(base + bit_off / 8, &v, 8);
}

static void put32(uint8_t *base, uint32_t bit_off, uint32_t v)
{
	memcpy(base + bit_off / 8, &v, 4);
}

static void put16(uint8_t *base, uint32_t bit_off, uint16_t v)
{
	memcpy(base + bit_off / 8, &v, 2);
}

/* A bitfield of bits bits at bit_off (little endian, as x86's). */
static void put_bits(uint8_t *base, uint32_t bit_off, uint32_t bits,
		     uint64_t v)
{
	uint64_t w;

	memcpy(&w, base + bit_off / 8, 8);
	w &= ~(((1ull << bits) - 1) << (bit_off % 8));
	w |= (v & ((1ull << bits) - 1)) << (bit_off % 8);
	memcpy(base + bit_off / 8, &w, 8);
}

static uint64_t get64(const uint8_t *base, uint32_t bit_off)
{
	uint64_t v;

	memcpy(&v, base + bit_off / 8, 8);
	return v;
}

/* One record as this file wrote it, and what a reader may show of it. */
struct written {
	uint64_t id, seq, ts;
	uint8_t level, facility;
	char text[300];
	int readable; /* finalized, its text (or its emptiness) intact */
};

/* The ring being built, with the kernel writer's bookkeeping. */
struct ring {
	const struct layout *l;
	uint64_t prb_var;	  /* gva of the prb pointer variable */
	uint8_t *rb, *descs, *infos, *data;
	uint64_t rb_gva, descs_gva, infos_gva, data_gva;
	unsigned int count_bits, size_bits;
	uint64_t head_lpos, tail_lpos;
	uint64_t next_seq;
	struct written w[64];
	int nw;
	/* the text ring's blocks, oldest first: [first, nb) are live */
	struct block {
		uint64_t begin, next;
		int owner; /* index in w */
	} b[64];
	int first, nb;
};

static uint8_t *desc_at(struct ring *r, uint64_t id)
{
	return r->descs + (id & ((1ull << r->count_bits) - 1)) * r->l->desc_size;
}

static uint8_t *info_at(struct ring *r, uint64_t id)
{
	return r->infos + (id & ((1ull << r->count_bits) - 1)) * r->l->info_size;
}

static void set_state(struct ring *r, uint64_t id, unsigned int st)
{
	put64(desc_at(r, id), r->l->d_state,
	      ((uint64_t)st << SV_SHIFT) | (id & ID_MASK));
}

/* The ring as the kernel's initializer leaves it (the "Bootstrap" of
 * printk_ringbuffer.h): the last descriptor reusable with the id before
 * the first, infos[0].seq one wrap back so that the first record is 0. */
static void ring_init(struct ring *r, const struct layout *l,
		      unsigned int count_bits, unsigned int size_bits)
{
	uint64_t count = 1ull << count_bits, desc0 = -(count + 1) & ID_MASK;
	uint8_t *v;

	hup_test_gmem__reset(&gmem);
	memset(r, 0, sizeof(*r));
	r->l = l;
	r->count_bits = count_bits;
	r->size_bits = size_bits;
	r->prb_var = galloc(8, &v);
	r->rb_gva = galloc(l->rb_size, &r->rb);
	r->descs_gva = galloc(count * l->desc_size, &r->descs);
	r->infos_gva = galloc(count * l->info_size, &r->infos);
	r->data_gva = galloc(1ull << size_bits, &r->data);
	memcpy(v, &r->rb_gva, 8);
	put32(r->rb, l->rb_count_bits, count_bits);
	put64(r->rb, l->rb_descs, r->descs_gva);
	put64(r->rb, l->rb_infos, r->infos_gva);
	put64(r->rb, l->rb_head_id, desc0);
	put64(r->rb, l->rb_tail_id, desc0);
	put32(r->rb, l->rb_size_bits, size_bits);
	put64(r->rb, l->rb_data, r->data_gva);
	r->head_lpos = r->tail_lpos = -(1ull << size_bits);
	put64(r->rb, l->rb_head_lpos, r->head_lpos);
	put64(r->rb, l->rb_tail_lpos, r->tail_lpos);
	set_state(r, desc0, ST_REUSABLE);
	put64(desc_at(r, desc0), l->d_begin, FAILED_LPOS);
	put64(desc_at(r, desc0), l->d_next, FAILED_LPOS);
	put64(info_at(r, 0), l->i_seq, -count);
	put64(info_at(r, count - 1), l->i_seq, 0);
	r->next_seq = 0; /* the first id is one wrap back: index 0 */
	/* Where a reader that ignores the wrap would look: never text. */
	memset(r->data, '#', 1ull << size_bits);
}

/* The oldest text block goes (the kernel's data_push_tail()): the record
 * that held it, if its descriptor still does, becomes reusable, as
 * data_make_reusable() leaves it. */
static void pop_block(struct ring *r)
{
	struct block *b = &r->b[r->first++];
	struct written *w = &r->w[b->owner];
	uint64_t sv = get64(desc_at(r, w->id), r->l->d_state);

	r->tail_lpos = b->next;
	put64(r->rb, r->l->rb_tail_lpos, r->tail_lpos);
	if ((sv & ID_MASK) == w->id) {
		set_state(r, w->id, ST_REUSABLE);
		w->readable = 0;
	}
}

/* The text ring's data block for size bytes of record w: placed at
 * head_lpos, or, if it would cross the ring's end, at its start with next
 * one wrap on (the kernel's get_next_lpos()); the oldest blocks make room. */
static uint8_t *data_alloc(struct ring *r, int owner, size_t size,
			   uint64_t *begin, uint64_t *next)
{
	uint64_t ring = 1ull << r->size_bits, b = r->head_lpos, n = b + size;
	uint8_t *blk;

	if (b >> r->size_bits != n >> r->size_bits)
		n = (n & ~(ring - 1)) + size;
	while (n - r->tail_lpos > ring && r->first < r->nb)
		pop_block(r);
	if (r->nb == (int)(sizeof(r->b) / sizeof(r->b[0]))) {
		fprintf(stderr, "too many blocks\n");
		exit(2);
	}
	r->b[r->nb++] = (struct block){ b, n, owner };
	*begin = b;
	*next = n;
	blk = r->data + ((n - size) & (ring - 1));
	memcpy(blk, &r->w[owner].id, 8);
	r->head_lpos = n;
	put64(r->rb, r->l->rb_head_lpos, r->head_lpos);
	return blk;
}

enum how {
	FINAL,	   /* an ordinary record */
	COMMITTED, /* still open for a continuation line */
	RESERVED,  /* a writer is filling it in */
	LOST,	   /* its text could not be stored (FAILED_LPOS) */
	EMPTY,	   /* an empty text (NO_LPOS) */
	BAD_SEQ,   /* info.seq of another slot: not this descriptor's info */
	SHORT,	   /* text_len longer than its data block holds */
};

/* The next record: a new id at the head, its descriptor recycled (and
 * with it the text blocks up to the old record's, as desc_push_tail()
 * does). */
static void emit(struct ring *r, const char *text, uint8_t level,
		 uint8_t facility, enum how how)
{
	const struct layout *l = r->l;
	uint64_t count = 1ull << r->count_bits;
	uint64_t head = get64(r->rb, l->rb_head_id);
	uint64_t id = (head + 1) & ID_MASK, begin = NO_LPOS, next = NO_LPOS;
	uint64_t seq = r->next_seq++, ts = 1000000000ull + seq * 1234567ull;
	size_t len = how == EMPTY ? 0 : strlen(text);
	uint8_t *info = info_at(r, id), *blk;
	struct written *w;
	int me = r->nw;

	if (r->nw == (int)(sizeof(r->w) / sizeof(r->w[0]))) {
		fprintf(stderr, "too many records\n");
		exit(2);
	}
	for (int i = 0; i < r->nw; i++) {
		if ((r->w[i].id & (count - 1)) != (id & (count - 1)) ||
		    r->w[i].readable < 0)
			continue;
		for (int k = r->first; k < r->nb; k++)
			if (r->b[k].owner == i)
				while (r->first <= k)
					pop_block(r);
		r->w[i].readable = -1;
	}
	w = &r->w[r->nw++];
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->seq = seq;
	w->ts = ts;
	w->level = level;
	w->facility = facility;
	w->readable = -1;
	snprintf(w->text, sizeof(w->text), "%s", how == EMPTY ? "" : text);

	set_state(r, id, ST_RESERVED);
	put64(r->rb, l->rb_head_id, id);
	memset(info, 0, l->info_size);
	put64(info, l->i_seq, how == BAD_SEQ ? seq + 1 : seq);
	put64(info, l->i_ts, ts);
	put16(info, l->i_text_len, (uint16_t)(how == SHORT ? len + 64 : len));
	info[l->i_facility / 8] = facility;
	if (l->i_level_bits)
		put_bits(info, l->i_level, l->i_level_bits, level);
	if (how == LOST) {
		begin = next = FAILED_LPOS;
	} else if (how != EMPTY) {
		blk = data_alloc(r, me, (8 + len + 7) & ~7ul, &begin, &next);
		memcpy(blk + 8, text, len);
	}
	put64(desc_at(r, id), l->d_begin, begin);
	put64(desc_at(r, id), l->d_next, next);
	if (how != RESERVED)
		set_state(r, id, how == COMMITTED ? ST_COMMITTED :
						    ST_FINALIZED);
	w->readable = how == FINAL || how == EMPTY;
}

/* -------------------------------------------------------- the program */

struct prog {
	struct hup_prog *p[2]; /* interpreter, JIT */
};

static struct hup_view *view;
static char vlog[65536];

static int load(const char *obj, const char *btf, uint64_t prb, struct prog *out,
		const char *what)
{
	struct hupload_opts opts = { .btf_path = btf };
	struct hupload_prog *p = NULL;
	struct hupobj o;
	size_t n = 0;
	char err[640];
	int e = hupobj__open(&o, obj);

	memset(out, 0, sizeof(*out));
	if (e) {
		CHECK_MSG(0, "%s: cannot open %s", what, obj);
		return e;
	}
	e = hupload__prepare(&o, &opts, &p, &n, err, sizeof(err));
	CHECK_MSG(!e && n == 1, "%s: prepare: %s", what, err);
	if (e || n != 1)
		goto out;
	CHECK_MSG(p->core_applied > 0 && !p->core_poisoned, "%s: CO-RE: %u "
		  "applied, %u unresolved", what, p->core_applied,
		  p->core_poisoned);
	CHECK_MSG(p->nksyms > 0, "%s: no ksym", what);
	for (size_t k = 0; k < p->nksyms; k++) {
		struct bpf_insn *in = (struct bpf_insn *)p->lp.insns;

		CHECK_MSG(!strcmp(p->ksyms[k].name, "prb") &&
			  p->ksyms[k].flags & HUP_KSYM_WEAK,
			  "%s: ksym %s flags %#x", what, p->ksyms[k].name,
			  p->ksyms[k].flags);
		in[p->ksyms[k].insn_idx].imm = (int32_t)(uint32_t)prb;
		in[p->ksyms[k].insn_idx + 1].imm = (int32_t)(prb >> 32);
	}
	for (int jit = 0; jit < 2 && !e; jit++) {
		struct hup_load_opts lo = {
			.sz = sizeof(lo), .view = view, .log_buf = vlog,
			.log_size = sizeof(vlog), .name = p->name,
			.no_jit = !jit, .budget_us = HUP_TEST_RUN_BUDGET_US,
		};

		vlog[0] = 0;
		e = hup_prog__load(p->lp.insns, p->lp.cnt, p->lp.event, &lo,
				   &out->p[jit]);
		CHECK_MSG(!e, "%s: verifier refused it (%d): %s", what, e, vlog);
	}
out:
	if (p)
		hupload__free(p, n);
	hupobj__close(&o);
	return e ? e : (n == 1 ? 0 : -EINVAL);
}

static void unload(struct prog *p)
{
	hup_prog__free(p->p[0]);
	hup_prog__free(p->p[1]);
}

struct answer {
	struct rec recs[DMESG_MAX + 1];
	size_t bytes;
	char log[256];
};

static int on_output(void *opaque, const void *buf, uint32_t size)
{
	struct answer *a = opaque;

	if (size > sizeof(a->recs) - a->bytes)
		return -ENOSPC;
	memcpy((char *)a->recs + a->bytes, buf, size);
	a->bytes += size;
	return 0;
}

static void on_print(void *opaque, const char *line, uint32_t len)
{
	struct answer *a = opaque;

	snprintf(a->log, sizeof(a->log), "%.*s", (int)len, line);
}

static int run(struct hup_prog *p, uint64_t n, struct answer *a, long *r0)
{
	struct hup_query_ctx ctx = { .arg = { n } };
	struct hup_run_env env = {
		.sz = sizeof(env), .output = on_output,
		.debug_print = on_print, .opaque = a,
	};
	struct hup_run_result res = { 0, 0 };
	int e;

	memset(a, 0, sizeof(*a));
	e = hup_prog__run(p, &ctx, sizeof(ctx), &env, &res);
	*r0 = (long)res.r0;
	return e;
}

/* The last n records of ring r as a reader must see them: of the last n
 * ids, those readable, oldest first. */
static size_t expected(const struct ring *r, uint64_t n,
		       const struct written **out)
{
	uint64_t head = get64(r->rb, r->l->rb_head_id);
	uint64_t count = 1ull << r->count_bits;
	size_t k = 0;

	if (!n || n > DMESG_MAX)
		n = DMESG_MAX;
	if (n > count)
		n = count;
	for (int i = 0; i < r->nw; i++)
		if (r->w[i].readable > 0 &&
		    ((head - r->w[i].id) & ID_MASK) < n)
			out[k++] = &r->w[i];
	return k;
}

static void check_answer(const char *what, const struct ring *r, uint64_t n,
			 const struct answer *a, long r0)
{
	const struct written *want[DMESG_MAX];
	size_t k = expected(r, n, want), got = a->bytes / sizeof(struct rec);

	CHECK_MSG(a->bytes % sizeof(struct rec) == 0, "%s: %zu bytes", what,
		  a->bytes);
	CHECK_MSG(r0 == (long)got && got == k, "%s: r0 %ld, %zu records, want "
		  "%zu", what, r0, got, k);
	for (size_t i = 0; i < k && i < got; i++) {
		const struct rec *g = &a->recs[i];
		const struct written *w = want[i];
		char t[TEXT_LEN];

		/* what fits, as the program cuts it */
		memset(t, 0, sizeof(t));
		memcpy(t, w->text, strnlen(w->text, sizeof(t) - 1));
		CHECK_MSG(g->seq == w->seq && g->ts_nsec == w->ts &&
			  g->text_len == strlen(w->text) &&
			  g->level == w->level && g->facility == w->facility &&
			  !memcmp(g->text, t, strlen(t) + 1),
			  "%s: record %zu: seq %llu ts %llu len %u level %u "
			  "facility %u \"%.*s\", want seq %llu ts %llu len %zu "
			  "level %u facility %u \"%s\"", what, i,
			  (unsigned long long)g->seq,
			  (unsigned long long)g->ts_nsec, g->text_len, g->level,
			  g->facility, TEXT_LEN, g->text,
			  (unsigned long long)w->seq,
			  (unsigned long long)w->ts, strlen(w->text), w->level,
			  w->facility, t);
		/* the rest of the text field is zeroed, not guest bytes */
		for (size_t j = strlen(g->text); j < TEXT_LEN; j++)
			if (g->text[j]) {
				CHECK_MSG(0, "%s: record %zu: byte %zu of text "
					  "not 0", what, i, j);
				break;
			}
	}
}

/* Which of the interesting cases the ring holds within the last n ids. */
static void check_coverage(const struct ring *r, const char *what)
{
	uint64_t ring = 1ull << r->size_bits, count = 1ull << r->count_bits;
	uint64_t head = get64(r->rb, r->l->rb_head_id);
	int wrapped = 0, skipped = 0;

	for (int i = 0; i < r->nw; i++) {
		uint64_t id = r->w[i].id;

		if (((head - id) & ID_MASK) >= count)
			continue;
		const uint8_t *d = r->descs + (id & ((1ull << r->count_bits) - 1)) *
					      r->l->desc_size;
		uint64_t b = get64(d, r->l->d_begin), nx = get64(d, r->l->d_next);

		if (r->w[i].readable > 0 && !(b & 1) &&
		    b >> r->size_bits != nx >> r->size_bits &&
		    (nx & (ring - 1)))
			wrapped++;
		if (r->w[i].readable == 0)
			skipped++;
	}
	CHECK_MSG(wrapped >= 1 && skipped >= 4, "%s: the ring holds %d wrapped "
		  "texts and %d records to skip: the test no longer tests them",
		  what, wrapped, skipped);
}

static const char *const texts[] = {
	"Linux version 6.1.0-57-cloud-amd64 (fake)",
	"Command line: console=ttyS0",
	"x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'",
	"BIOS-provided physical RAM map:",
	"ACPI: RSDP 0x00000000000F0000 000024 (v02 HUPVM )",
	"clocksource: tsc: mask: 0xffffffffffffffff",
	"a line\twith a tab and \\ a backslash",
	"Freeing unused kernel image memory: 2048K",
	"random: crng init done",
	"hyperupcall: backend ABI 1.0, doorbell port 0xe80, events 0x7e",
};

static void ring_checks(const char *obj, const char *name, const char *btf,
			const struct layout *l)
{
	char long_text[256], what[96];
	struct answer a;
	struct ring r;
	struct prog p;
	int nrecs = 0;
	long r0;

	memset(long_text, 'L', 200);
	long_text[200] = 0;

	/* The empty ring the kernel boots with. */
	ring_init(&r, l, 4, 9);
	if (load(obj, btf, r.prb_var, &p, name))
		return;
	for (int e = 0; e < 2; e++) {
		snprintf(what, sizeof(what), "%s empty ring (%s)", name,
			 e ? "jit" : "interp");
		CHECK_MSG(!run(p.p[e], 0, &a, &r0), "%s: run failed", what);
		check_answer(what, &r, 0, &a, r0);
	}

	/* 16 descriptors and 1 KiB of text, filled past both their ends:
	 * ids and text blocks are recycled, and the ids pass the 62-bit
	 * wrap on the way (the first record's id is then near it). */
	ring_init(&r, l, 4, 10);
	put64(r.rb, l->rb_head_id, ID_MASK - 16);
	put64(r.rb, l->rb_tail_id, ID_MASK - 16);
	r.next_seq = 16 * 1000;
	for (int i = 0; i < 24; i++) {
		static const enum how hows[24] = {
			[5] = LOST, [9] = COMMITTED, [13] = EMPTY,
			[16] = BAD_SEQ, [17] = LOST,
			[20] = COMMITTED, [21] = EMPTY, [22] = SHORT,
		};
		const char *t = i == 19 ? long_text : texts[i % 10];

		emit(&r, t, (uint8_t)(i % 8), (uint8_t)(i % 3), hows[i]);
	}
	/* A writer at the head. */
	emit(&r, "a record being written", 6, 0, RESERVED);
	check_coverage(&r, name);
	for (int e = 0; e < 2; e++) {
		static const uint64_t ns[] = { 0, 1, 3, 7, 16, 17, 500 };

		nrecs = r.nw;
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			snprintf(what, sizeof(what), "%s wrapped ring, n=%llu (%s)",
				 name, (unsigned long long)ns[i],
				 e ? "jit" : "interp");
			CHECK_MSG(!run(p.p[e], ns[i], &a, &r0), "%s: run failed",
				  what);
			check_answer(what, &r, ns[i], &a, r0);
		}
	}
	unload(&p);

	/* A ring of no believable geometry: refused with a reason. */
	ring_init(&r, l, 4, 9);
	put32(r.rb, l->rb_count_bits, 0);
	if (!load(obj, btf, r.prb_var, &p, name)) {
		for (int e = 0; e < 2; e++) {
			CHECK_MSG(!run(p.p[e], 0, &a, &r0) && r0 == -EINVAL &&
				  !a.bytes && strstr(a.log, "geometry"),
				  "%s: count_bits 0: r0 %ld, %zu bytes, log \"%s\"",
				  name, r0, a.bytes, a.log);
		}
		unload(&p);
	}

	/* A kernel without prb: the weak ksym is 0. */
	if (!load(obj, btf, 0, &p, name)) {
		for (int e = 0; e < 2; e++)
			CHECK_MSG(!run(p.p[e], 0, &a, &r0) && r0 == -ENOENT &&
				  !a.bytes && strstr(a.log, "no prb"),
				  "%s: no prb: r0 %ld, %zu bytes, log \"%s\"",
				  name, r0, a.bytes, a.log);
		unload(&p);
	}
	printf("%s: a ring of %d records (the last N for 7 N), an empty ring "
	       "and 2 refusals checked, interpreter and JIT\n", name, nrecs);
}

/* A printk_info without level: the program must say so, not guess. */
static void unknown_layout(const char *obj, const char *btf_path,
			   const struct layout *l)
{
	struct hupload_opts opts = { .btf_path = btf_path };
	struct hupload_prog *p = NULL;
	struct answer a;
	struct ring r;
	struct hupobj o;
	size_t n = 0;
	char err[640];
	long r0 = 0;
	int opened = !hupobj__open(&o, obj), e = opened ? 0 : -ENOENT;

	snprintf(err, sizeof(err), "cannot open %s", obj);
	if (opened)
		e = hupload__prepare(&o, &opts, &p, &n, err, sizeof(err));
	CHECK_MSG(!e && n == 1, "no level: prepare: %s", err);
	if (!e && n == 1) {
		struct hup_load_opts lo = {
			.sz = sizeof(lo), .view = view, .log_buf = vlog,
			.log_size = sizeof(vlog), .name = p->name,
			.budget_us = HUP_TEST_RUN_BUDGET_US,
		};
		struct hup_prog *prog = NULL;

		/* the level's accesses are left unresolved, and unreached */
		CHECK_MSG(p->core_poisoned > 0, "no level: nothing unresolved");
		ring_init(&r, l, 4, 9);
		for (size_t k = 0; k < p->nksyms; k++) {
			struct bpf_insn *in = (struct bpf_insn *)p->lp.insns;

			in[p->ksyms[k].insn_idx].imm = (int32_t)(uint32_t)r.prb_var;
			in[p->ksyms[k].insn_idx + 1].imm =
				(int32_t)(r.prb_var >> 32);
		}
		e = hup_prog__load(p->lp.insns, p->lp.cnt, p->lp.event, &lo,
				   &prog);
		CHECK_MSG(!e, "no level: verifier refused it (%d): %s", e, vlog);
		if (!e)
			e = run(prog, 0, &a, &r0);
		CHECK_MSG(!e && r0 == -EOPNOTSUPP && !a.bytes &&
			  strstr(a.log, "unknown printk_ringbuffer layout"),
			  "no level: run %d, r0 %ld, %zu bytes, log \"%s\"", e,
			  r0, a.bytes, a.log);
		hup_prog__free(prog);
	}
	if (p)
		hupload__free(p, n);
	if (opened)
		hupobj__close(&o);
}

int main(int argc, char **argv)
{
	char made_path[] = "/tmp/hup-dmesg-fake-XXXXXX";
	struct layout l;
	struct btf *b;
	int fd, e;

	if (argc < 2) {
		fprintf(stderr, "usage: dmesg_fake DMESG_O [NAME=BTF]...\n");
		return 2;
	}
	e = hup_view__create(44, &view);
	if (!e)
		e = hup_test_gmem__create(&gmem, view, GMEM_GVA, GMEM_SIZE,
					  HUP_WIN_READ);
	if (e) {
		fprintf(stderr, "dmesg_fake: guest memory: %s\n", strerror(-e));
		return 2;
	}

	/* The hand-made kernel, and the same without printk_info.level. */
	for (int without = 0; without < 2; without++) {
		b = btf__new_empty();
		if (b)
			hup_test_btf__add_printk(b, without);
		fd = mkstemp(made_path);
		e = fd < 0 ? -errno : hup_test_write_btf(b, made_path);
		if (fd >= 0)
			close(fd);
		CHECK_MSG(!e && !layout_of(b, &l), "hand-made BTF: %d", e);
		if (!e && !without)
			ring_checks(argv[1], "hand-made", made_path, &l);
		else if (!e)
			unknown_layout(argv[1], made_path, &l);
		unlink(made_path);
		strcpy(made_path, "/tmp/hup-dmesg-fake-XXXXXX");
		btf__free(b);
	}

	/* Debian's kernels, their own layouts. */
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		CHECK_MSG(eq, "argument %s is not NAME=BTF", argv[i]);
		if (!eq)
			continue;
		*eq = 0;
		b = btf__parse(eq + 1, NULL);
		CHECK_MSG(b && !layout_of(b, &l) && l.i_level_bits == 3,
			  "%s: %s: no printk ring layout", argv[i], eq + 1);
		if (b && l.i_level_bits == 3)
			ring_checks(argv[1], argv[i], eq + 1, &l);
		btf__free(b);
	}
	hup_view__free(view);
	printf("%d check_count, %d failed\n", check_count, check_failures);
	return check_failures || !check_count ? 1 : 0;
}
