// SPDX-License-Identifier: BSD-2-Clause
/*
 * Typed query output (see record.h).  The record's BTF comes from the
 * user's object, not from the guest: it is parsed with libbpf's BTF API and
 * every offset and size is checked against the record's own size before a
 * byte of the answer is read.
 */
#include "record.h"

#include <bpf/btf.h>
#include <errno.h>
#include <string.h>

#define MAX_DEPTH 8	/* nested structures and arrays printed */
#define MAX_ELEMS 4096	/* elements of one array printed */

static const struct btf_type *resolve(const struct btf *btf, uint32_t id,
				      uint32_t *out_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	for (int guard = 0; t && (btf_is_mod(t) || btf_is_typedef(t)) &&
			    guard < 32;
	     guard++) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out_id)
		*out_id = id;
	return t;
}

int record__open(struct record *r, const char *path, const char *prog,
		 char *err, size_t errlen)
{
	size_t plen = strlen(RECORD_VAR_PREFIX);
	uint32_t found = 0, n, cnt;
	const char *name = NULL;
	long long size;

	memset(r, 0, sizeof(*r));
	r->btf = btf__parse_elf(path, NULL);
	if (!r->btf) {
		int e = errno ? errno : EINVAL;

		snprintf(err, errlen, "%s: no BTF (%s); compile it with hupcc",
			 path, strerror(e));
		return -EINVAL;
	}
	cnt = btf__type_cnt(r->btf);
	for (uint32_t id = 1, hits = 0; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(r->btf, id);
		const char *vn;

		if (!btf_is_var(t))
			continue;
		vn = btf__name_by_offset(r->btf, t->name_off);
		if (!vn || strncmp(vn, RECORD_VAR_PREFIX, plen))
			continue;
		if (prog && strcmp(vn + plen, prog))
			continue;
		if (++hits > 1) {
			snprintf(err, errlen,
				 "%s: records of several programs (%s, %s); "
				 "name one with --prog",
				 path, name + plen, vn + plen);
			record__close(r);
			return -ENOTUNIQ;
		}
		found = id;
		name = vn;
	}
	if (!found) {
		snprintf(err, errlen, "%s: no HUP_QUERY_RECORD%s%s%s", path,
			 prog ? " for program '" : "", prog ? prog : "",
			 prog ? "'" : "");
		record__close(r);
		return -ENOENT;
	}
	r->type_id = btf__type_by_id(r->btf, found)->type;
	size = btf__resolve_size(r->btf, r->type_id);
	if (size <= 0 || size > RECORD_MAX_SIZE) {
		snprintf(err, errlen, "%s: record of %s has size %lld (1..%d)",
			 path, name + plen, size, RECORD_MAX_SIZE);
		record__close(r);
		return -EINVAL;
	}
	r->size = (uint32_t)size;
	n = (uint32_t)snprintf(r->prog, sizeof(r->prog), "%s", name + plen);
	(void)n;
	return 0;
}

void record__close(struct record *r)
{
	btf__free(r->btf);
	r->btf = NULL;
}

/* A string as text (bare when it is one plain word) or as JSON. */
static void put_string(FILE *out, const uint8_t *s, size_t cap, bool json)
{
	size_t n = 0;
	bool plain = true;

	while (n < cap && s[n])
		n++;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 127 || s[i] == '"' || s[i] == '\\' ||
		    s[i] == '=')
			plain = false;
	if (!json && plain && n) {
		fwrite(s, 1, n, out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(out, "\\%c", s[i]);
		else if (s[i] < ' ' || s[i] >= 127)
			fprintf(out, json ? "\\u%04x" : "\\x%02x", s[i]);
		else
			fputc(s[i], out);
	}
	fputc('"', out);
}

static uint64_t load(const uint8_t *p, uint32_t size)
{
	uint64_t v = 0;

	memcpy(&v, p, size > 8 ? 8 : size); /* little-endian host and guest */
	return v;
}

static void put_int(FILE *out, uint64_t v, uint32_t bits, bool is_signed)
{
	if (bits < 64)
		v &= (1ull << bits) - 1;
	if (is_signed && bits && bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ull << bits;
	if (is_signed)
		fprintf(out, "%lld", (long long)v);
	else
		fprintf(out, "%llu", (unsigned long long)v);
}

static bool is_char(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = resolve(btf, id, NULL);

	return t && btf_is_int(t) && t->size == 1;
}

static void put_enum(FILE *out, const struct btf *btf,
		     const struct btf_type *t, uint64_t v, bool json)
{
	bool sgn = btf_kflag(t);

	if (t->size < 8)
		v &= (1ull << (t->size * 8)) - 1;
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		uint64_t e = btf_is_enum(t)
				 ? (uint64_t)(uint32_t)btf_enum(t)[i].val
				 : btf_enum64_value(btf_enum64(t) + i);

		if (t->size < 8)
			e &= (1ull << (t->size * 8)) - 1;
		if (e == v) {
			const char *n = btf__name_by_offset(
			    btf, btf_is_enum(t) ? btf_enum(t)[i].name_off
						: btf_enum64(t)[i].name_off);

			fprintf(out, json ? "\"%s\"" : "%s", n ? n : "?");
			return;
		}
	}
	put_int(out, v, t->size * 8, sgn);
}

