/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CO-RE relocation, offline (see core.h).  A relocation names a local type,
 * an access string ("0:1:2": array index on the root, then member or
 * element indices) and a kind.  The local access is parsed into a spec;
 * each target candidate is matched member by member (by name); the value
 * of the kind is computed on both sides; the instruction must hold the
 * local value, and gets the target one.
 */
#include "core.h"

#include <hyperupcall/abi.h>

#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORE_SPEC_MAX 64 /* accessors per relocation, as libbpf */

struct core_acc {
	uint32_t type_id; /* the composite, array or enum accessed */
	uint32_t idx;
	const char *name; /* member or enumerator name; NULL for an index */
};

struct core_spec {
	const struct btf *btf;
	uint32_t root_id;
	uint32_t kind;
	struct core_acc acc[CORE_SPEC_MAX];
	int len;
	uint64_t bit_off;
	uint32_t field_id;  /* type of the accessed field */
	uint32_t bitfield;  /* bitfield size in bits, 0 if not one */
};

static int fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_field_kind(uint32_t k)
{
	return k <= BPF_CORE_FIELD_RSHIFT_U64;
}

static bool is_enumval_kind(uint32_t k)
{
	return k == BPF_CORE_ENUMVAL_EXISTS || k == BPF_CORE_ENUMVAL_VALUE;
}

/* Skips const/volatile/restrict/type tags and typedefs. */
static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id,
					uint32_t *res)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int guard = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t)) && guard++ < 64) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res)
		*res = id;
	return t;
}

/* Length of a name without its "___flavour" suffix. */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n >= 5 ? n - 5 : 0; i > 0; i--)
		if (!strncmp(name + i, "___", 3) && name[i - 1] != '_' &&
		    name[i + 3] != '_')
			return i;
	return n;
}

static bool names_match(const char *a, const char *b)
{
	size_t la = essential_len(a), lb = essential_len(b);

	return la == lb && !strncmp(a, b, la);
}

static int parse_access(const char *s, int *raw, int max)
{
	int n = 0;

	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || n == max || v > INT32_MAX)
			return -EINVAL;
		raw[n++] = (int)v;
		if (*end == ':')
			end++;
		else if (*end)
			return -EINVAL;
		s = end;
	}
	return n ? n : -EINVAL;
}

static int parse_spec(const struct btf *btf, uint32_t type_id,
		      const char *access, uint32_t kind,
		      struct core_spec *spec)
{
	int raw[CORE_SPEC_MAX], n = parse_access(access, raw, CORE_SPEC_MAX);
	const struct btf_type *t;
	uint32_t id;
	int64_t sz;

	memset(spec, 0, sizeof(*spec));
	spec->btf = btf;
	spec->root_id = type_id;
	spec->kind = kind;
	if (n < 0 || !btf__type_by_id(btf, type_id))
		return -EINVAL;
	if (!is_field_kind(kind) && !is_enumval_kind(kind))
		return n == 1 && raw[0] == 0 ? 0 : -EINVAL;
	if (is_enumval_kind(kind)) {
		t = skip_mods(btf, type_id, &id);
		if (!t || !btf_is_any_enum(t) || n != 1 ||
		    raw[0] >= btf_vlen(t))
			return -EINVAL;
		spec->acc[0].type_id = id;
		spec->acc[0].idx = (uint32_t)raw[0];
		spec->acc[0].name = btf__name_by_offset(btf, btf_is_enum(t) ?
			btf_enum(t)[raw[0]].name_off :
			btf_enum64(t)[raw[0]].name_off);
		spec->len = 1;
		return spec->acc[0].name && *spec->acc[0].name ? 0 : -EINVAL;
	}
	/* Field: the first index steps over whole root objects. */
	t = skip_mods(btf, type_id, &id);
	sz = btf__resolve_size(btf, id);
	if (!t || sz < 0)
		return -EINVAL;
	spec->acc[0] = (struct core_acc){ .type_id = id, .idx = (uint32_t)raw[0] };
	spec->len = 1;
	spec->bit_off = (uint64_t)raw[0] * (uint64_t)sz * 8;
	spec->field_id = id;
	for (int i = 1; i < n; i++) {
		t = skip_mods(btf, id, &id);
		if (!t)
			return -EINVAL;
		spec->bitfield = 0;
		if (btf_is_composite(t)) {
			const struct btf_member *m;
			const char *name;

			if (raw[i] >= btf_vlen(t))
				return -EINVAL;
			m = btf_members(t) + raw[i];
			spec->bit_off += btf_member_bit_offset(t, (uint32_t)raw[i]);
			spec->bitfield = btf_member_bitfield_size(t, (uint32_t)raw[i]);
			name = btf__name_by_offset(btf, m->name_off);
			/* Anonymous members only add their offset. */
			if (name && *name) {
				if (spec->len == CORE_SPEC_MAX)
					return -E2BIG;
				spec->acc[spec->len++] = (struct core_acc){
					.type_id = id, .idx = (uint32_t)raw[i],
					.name = name };
			}
			id = m->type;
		} else if (btf_is_array(t)) {
			const struct btf_array *a = btf_array(t);

			if (a->nelems && (uint32_t)raw[i] >= a->nelems)
				return -EINVAL;
			skip_mods(btf, a->type, &id);
			sz = btf__resolve_size(btf, id);
			if (sz < 0 || spec->len == CORE_SPEC_MAX)
				return -EINVAL;
			spec->acc[spec->len++] = (struct core_acc){
				.idx = (uint32_t)raw[i] };
			spec->bit_off += (uint64_t)raw[i] * (uint64_t)sz * 8;
		} else {
			return -EINVAL;
		}
		spec->field_id = id;
	}
	return 0;
}

