// SPDX-License-Identifier: BSD-2-Clause
/*
 * The tail of the guest kernel's log as the hypervisor sees it: a query
 * program (`hupctl query ID [N]`) that reads the printk ring buffer and
 * emits its last N records (default and at most DMESG_MAX), oldest first,
 * one struct dmesg_rec each; it returns how many it emitted, or a negative
 * errno (with a line in the host log) on a kernel whose log it cannot read.
 *
 * The ring (kernel/printk/printk_ringbuffer.h, 5.10 and later) is
 * lock-free and written while the query runs: every CPU of the guest may
 * be reserving, committing or recycling records meanwhile.  So a record is
 * read as the kernel's own readers do: its descriptor must hold the
 * expected id and be finalized before the copy and still be so after it; a
 * descriptor that changed in between (reopened, recycled by a newer record,
 * its text overwritten) is skipped, never emitted half old, half new.
 * Committed but not yet finalized records are skipped too: a continuation
 * line may still be appended to them, and the guest's dmesg does not show
 * them either.  Nothing is written to the guest and nothing waits.
 *
 * The layouts come from CO-RE (only the fields read are declared), so the
 * same object reads Debian's 6.1 (cloud, generic, PREEMPT_RT) and 6.12
 * kernels.  The ring's arrays are kernel data (the static ring) or
 * memblock memory (log_buf_len=, or many CPUs), so the program needs the
 * kernel image and the direct map, read-only, and nothing else (hupload's
 * default adds vmemmap, which it never reads).
 *
 *	hupcc samples/dmesg.c -o dmesg.o
 *	hupload --window kernel --window direct dmesg.o   # in the guest
 *	hupctl --obj dmesg.o query ID     # on the host: one line per record
 *	hupctl --obj dmesg.o query ID 8   # the last 8
 */
#include <hyperupcall.h>
#include <hlib/hlib.h>

/* Records looked at: the last DMESG_MAX descriptor ids.  The per-record
 * work is a hup_loop callback, so this bounds the answer (DMESG_MAX
 * records, 10 KiB), not the program's size. */
#define DMESG_MAX 64u
#define DMESG_TEXT_LEN 128

#define DMESG_ENOENT 2
#define DMESG_EINVAL 22
#define DMESG_EOPNOTSUPP 95

/* The descriptor's state_var: an id in the low bits, the state in the top
 * two (kernel/printk/printk_ringbuffer.h: DESC_FLAGS_SHIFT, enum desc_state).
 * Part of the ring's lock-free protocol, the same in every kernel with
 * this ring. */
#define DESC_FLAGS_SHIFT 62
#define DESC_ID_MASK (~(3ul << DESC_FLAGS_SHIFT))
#define DESC_FINALIZED 2ul
/* Logical positions with bit 0 set mean "no data" (FAILED_LPOS 0x1: lost;
 * NO_LPOS 0x3: an empty text). */
#define NO_LPOS 3ul
#define DATA_ID_SIZE 8ul /* struct prb_data_block: the id before the text */

struct atomic_long___dmesg {
	long counter;
} __hup_core;

struct prb_data_blk_lpos {
	unsigned long begin;
	unsigned long next;
} __hup_core;

struct prb_desc {
	struct atomic_long___dmesg state_var;
	struct prb_data_blk_lpos text_blk_lpos;
} __hup_core;

struct printk_info {
	__u64 seq;
	__u64 ts_nsec;
	__u16 text_len;
	__u8 facility;
	__u8 flags : 5;
	__u8 level : 3;
} __hup_core;

struct prb_desc_ring {
	unsigned int count_bits;
	struct prb_desc *descs;
	struct printk_info *infos;
	struct atomic_long___dmesg head_id;
} __hup_core;

struct prb_data_ring {
	unsigned int size_bits;
	char *data;
} __hup_core;

struct printk_ringbuffer {
	struct prb_desc_ring desc_ring;
	struct prb_data_ring text_data_ring;
} __hup_core;

