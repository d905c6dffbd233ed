// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/dmesg.c ported by hand to native C (native.h): the last N
 * records of the guest kernel's printk ring, oldest first, each read as
 * the kernel's own readers do (its descriptor finalized with the expected
 * id before the copy and unchanged after it), one struct dmesg_rec output
 * each (native_output), the count returned; the same refusals with the
 * same host log lines (env->debug_print).  The ring is the __ksym prb the
 * guest filled in (weak: 0 without it); every offset, size and the level
 * bitfield's shifts are the relocator's CO-RE answers for the object's
 * own types.  Loads are of the sizes the sample declares: setup refuses
 * a kernel whose fields have other sizes (the port would read them
 * differently from the relocated program).  One liberty: the program
 * copies a text with hup_guest_read, which fails on a hole of its view
 * and skips the record; here a hole aborts the run (-EFAULT).
 * Compiled -O2.
 */
#include "native_port.h"

#include <errno.h>
#include <string.h>

/* The sample's constants (dmesg.c) */
#define DMESG_MAX	 64u
#define DMESG_TEXT_LEN	 128
#define DESC_FLAGS_SHIFT 62
#define DESC_ID_MASK	 (~(3ull << DESC_FLAGS_SHIFT))
#define DESC_FINALIZED	 2ull
#define NO_LPOS		 3ull
#define DATA_ID_SIZE	 8ull

/* struct dmesg_rec, as the program outputs it (padding zeroed) */
struct dmesg_rec {
	uint64_t seq;
	uint64_t ts_nsec;
	uint16_t text_len;
	uint8_t facility;
	uint8_t level;
	char text[DMESG_TEXT_LEN];
};

struct dm_state {
	uint64_t prb; /* the pointer variable; 0: none */
	bool unknown; /* the sample's "unknown layout" refusal */
	/* offsets in printk_ringbuffer */
	uint32_t count_bits, descs, infos, head_id, size_bits, data;
	/* prb_desc and printk_info */
	uint32_t desc_size, state_var, begin, next;
	uint32_t info_size, seq, ts_nsec, text_len, facility;
	uint32_t level_off, level_size, level_lshift, level_rshift;
};

/* What the sample reads: its type, access string, the size it loads. */
static const struct {
	const char *type, *access;
	size_t off;
	uint32_t size;
} fields[] = {
#define F(t, a, f, sz)                                                         \
	{                                                                      \
		t, a, offsetof(struct dm_state, f), sz                         \
	}
    F("printk_ringbuffer", "0:0:0", count_bits, 4),
    F("printk_ringbuffer", "0:0:1", descs, 8),
    F("printk_ringbuffer", "0:0:2", infos, 8),
    F("printk_ringbuffer", "0:0:3:0", head_id, 8),
    F("printk_ringbuffer", "0:1:0", size_bits, 4),
    F("printk_ringbuffer", "0:1:1", data, 8),
    F("prb_desc", "0:0:0", state_var, 8),
    F("prb_desc", "0:1:0", begin, 8),
    F("prb_desc", "0:1:1", next, 8),
    F("printk_info", "0:0", seq, 8),
    F("printk_info", "0:1", ts_nsec, 8),
    F("printk_info", "0:2", text_len, 2),
    F("printk_info", "0:3", facility, 1),
#undef F
};

static int dm_field(struct native_setup *c, struct dm_state *s, size_t i)
{
	uint64_t off = 0, size = 0;
	uint32_t v;
	int e;

	e = native__core(c, fields[i].type, false, fields[i].access,
			 BPF_CORE_FIELD_BYTE_OFFSET, &off);
	if (!e)
		e = native__core(c, fields[i].type, false, fields[i].access,
				 BPF_CORE_FIELD_BYTE_SIZE, &size);
	if (e == -ENOENT) {
		/* a field the program's checks will refuse first, or one it
		 * reads unguarded: the latter is the relocator's refusal */
		s->unknown = true;
		return 0;
	}
	if (e)
		return e;
	if (size != fields[i].size)
		return native__fail(c, -EOPNOTSUPP,
				    "%s %s has %llu bytes, the port reads %u",
				    fields[i].type, fields[i].access,
				    (unsigned long long)size, fields[i].size);
	v = (uint32_t)off;
	memcpy((char *)s + fields[i].off, &v, sizeof(v));
	return 0;
}