/* Field types compatible for relocation (libbpf's rules, simplified). */
static bool fields_compat(const struct btf *lb, uint32_t lid,
			  const struct btf *tb, uint32_t tid, int depth)
{
	const struct btf_type *l = skip_mods(lb, lid, NULL);
	const struct btf_type *t = skip_mods(tb, tid, NULL);

	if (!l || !t || depth > 16)
		return false;
	if (btf_is_composite(l) && btf_is_composite(t))
		return true;
	if (btf_is_any_enum(l) && (btf_is_any_enum(t) || btf_is_int(t)))
		return true;
	if (btf_is_int(l) && (btf_is_int(t) || btf_is_any_enum(t)))
		return true;
	if (btf_kind(l) != btf_kind(t))
		return false;
	switch (btf_kind(l)) {
	case BTF_KIND_PTR:
	case BTF_KIND_FLOAT:
	case BTF_KIND_FWD:
	case BTF_KIND_FUNC_PROTO:
		return true;
	case BTF_KIND_ARRAY:
		return fields_compat(lb, btf_array(l)->type, tb,
				     btf_array(t)->type, depth + 1);
	default:
		return false;
	}
}

/* Finds member name of composite tid in the target, through anonymous
 * members; appends the accessors and offset to ts. */
static int match_member(const struct core_spec *ls, const struct core_acc *la,
			uint32_t tid, struct core_spec *ts, uint32_t *next,
			int depth)
{
	const struct btf *tb = ts->btf;
	const struct btf_type *lt = btf__type_by_id(ls->btf, la->type_id);
	const struct btf_member *lm = btf_members(lt) + la->idx;
	const struct btf_type *t = skip_mods(tb, tid, &tid);

	if (!t || !btf_is_composite(t) || depth > 16)
		return 0;
	for (uint32_t j = 0; j < btf_vlen(t); j++) {
		const struct btf_member *m = btf_members(t) + j;
		const char *name = btf__name_by_offset(tb, m->name_off);
		uint64_t off = btf_member_bit_offset(t, j);

		if (!name || !*name) {
			uint64_t saved = ts->bit_off;
			int found;

			ts->bit_off += off;
			found = match_member(ls, la, m->type, ts, next,
					     depth + 1);
			if (found)
				return found;
			ts->bit_off = saved;
			continue;
		}
		if (strcmp(name, la->name))
			continue;
		if (!fields_compat(ls->btf, lm->type, tb, m->type, 0))
			return 0;
		if (ts->len == CORE_SPEC_MAX)
			return -E2BIG;
		ts->bit_off += off;
		ts->bitfield = btf_member_bitfield_size(t, j);
		ts->acc[ts->len++] = (struct core_acc){
			.type_id = tid, .idx = j, .name = name };
		*next = m->type;
		return 1;
	}
	return 0;
}