static void put_value(FILE *out, const struct btf *btf, uint32_t id,
		      const uint8_t *p, uint32_t room, bool json, int depth,
		      bool top);

static void put_members(FILE *out, const struct btf *btf,
			const struct btf_type *t, const uint8_t *p,
			uint32_t room, bool json, int depth, bool top)
{
	const struct btf_member *m = btf_members(t);

	if (json || !top)
		fputc('{', out);
	for (uint32_t i = 0, shown = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		uint32_t bit = btf_member_bit_offset(t, i);
		uint32_t bits = btf_member_bitfield_size(t, i);
		uint32_t mid;
		const struct btf_type *mt = resolve(btf, m->type, &mid);

		if (!mt)
			continue;
		if (shown++)
			fputs(json ? "," : " ", out);
		if (json)
			fprintf(out, "\"%s\":", name && *name ? name : "_");
		else
			fprintf(out, "%s=", name && *name ? name : "_");
		if (bits) {
			/* a bitfield: within the record's bytes, by bit */
			uint32_t byte = bit / 8, span = (bit % 8 + bits + 7) / 8;
			bool sgn = btf_is_int(mt) &&
				   (btf_int_encoding(mt) & BTF_INT_SIGNED);

			if (byte + span > room || span > 8) {
				fputs(json ? "null" : "?", out);
				continue;
			}
			put_int(out, load(p + byte, span) >> (bit % 8), bits,
				sgn);
			continue;
		}
		if (bit % 8 || bit / 8 > room) {
			fputs(json ? "null" : "?", out);
			continue;
		}
		put_value(out, btf, mid, p + bit / 8, room - bit / 8, json,
			  depth + 1, false);
	}
	if (json || !top)
		fputc('}', out);
}

static void put_value(FILE *out, const struct btf *btf, uint32_t id,
		      const uint8_t *p, uint32_t room, bool json, int depth,
		      bool top)
{
	const struct btf_type *t = resolve(btf, id, &id);
	long long size = btf__resolve_size(btf, id);

	if (!t || size < 0 || (uint64_t)size > room || depth > MAX_DEPTH) {
		fputs(json ? "null" : "?", out);
		return;
	}
	if (btf_is_int(t)) {
		uint32_t enc = btf_int_encoding(t);

		if (enc & BTF_INT_BOOL)
			fputs(load(p, t->size) ? "true" : "false", out);
		else
			put_int(out, load(p, t->size) >> btf_int_offset(t),
				btf_int_bits(t), enc & BTF_INT_SIGNED);
	} else if (btf_is_any_enum(t)) {
		put_enum(out, btf, t, load(p, t->size), json);
	} else if (btf_is_ptr(t)) {
		fprintf(out, json ? "\"0x%llx\"" : "0x%llx",
			(unsigned long long)load(p, 8));
	} else if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		long long esz = btf__resolve_size(btf, a->type);

		if (is_char(btf, a->type)) {
			put_string(out, p, a->nelems, json);
			return;
		}
		fputc('[', out);
		for (uint32_t i = 0; esz > 0 && i < a->nelems && i < MAX_ELEMS;
		     i++) {
			if (i)
				fputc(',', out);
			put_value(out, btf, a->type, p + i * esz,
				  room - (uint32_t)(i * esz), json, depth + 1,
				  false);
		}
		fputc(']', out);
	} else if (btf_is_composite(t)) {
		put_members(out, btf, t, p, (uint32_t)size, json, depth, top);
	} else {
		fputs(json ? "null" : "?", out);
	}
}

size_t record__print(FILE *out, const struct record *r, const uint8_t *buf,
		     size_t len, bool json)
{
	size_t n = len / r->size;

	if (json)
		fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (json && i)
			fputc(',', out);
		put_value(out, r->btf, r->type_id, buf + i * r->size, r->size,
			  json, 0, true);
		if (!json)
			fputc('\n', out);
	}
	if (json)
		fputc(']', out);
	return len - n * r->size;
}