static int dm_setup(struct native_setup *c, void *state)
{
	struct dm_state *s = state;
	uint64_t v = 0;
	int e;

	s->prb = native__ksym(c, "prb");
	/* the sample's guard, in its order: head_id, text_len and level
	 * exist, level at most 8 bytes, head_id 8 */
	if (!native__exists(c, "prb_desc_ring", false, "0:3",
			    BPF_CORE_FIELD_EXISTS) ||
	    !native__exists(c, "printk_info", false, "0:2",
			    BPF_CORE_FIELD_EXISTS) ||
	    !native__exists(c, "printk_info", false, "0:5",
			    BPF_CORE_FIELD_EXISTS))
		s->unknown = true;
	if (!s->unknown && ((e = native__core(c, "printk_info", false, "0:5",
					      BPF_CORE_FIELD_BYTE_SIZE, &v)) ||
			    v > 8))
		s->unknown = true;
	if (!s->unknown && ((e = native__core(c, "prb_desc_ring", false, "0:3",
					      BPF_CORE_FIELD_BYTE_SIZE, &v)) ||
			    v != 8))
		s->unknown = true;
	if (s->unknown)
		return 0;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((e = dm_field(c, s, i)))
			return e;
	if ((e = native__core_u32(c, "prb_desc", "0", BPF_CORE_TYPE_SIZE,
				  &s->desc_size)) ||
	    (e = native__core_u32(c, "printk_info", "0", BPF_CORE_TYPE_SIZE,
				  &s->info_size)) ||
	    (e = native__core_u32(c, "printk_info", "0:5",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->level_off)) ||
	    (e = native__core_u32(c, "printk_info", "0:5",
				  BPF_CORE_FIELD_BYTE_SIZE, &s->level_size)) ||
	    (e = native__core_u32(c, "printk_info", "0:5",
				  BPF_CORE_FIELD_LSHIFT_U64,
				  &s->level_lshift)) ||
	    (e = native__core_u32(c, "printk_info", "0:5",
				  BPF_CORE_FIELD_RSHIFT_U64, &s->level_rshift)))
		return e;
	return 0;
}

/* The geometry the records are read with, read once (struct walk). */
struct walk {
	uint64_t descs, infos, data, count_mask, size_bits, first_id;
};

static void print(const struct hup_run_env *env, const char *line)
{
	env->debug_print(env->opaque, line, (uint32_t)strlen(line));
}

/* The sample's text_of(): the text's guest address and *size, or 0. */
static uint64_t text_of(const struct walk *w, uint64_t begin, uint64_t next,
			uint64_t *size)
{
	uint64_t ring = 1ull << w->size_bits, off, blk;

	if (begin >> w->size_bits == next >> w->size_bits && begin < next) {
		off = begin & (ring - 1);
		blk = next - begin;
	} else if ((begin + ring) >> w->size_bits == next >> w->size_bits) {
		off = 0;
		blk = next & (ring - 1);
	} else {
		return 0;
	}
	if ((begin | next) & (DATA_ID_SIZE - 1) || blk < DATA_ID_SIZE)
		return 0;
	*size = blk - DATA_ID_SIZE;
	return w->data + off + DATA_ID_SIZE;
}

/* dmesg_bitfield(info, level) */
static uint64_t level_of(const struct dm_state *s, const struct native_view *v,
			 uint64_t info)
{
	uint64_t p = info + s->level_off, x;

	switch (s->level_size) {
	case 1:
		x = NATIVE_READ(v, uint8_t, p);
		break;
	case 2:
		x = NATIVE_READ(v, uint16_t, p);
		break;
	case 4:
		x = NATIVE_READ(v, uint32_t, p);
		break;
	default:
		x = NATIVE_READ(v, uint64_t, p);
		break;
	}
	x <<= s->level_lshift;
	x >>= s->level_rshift;
	return x;
}

/*
 * The text's copy calls libc's memcpy, as the program's guest read copies
 * in a routine of its own: gcc -O2 inlines a memcpy of a variable length
 * as `rep movsq`, whose start-up cost on this machine (AMD EPYC) was more
 * than the rest of a record's work (3.85 us per 64-record answer against
 * 1.67 us), a baseline slower than it need be.  Through a volatile pointer
 * gcc cannot inline it.
 */
static void *(*volatile copy_fn)(void *, const void *, size_t) = memcpy;