/* 1 if target type tid matches the local spec (filling ts), 0 if not. */
static int match_spec(const struct core_spec *ls, const struct btf *tb,
		      uint32_t tid, struct core_spec *ts)
{
	const struct btf_type *t;
	uint32_t id = tid;
	int64_t sz;

	memset(ts, 0, sizeof(*ts));
	ts->btf = tb;
	ts->root_id = tid;
	ts->kind = ls->kind;
	if (!is_field_kind(ls->kind) && !is_enumval_kind(ls->kind))
		return 1;
	if (is_enumval_kind(ls->kind)) {
		t = skip_mods(tb, tid, &id);
		if (!t || !btf_is_any_enum(t))
			return 0;
		for (uint32_t j = 0; j < btf_vlen(t); j++) {
			const char *name = btf__name_by_offset(tb, btf_is_enum(t) ?
				btf_enum(t)[j].name_off : btf_enum64(t)[j].name_off);

			if (name && names_match(name, ls->acc[0].name)) {
				ts->acc[0] = (struct core_acc){ id, j, name };
				ts->len = 1;
				return 1;
			}
		}
		return 0;
	}
	t = skip_mods(tb, tid, &id);
	sz = btf__resolve_size(tb, id);
	if (!t || sz < 0)
		return 0;
	ts->acc[0] = (struct core_acc){ .type_id = id, .idx = ls->acc[0].idx };
	ts->len = 1;
	ts->bit_off = (uint64_t)ls->acc[0].idx * (uint64_t)sz * 8;
	ts->field_id = id;
	for (int i = 1; i < ls->len; i++) {
		const struct core_acc *la = &ls->acc[i];
		uint32_t next = 0;
		int r;

		ts->bitfield = 0;
		if (la->name) {
			r = match_member(ls, la, id, ts, &next, 0);
			if (r <= 0)
				return r;
			id = next;
		} else {
			const struct btf_array *a;

			t = skip_mods(tb, id, &id);
			if (!t || !btf_is_array(t))
				return 0;
			a = btf_array(t);
			if (a->nelems && la->idx >= a->nelems)
				return 0;
			skip_mods(tb, a->type, &id);
			sz = btf__resolve_size(tb, id);
			if (sz < 0 || ts->len == CORE_SPEC_MAX)
				return 0;
			ts->acc[ts->len++] = (struct core_acc){ .idx = la->idx };
			ts->bit_off += (uint64_t)la->idx * (uint64_t)sz * 8;
		}
		ts->field_id = id;
	}
	return 1;
}

/* Byte offset and size of the load that covers a bitfield. */
static int bitfield_load(const struct core_spec *s, uint32_t *byte_off,
			 uint32_t *byte_sz)
{
	const struct btf_type *t = skip_mods(s->btf, s->field_id, NULL);
	uint32_t sz;

	if (!t || !btf_is_int(t) || !t->size)
		return -EINVAL;
	sz = t->size;
	*byte_off = (uint32_t)(s->bit_off / 8 / sz * sz);
	while (s->bit_off + s->bitfield - (uint64_t)*byte_off * 8 > sz * 8) {
		if (sz >= 8)
			return -EINVAL;
		sz *= 2;
		*byte_off = (uint32_t)(s->bit_off / 8 / sz * sz);
	}
	*byte_sz = sz;
	return 0;
}