/* A pointer variable (printk.c: the static ring at boot; vmcoreinfo
 * exports it too).  Weak: a kernel without it answers -ENOENT. */
extern struct printk_ringbuffer *prb __ksym __weak;

/* What each hup_output() appends: `hupctl --obj dmesg.o query ID` prints
 * the answer as these records. */
struct dmesg_rec {
	__u64 seq;
	__u64 ts_nsec;	   /* local_clock() at printk, ns since boot */
	__u16 text_len;	   /* the whole text's length; text may be cut */
	__u8 facility;	   /* 0 kernel, 1 user (/dev/kmsg), ... */
	__u8 level;	   /* 0 (emerg) .. 7 (debug) */
	char text[DMESG_TEXT_LEN]; /* NUL-terminated, truncated */
};
HUP_QUERY_RECORD(dmesg, struct dmesg_rec);

/*
 * A CO-RE bitfield read (printk_info.level is 3 bits): the byte offset,
 * load size and shifts all relocated, as libbpf's
 * BPF_CORE_READ_BITFIELD does it.
 */
#define dmesg_bitfield(s, field)                                             \
	({                                                                   \
		const char *__p = (const char *)(s) +                        \
			__builtin_preserve_field_info((s)->field, 0);        \
		__u64 __v;                                                   \
		switch (__builtin_preserve_field_info((s)->field, 1)) {      \
		case 1:                                                      \
			__v = READ_ONCE(*(const __u8 *)__p);                 \
			break;                                               \
		case 2:                                                      \
			__v = READ_ONCE(*(const __u16 *)__p);                \
			break;                                               \
		case 4:                                                      \
			__v = READ_ONCE(*(const __u32 *)__p);                \
			break;                                               \
		default:                                                     \
			__v = READ_ONCE(*(const __u64 *)__p);                \
			break;                                               \
		}                                                            \
		__v <<= __builtin_preserve_field_info((s)->field, 4);        \
		__v >>= __builtin_preserve_field_info((s)->field, 5);        \
		__v;                                                         \
	})

/* What the loop callback needs: the ring's geometry, read once. */
struct walk {
	__u64 descs, infos, data; /* guest addresses of the arrays */
	__u64 count_mask;	  /* descriptors - 1 */
	__u64 size_bits;	  /* the text ring is 2^size_bits bytes */
	__u64 first_id;		  /* id of the oldest descriptor looked at */
	long emitted;
};

/*
 * Where the text of a data block lies: its guest address and the size of
 * the data after the block's id, or 0 if the positions are not a valid
 * block.  A block that would cross the end of the ring is stored whole at
 * its start instead, its begin then lying one wrap behind its next (the
 * kernel's get_next_lpos()/get_data()).
 */