/* The sample's one_record(): 1 if record i was output. */
static int one_record(const struct dm_state *s, const struct native_view *v,
		      const struct walk *w, uint32_t i,
		      const struct hup_run_env *env)
{
	uint64_t id = (w->first_id + i) & DESC_ID_MASK;
	uint64_t idx = id & w->count_mask;
	uint64_t d = w->descs + idx * s->desc_size;
	uint64_t info = w->infos + idx * s->info_size;
	uint64_t sv, begin, next, text = 0, size = 0, len;
	struct dmesg_rec r;

	sv = NATIVE_READ(v, uint64_t, d + s->state_var);
	if ((sv & DESC_ID_MASK) != id ||
	    sv >> DESC_FLAGS_SHIFT != DESC_FINALIZED)
		return 0;
	__asm__ volatile("" ::: "memory");
	memset(&r, 0, sizeof(r));
	r.seq = NATIVE_READ(v, uint64_t, info + s->seq);
	r.ts_nsec = NATIVE_READ(v, uint64_t, info + s->ts_nsec);
	r.text_len = NATIVE_READ(v, uint16_t, info + s->text_len);
	r.facility = NATIVE_READ(v, uint8_t, info + s->facility);
	r.level = (uint8_t)level_of(s, v, info);
	begin = NATIVE_READ(v, uint64_t, d + s->begin);
	next = NATIVE_READ(v, uint64_t, d + s->next);
	if ((r.seq & w->count_mask) != idx)
		return 0;
	if (begin & next & 1) {
		if (begin != NO_LPOS || next != NO_LPOS)
			return 0;
		r.text_len = 0;
	} else {
		text = text_of(w, begin, next, &size);
		if (!text || size < r.text_len)
			return 0;
	}
	len = r.text_len;
	if (len > DMESG_TEXT_LEN - 1)
		len = DMESG_TEXT_LEN - 1;
	if (len)
		copy_fn(r.text, native_gp(v, text), len);
	__asm__ volatile("" ::: "memory");
	if (NATIVE_READ(v, uint64_t, d + s->state_var) != sv)
		return 0;
	native_output(env, &r, sizeof(r));
	return 1;
}

static uint64_t dm_run(const void *state, const struct native_view *v,
		       void *ctx, const struct hup_run_env *env)
{
	const struct dm_state *s = state;
	const struct hup_query_ctx *q = ctx;
	uint64_t n = q->arg[0], count_bits, head, rb;
	struct walk w;
	long emitted = 0;

	if (!s->prb) {
		print(env, "dmesg: the kernel has no prb (printk_ringbuffer)");
		return (uint64_t)-ENOENT;
	}
	if (s->unknown) {
		print(env, "dmesg: unknown printk_ringbuffer layout");
		return (uint64_t)-EOPNOTSUPP;
	}
	rb = NATIVE_READ(v, uint64_t, s->prb);
	count_bits = NATIVE_READ(v, uint32_t, rb + s->count_bits);
	w.size_bits = NATIVE_READ(v, uint32_t, rb + s->size_bits);
	w.descs = NATIVE_READ(v, uint64_t, rb + s->descs);
	w.infos = NATIVE_READ(v, uint64_t, rb + s->infos);
	w.data = NATIVE_READ(v, uint64_t, rb + s->data);
	if (!w.descs || !w.infos || !w.data || count_bits < 1 ||
	    count_bits > 31 || w.size_bits < 5 || w.size_bits > 31) {
		print(env,
		      "dmesg: the printk ring's geometry is not believable");
		return (uint64_t)-EINVAL;
	}
	w.count_mask = (1ull << count_bits) - 1;
	if (!n || n > DMESG_MAX)
		n = DMESG_MAX;
	if (n > w.count_mask + 1)
		n = w.count_mask + 1;
	head = NATIVE_READ(v, uint64_t, rb + s->head_id);
	w.first_id = (head - (n - 1)) & DESC_ID_MASK;
	for (uint32_t i = 0; i < n; i++)
		emitted += one_record(s, v, &w, i, env);
	return (uint64_t)emitted;
}

const struct native_port native_dmesg = {
    .prog = "dmesg",
    .event = HUP_EVENT_QUERY,
    .ctx_size = sizeof(struct hup_query_ctx),
    .state_size = sizeof(struct dm_state),
    .setup = dm_setup,
    .run = dm_run,
};