static int calc(const struct core_spec *s, uint64_t *val)
{
	const struct btf_type *t;
	uint32_t off, sz;
	int64_t size;

	switch (s->kind) {
	case BPF_CORE_FIELD_EXISTS:
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
	case BPF_CORE_ENUMVAL_EXISTS:
		*val = 1;
		return 0;
	case BPF_CORE_TYPE_ID_LOCAL:
	case BPF_CORE_TYPE_ID_TARGET:
		*val = s->root_id;
		return 0;
	case BPF_CORE_TYPE_SIZE:
		size = btf__resolve_size(s->btf, s->root_id);
		if (size < 0)
			return -EINVAL;
		*val = (uint64_t)size;
		return 0;
	case BPF_CORE_ENUMVAL_VALUE:
		t = btf__type_by_id(s->btf, s->acc[0].type_id);
		*val = btf_is_enum(t) ?
			(uint64_t)(int64_t)btf_enum(t)[s->acc[0].idx].val :
			btf_enum64_value(btf_enum64(t) + s->acc[0].idx);
		return 0;
	default:
		break;
	}
	t = skip_mods(s->btf, s->field_id, NULL);
	if (!t)
		return -EINVAL;
	if (s->bitfield) {
		if (bitfield_load(s, &off, &sz))
			return -EINVAL;
	} else {
		size = btf__resolve_size(s->btf, s->field_id);
		if (size < 0 || s->bit_off % 8)
			return -EINVAL;
		off = (uint32_t)(s->bit_off / 8);
		sz = (uint32_t)size;
	}
	switch (s->kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*val = off;
		return 0;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*val = sz;
		return 0;
	case BPF_CORE_FIELD_SIGNED:
		*val = btf_is_any_enum(t) ? btf_kflag(t) :
		       btf_is_int(t) ? !!(btf_int_encoding(t) & BTF_INT_SIGNED) :
		       0;
		return 0;
	case BPF_CORE_FIELD_LSHIFT_U64:
		if (sz > 8)
			return -EINVAL;
		*val = s->bitfield ?
			64 - (s->bit_off + s->bitfield - (uint64_t)off * 8) :
			64 - sz * 8;
		return 0;
	case BPF_CORE_FIELD_RSHIFT_U64:
		if (sz > 8)
			return -EINVAL;
		*val = 64 - (s->bitfield ? s->bitfield : sz * 8);
		return 0;
	default:
		return -EINVAL;
	}
}

const char *hup_core__kind_name(uint32_t k)
{
	static const char *const names[] = {
		"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64",
		"rshift_u64", "local_type_id", "target_type_id", "type_exists",
		"type_size", "enumval_exists", "enumval_value", "type_matches",
	};

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/*
 * The target's named types by the hash of their essential name, sorted by
 * hash then id: a relocation looks at its few candidates instead of every
 * type of the kernel.  Scanning all of them per relocation made ps.o's 385
 * relocations against a 6.1 vmlinux (about 100,000 types) take 0.85 s
 * natively, and a nested guest's hupload 15-30 times that.
 */
struct cand {
	uint64_t hash;
	uint32_t id;
};

struct cand_index {
	struct cand *e;
	uint32_t n;
};

/* FNV-1a over the first len bytes of s. */
static uint64_t name_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
	return h;
}

static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* 0 or -ENOMEM; cand_index__free() after either. */
static int cand_index__build(struct cand_index *ix, const struct btf *tb)
{
	uint32_t n = btf__type_cnt(tb);

	ix->n = 0;
	ix->e = calloc(n ? n : 1, sizeof(*ix->e));
	if (!ix->e)
		return -ENOMEM;
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(tb, id);
		const char *name = btf__name_by_offset(tb, t->name_off);

		if (name && *name)
			ix->e[ix->n++] = (struct cand){
				name_hash(name, essential_len(name)), id};
	}
	qsort(ix->e, ix->n, sizeof(*ix->e), cand_cmp);
	return 0;
}

static void cand_index__free(struct cand_index *ix)
{
	free(ix->e);
	ix->e = NULL;
}