static __always_inline __u64 text_of(const struct walk *w, __u64 begin,
				     __u64 next, __u64 *size)
{
	__u64 ring = 1ull << w->size_bits, off, blk;

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

/* One descriptor id: emit its record if it is finalized throughout the
 * copy. */
static long one_record(__u32 i, void *data)
{
	struct walk *w = data;
	__u64 id = (w->first_id + i) & DESC_ID_MASK;
	__u64 idx = id & w->count_mask;
	struct prb_desc *d = HUP_GPTR(struct prb_desc,
				      w->descs + idx * hup_core_type_size(
						   struct prb_desc));
	struct printk_info *info = HUP_GPTR(struct printk_info,
					    w->infos + idx * hup_core_type_size(
						   struct printk_info));
	struct dmesg_rec r;
	__u64 sv, begin, next, text = 0, size = 0, len;

	sv = READ_ONCE(d->state_var.counter);
	if ((sv & DESC_ID_MASK) != id || sv >> DESC_FLAGS_SHIFT != DESC_FINALIZED)
		return 0;
	barrier();
	hlib_memset(&r, 0, sizeof(r));
	r.seq = READ_ONCE(info->seq);
	r.ts_nsec = READ_ONCE(info->ts_nsec);
	r.text_len = READ_ONCE(info->text_len);
	r.facility = READ_ONCE(info->facility);
	r.level = dmesg_bitfield(info, level);
	begin = READ_ONCE(d->text_blk_lpos.begin);
	next = READ_ONCE(d->text_blk_lpos.next);
	/* A seq of another wrap of the descriptor ring is another record. */
	if ((r.seq & w->count_mask) != idx)
		return 0;
	if (begin & next & 1) {
		/* No data: an empty text, or text that was never stored. */
		if (begin != NO_LPOS || next != NO_LPOS)
			return 0;
		r.text_len = 0;
	} else {
		text = text_of(w, begin, next, &size);
		/* The block may be longer (alignment), never shorter. */
		if (!text || size < r.text_len)
			return 0;
	}
	len = r.text_len;
	if (len > DMESG_TEXT_LEN - 1)
		len = DMESG_TEXT_LEN - 1;
	if (len && hup_guest_read(r.text, len, text))
		return 0;
	barrier();
	/* Reopened, recycled or overwritten meanwhile: not this record. */
	if (READ_ONCE(d->state_var.counter) != sv)
		return 0;
	hup_output(&r, sizeof(r));
	w->emitted++;
	return 0;
}

HUP_QUERY("dmesg")
long dmesg(struct hup_query_ctx *ctx)
{
	struct printk_info *pi = NULL;
	struct prb_desc_ring *dr = NULL;
	struct printk_ringbuffer *rb;
	struct walk w;
	__u64 n = ctx->arg[0], count_bits, head, prb_gva;

	/* The symbol's address loaded once: the guest module resolves each
	 * load on its own when it registers the program, and 6.1's
	 * kallsyms_lookup_name() is a linear search. */
	prb_gva = HUP_GVA(&prb);
	asm volatile("" : "+r"(prb_gva));
	if (!prb_gva) {
		hup_print("dmesg: the kernel has no prb (printk_ringbuffer)");
		return -DMESG_ENOENT;
	}
	/* Every field read must be there, the level a 3-bit field: anything
	 * else is a ring this program does not know. */
	if (!hup_core_field_exists(dr->head_id) ||
	    !hup_core_field_exists(pi->text_len) ||
	    !hup_core_field_exists(pi->level) ||
	    hup_core_field_size(pi->level) > 8 ||
	    hup_core_field_size(dr->head_id) != 8) {
		hup_print("dmesg: unknown printk_ringbuffer layout");
		return -DMESG_EOPNOTSUPP;
	}
	rb = READ_ONCE(*HUP_GPTR(struct printk_ringbuffer *, prb_gva));
	count_bits = READ_ONCE(rb->desc_ring.count_bits);
	w.size_bits = READ_ONCE(rb->text_data_ring.size_bits);
	w.descs = HUP_GVA(READ_ONCE(rb->desc_ring.descs));
	w.infos = HUP_GVA(READ_ONCE(rb->desc_ring.infos));
	w.data = HUP_GVA(READ_ONCE(rb->text_data_ring.data));
	/* The kernel's bounds (PRB_AVGBITS 5, LOG_BUF_SHIFT <= 25,
	 * log_buf_len <= 2^31 - 1 on 64-bit); anything else is not a ring. */
	if (!w.descs || !w.infos || !w.data || count_bits < 1 ||
	    count_bits > 31 || w.size_bits < 5 || w.size_bits > 31) {
		hup_print("dmesg: the printk ring's geometry is not believable");
		return -DMESG_EINVAL;
	}
	w.count_mask = (1ull << count_bits) - 1;
	if (!n || n > DMESG_MAX)
		n = DMESG_MAX;
	if (n > w.count_mask + 1)
		n = w.count_mask + 1;
	head = READ_ONCE(rb->desc_ring.head_id.counter);
	w.first_id = (head - (n - 1)) & DESC_ID_MASK;
	w.emitted = 0;
	hup_loop(n, one_record, &w, 0);
	return w.emitted;
}

HUP_LICENSE("GPL");