/* Where the candidates of hash h start: the first entry not below it. */
static uint32_t cand_first(const struct cand_index *ix, uint64_t h)
{
	uint32_t lo = 0, hi = ix->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ix->e[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The next type id that may be a candidate of the name of hash h (0: no
 * more), in id order: from ix's bucket, or every type without an index. */
static uint32_t cand_next(const struct cand_index *ix, const struct btf *tb,
			  uint64_t h, uint32_t *pos)
{
	if (!ix)
		return ++*pos < btf__type_cnt(tb) ? *pos : 0;
	if (*pos >= ix->n || ix->e[*pos].hash != h)
		return 0;
	return ix->e[(*pos)++].id;
}

/* The target's answer: every matching candidate must agree.  ix: the
 * target's cand_index, or NULL to look at every type. */
static int target_value(const struct core_spec *ls, const struct btf *tb,
			const struct cand_index *ix, uint64_t *val,
			struct core_spec *match, char *err, size_t errlen)
{
	const struct btf_type *lt = btf__type_by_id(ls->btf, ls->root_id);
	const char *lname = btf__name_by_offset(ls->btf, lt->name_off);
	bool found = false;
	uint64_t h;
	uint32_t pos, id;

	if (!lname || !*lname)
		return fail(err, errlen, "relocation on an anonymous type");
	h = name_hash(lname, essential_len(lname));
	pos = ix ? cand_first(ix, h) : 0;
	while ((id = cand_next(ix, tb, h, &pos))) {
		const struct btf_type *t = btf__type_by_id(tb, id);
		const char *name = btf__name_by_offset(tb, t->name_off);
		struct core_spec ts;
		uint64_t v;
		int r;

		if (btf_kind(t) != btf_kind(lt) || !name ||
		    !names_match(name, lname))
			continue;
		r = match_spec(ls, tb, id, &ts);
		if (r < 0)
			return fail(err, errlen, "spec too deep");
		if (!r)
			continue;
		if (calc(&ts, &v))
			return fail(err, errlen, "%s of '%s': cannot compute "
				    "in target type %u", hup_core__kind_name(ls->kind),
				    lname, id);
		if (found && v != *val)
			return fail(err, errlen, "%s of '%s': candidates "
				    "disagree (%llu vs %llu)", hup_core__kind_name(ls->kind),
				    lname, (unsigned long long)*val,
				    (unsigned long long)v);
		if (!found && match)
			*match = ts;
		*val = v;
		found = true;
	}
	return found ? 0 : -ENOENT;
}

int hup_core__value(const struct btf *local, uint32_t type_id,
		    const char *access, uint32_t kind,
		    const struct btf *target, uint64_t *val, char *err,
		    size_t errlen)
{
	struct core_spec ls;

	if (kind > BPF_CORE_TYPE_MATCHES)
		return fail(err, errlen, "unknown relocation kind %u", kind);
	if (parse_spec(local, type_id, access, kind, &ls))
		return fail(err, errlen, "bad access string '%s' on type %u",
			    access, type_id);
	if (kind == BPF_CORE_TYPE_ID_LOCAL) {
		*val = type_id;
		return 0;
	}
	return target_value(&ls, target, NULL, val, NULL, err, errlen);
}

/* ------------------------------------------------------------- patching */

static int bytes_of_size(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

static int size_of_bytes(uint64_t n)
{
	switch (n) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	default: return -1;
	}
}

static bool int_like(const struct core_spec *s)
{
	const struct btf_type *t = skip_mods(s->btf, s->field_id, NULL);

	return t && (btf_is_int(t) || btf_is_any_enum(t) || btf_is_ptr(t));
}

static int patch(struct bpf_insn *insns, size_t cnt, size_t idx,
		 uint64_t orig, uint64_t val, const struct core_spec *ls,
		 const struct core_spec *ts, char *err, size_t errlen)
{
	struct bpf_insn *in = &insns[idx];
	uint8_t cls = BPF_CLASS(in->code);
	/* A bitfield's load (offset, size, shifts) is the compiler's own
	 * choice: clang takes the record's alignment as the storage unit,
	 * where the calculation here (libbpf's) takes the member's type, so
	 * the values compiled in need not be ours.  libbpf checks them only
	 * for plain fields; so does this.  Every relocation of the access is
	 * replaced, so the load stays consistent either way. */
	bool check = !ls->bitfield;

	if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		uint64_t cur;

		if (idx + 1 >= cnt)
			return fail(err, errlen, "truncated ld_imm64");
		cur = (uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32);
		if (check && cur != orig)
			return fail(err, errlen, "ld_imm64 holds %llu, "
				    "expected %llu", (unsigned long long)cur,
				    (unsigned long long)orig);
		in->imm = (int32_t)(uint32_t)val;
		in[1].imm = (int32_t)(uint32_t)(val >> 32);
		return 0;
	}
	if (cls == BPF_ALU || cls == BPF_ALU64) {
		if (BPF_SRC(in->code) != BPF_K ||
		    (check && (uint64_t)(int64_t)in->imm != orig))
			return fail(err, errlen, "ALU instruction does not "
				    "hold the relocated value %llu",
				    (unsigned long long)orig);
		if (val > INT32_MAX)
			return fail(err, errlen, "value %llu does not fit imm",
				    (unsigned long long)val);
		in->imm = (int32_t)val;
		return 0;
	}
	if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX) {
		if (check && (uint64_t)(int64_t)in->off != orig)
			return fail(err, errlen, "memory access offset %d, "
				    "expected %llu", in->off,
				    (unsigned long long)orig);
		if (val > INT16_MAX)
			return fail(err, errlen, "offset %llu does not fit "
				    "the instruction", (unsigned long long)val);
		in->off = (int16_t)val;
		if (ls->kind != BPF_CORE_FIELD_BYTE_OFFSET || !ts ||
		    ls->bitfield || ts->bitfield)
			return 0;
		{
			uint64_t lsz = 0, tsz = 0;
			struct core_spec l2 = *ls, t2 = *ts;
			int bs;

			l2.kind = t2.kind = BPF_CORE_FIELD_BYTE_SIZE;
			if (calc(&l2, &lsz) || calc(&t2, &tsz) || lsz == tsz)
				return 0;
			if ((uint64_t)bytes_of_size(in->code) != lsz)
				return 0; /* a part of a bigger field */
			bs = size_of_bytes(tsz);
			if (!int_like(ts) || bs < 0)
				return fail(err, errlen, "field size changed "
					    "from %llu to %llu bytes",
					    (unsigned long long)lsz,
					    (unsigned long long)tsz);
			in->code = (uint8_t)(BPF_MODE(in->code) | bs | cls);
		}
		return 0;
	}
	return fail(err, errlen, "relocation on an instruction of class %u",
		    cls);
}

static bool is_exists_kind(uint32_t k)
{
	return k == BPF_CORE_FIELD_EXISTS || k == BPF_CORE_TYPE_EXISTS ||
	       k == BPF_CORE_TYPE_MATCHES || k == BPF_CORE_ENUMVAL_EXISTS;
}

/* A relocation with no match in the target (a field, type or enum value
 * this kernel lacks): as libbpf, the instruction becomes a call the
 * verifier rejects if it is ever reached, so a program may keep the access
 * in a branch its hup_core_*_exists() test rules out.  An ld_imm64's
 * second slot becomes a jump to the next instruction. */
static int poison(struct bpf_insn *insns, size_t cnt, size_t idx, char *err,
		  size_t errlen)
{
	struct bpf_insn *in = &insns[idx];

	if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		if (idx + 1 >= cnt)
			return fail(err, errlen, "truncated ld_imm64");
		in[1] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
	}
	*in = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL,
				 .imm = HUP_CORE_POISON_CALL };
	return 0;
}

/* ------------------------------------------------------- .BTF.ext walk */

/* "struct task_struct.tasks.next", "struct page[2].flags",
 * "enum zone_stat_item::NR_FREE_PAGES": what a relocation names. */
static void describe(const struct core_spec *s, char *buf, size_t size)
{
	const struct btf_type *t = btf__type_by_id(s->btf, s->root_id);
	const char *name = t ? btf__name_by_offset(s->btf, t->name_off) : NULL;
	const char *kind = !t ? "" : btf_is_struct(t) ? "struct " :
			   btf_is_union(t) ? "union " :
			   btf_is_any_enum(t) ? "enum " : "";
	size_t n;

	n = (size_t)snprintf(buf, size, "%s%s", kind,
			     name && *name ? name : "(anon)");
	if (is_enumval_kind(s->kind) && s->len && n < size) {
		snprintf(buf + n, size - n, "::%s", s->acc[0].name);
		return;
	}
	if (!is_field_kind(s->kind))
		return;
	if (s->len && s->acc[0].idx && n < size)
		n += (size_t)snprintf(buf + n, size - n, "[%u]", s->acc[0].idx);
	for (int i = 1; i < s->len && n < size; i++)
		n += (size_t)(s->acc[i].name ?
			snprintf(buf + n, size - n, ".%s", s->acc[i].name) :
			snprintf(buf + n, size - n, "[%u]", s->acc[i].idx));
}

static int log_reloc(struct hup_core_stats *st, size_t idx,
		     const struct core_spec *ls, uint64_t val, int state)
{
	struct hup_core_reloc *r = realloc(st->relocs, (st->nrelocs + 1) *
					   sizeof(*r));

	if (!r)
		return -ENOMEM;
	st->relocs = r;
	r += st->nrelocs++;
	memset(r, 0, sizeof(*r));
	r->insn = (uint32_t)idx;
	r->kind = ls->kind;
	r->value = val;
	r->state = state;
	describe(ls, r->what, sizeof(r->what));
	return 0;
}

struct core_relo {
	uint32_t insn_off, type_id, access_str_off, kind;
};

/* Every record of cr that is p's, against target through ix. */
static int relocate_records(const struct hupobj_ext *cr, struct hupobj_prog *p,
			    const struct btf *local, const struct btf *target,
			    const struct cand_index *ix,
			    struct hup_core_stats *stats, char *err,
			    size_t errlen)
{
	const uint8_t *q = cr->data, *end = cr->end;
	uint32_t rec = cr->rec_size;

	while (end - q >= 8) {
		uint32_t sec_off, n;
		const char *sec;

		memcpy(&sec_off, q, 4);
		memcpy(&n, q + 4, 4);
		q += 8;
		sec = btf__name_by_offset(local, sec_off);
		if (!sec || (uint64_t)n * rec > (uint64_t)(end - q))
			return fail(err, errlen, "bad core_relo section");
		for (uint32_t i = 0; i < n; i++, q += rec) {
			struct core_relo r;
			struct core_spec ls, ts;
			const char *acc;
			uint64_t orig, val;
			bool found;
			long idx;
			int e;

			memcpy(&r, q, sizeof(r));
			idx = hupobj__insn_index(p, sec, r.insn_off);
			if (idx < 0)
				continue; /* another program's */
			acc = btf__name_by_offset(local, r.access_str_off);
			if (!acc || r.kind > BPF_CORE_TYPE_MATCHES ||
			    parse_spec(local, r.type_id, acc, r.kind, &ls) ||
			    calc(&ls, &orig))
				return fail(err, errlen, "insn %ld: malformed "
					    "CO-RE relocation (type %u, '%s', "
					    "kind %u)", idx, r.type_id,
					    acc ? acc : "?", r.kind);
			memset(&ts, 0, sizeof(ts));
			if (r.kind == BPF_CORE_TYPE_ID_LOCAL) {
				val = r.type_id;
				e = 0;
			} else {
				e = target_value(&ls, target, ix, &val, &ts,
						 err, errlen);
			}
			if (e == -ENOENT && !is_exists_kind(r.kind)) {
				e = poison(p->insns, p->cnt, (size_t)idx, err,
					   errlen);
				if (!e)
					e = log_reloc(stats, (size_t)idx, &ls,
						      0, HUP_CORE_POISONED);
				if (e)
					return e;
				stats->poisoned++;
				continue;
			}
			if (e == -ENOENT) {
				val = 0;
				stats->missing++;
			} else if (e) {
				char msg[256];

				snprintf(msg, sizeof(msg), "%s", err);
				return fail(err, errlen, "insn %ld: %s", idx,
					    msg);
			}
			found = !e;
			e = patch(p->insns, p->cnt, (size_t)idx, orig, val, &ls,
				  found ? &ts : NULL, err, errlen);
			if (e) {
				char msg[256];

				snprintf(msg, sizeof(msg), "%s", err);
				return fail(err, errlen, "insn %ld: %s", idx,
					    msg);
			}
			e = log_reloc(stats, (size_t)idx, &ls, val,
				      found ? HUP_CORE_MATCHED :
					      HUP_CORE_MISSING);
			if (e)
				return e;
			stats->applied++;
		}
	}
	return 0;
}

int hup_core__relocate(const struct hupobj *o, struct hupobj_prog *p,
		       const struct btf *local, const struct btf *target,
		       struct hup_core_stats *stats, char *err, size_t errlen)
{
	struct cand_index ix;
	struct hupobj_ext cr;
	int ret;

	memset(stats, 0, sizeof(*stats));
	ret = hupobj__btf_ext(o, HUPOBJ_EXT_CORE_RELO,
			      sizeof(struct core_relo), &cr);
	if (ret == -ENOENT)
		return 0; /* no CO-RE relocations */
	if (ret)
		return fail(err, errlen, ".BTF.ext is malformed (its header, "
			    "core_relo bounds or record size)");
	if (!local)
		return fail(err, errlen, "CO-RE relocations without .BTF");
	if (cand_index__build(&ix, target)) {
		cand_index__free(&ix);
		return fail(err, errlen, "out of memory for the target's type "
			    "index");
	}
	ret = relocate_records(&cr, p, local, target, &ix, stats, err, errlen);
	cand_index__free(&ix);
	return ret;
}
