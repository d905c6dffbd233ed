/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel BTF for the tests, through libbpf: writing a hand-made one
 * (btf__add_*) to a file, for the tests that prepare objects against a
 * made-up kernel as hupload would against /sys/kernel/btf/vmlinux; and
 * reading a kernel's layout by name (member offsets, sizes, enumerators),
 * the tests' own oracle, written without hupload's CO-RE code.
 */
#ifndef HUP_TEST_BTF_H
#define HUP_TEST_BTF_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

/* 0, or -errno. */
static inline int hup_test_write_btf(struct btf *b, const char *path)
{
	uint32_t size = 0;
	const void *raw = btf__raw_data(b, &size);
	FILE *f = fopen(path, "wb");
	int err = 0;

	if (!f)
		return -errno;
	if (!raw || fwrite(raw, 1, size, f) != size)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* The type id behind id's typedefs and modifiers, or -ENOENT. */
static inline int hup_test_btf__skip_mods(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(b, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(b, id);
	}
	return t ? (int)id : -ENOENT;
}

/* Member name of the struct or union id (through typedefs), looking into
 * anonymous members as C does: its bit offset, bitfield size (0: not a
 * bitfield; bits may be NULL) and type id (type may be NULL).  0 or
 * -ENOENT. */
static inline int hup_test_btf__find_member(const struct btf *b, uint32_t id,
					    const char *name, uint32_t *bit_off,
					    uint32_t *bits, uint32_t *type)
{
	int rid = hup_test_btf__skip_mods(b, id);
	const struct btf_type *t = rid > 0 ? btf__type_by_id(b, (uint32_t)rid) : NULL;

	if (!t || !btf_is_composite(t))
		return -ENOENT;
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;
		const char *n = btf__name_by_offset(b, m->name_off);
		uint32_t sub;

		if (n && *n) {
			if (strcmp(n, name))
				continue;
			*bit_off = btf_member_bit_offset(t, i);
			if (bits)
				*bits = btf_member_bitfield_size(t, i);
			if (type)
				*type = m->type;
			return 0;
		}
		if (!hup_test_btf__find_member(b, m->type, name, &sub, bits, type)) {
			*bit_off = btf_member_bit_offset(t, i) + sub;
			return 0;
		}
	}
	return -ENOENT;
}

/* The member at path ("a.b.c") of struct sname: its bit offset from the
 * struct's start, bitfield size and type id (bits, type may be NULL).  0
 * or -ENOENT. */
static inline int hup_test_btf__member(const struct btf *b, const char *sname,
				       const char *path, uint32_t *bit_off,
				       uint32_t *bits, uint32_t *type)
{
	int id = btf__find_by_name_kind(b, sname, BTF_KIND_STRUCT);
	char buf[128], *save = NULL, *name;
	uint32_t off = 0, bf = 0, ty;

	if (id <= 0 || strlen(path) >= sizeof(buf))
		return -ENOENT;
	ty = (uint32_t)id;
	memcpy(buf, path, strlen(path) + 1);
	for (name = strtok_r(buf, ".", &save); name;
	     name = strtok_r(NULL, ".", &save)) {
		uint32_t o;

		if (hup_test_btf__find_member(b, ty, name, &o, &bf, &ty))
			return -ENOENT;
		off += o;
	}
	*bit_off = off;
	if (bits)
		*bits = bf;
	if (type)
		*type = ty;
	return 0;
}

/* The size of the member at path of struct sname in bytes; 0 if none. */
static inline uint32_t hup_test_btf__member_size(const struct btf *b, const char *sname,
						 const char *path)
{
	uint32_t off, type;
	long long sz;

	if (hup_test_btf__member(b, sname, path, &off, NULL, &type))
		return 0;
	sz = btf__resolve_size(b, type);
	return sz > 0 ? (uint32_t)sz : 0;
}

/* The size of struct name in bytes; 0 if there is none. */
static inline uint32_t hup_test_btf__struct_size(const struct btf *b, const char *name)
{
	int id = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT);

	return id > 0 ? btf__type_by_id(b, (uint32_t)id)->size : 0;
}

/* The value of enumerator name of enum type: 0, or -ENOENT. */
static inline int hup_test_btf__enum_value(const struct btf *b, const char *type,
					   const char *name, int64_t *val)
{
	int id = btf__find_by_name_kind(b, type, BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(b, (uint32_t)id) : NULL;

	for (uint32_t i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;

		if (!strcmp(btf__name_by_offset(b, e->name_off), name)) {
			*val = e->val;
			return 0;
		}
	}
	return -ENOENT;
}

/* The printk ring's types (printk_ringbuffer and what it holds) as
 * Debian's 6.1 and 6.12 kernels lay them out, added to b; without_level:
 * printk_info without its flags and level bitfields. */
static inline void hup_test_btf__add_printk(struct btf *b, int without_level)
{
	int u8 = btf__add_int(b, "u8", 1, 0);
	int u16 = btf__add_int(b, "u16", 2, 0);
	int u32 = btf__add_int(b, "u32", 4, 0);
	int u64 = btf__add_int(b, "u64", 8, 0);
	int s64 = btf__add_int(b, "s64", 8, BTF_INT_SIGNED);
	int uint = btf__add_int(b, "unsigned int", 4, 0);
	int ulong = btf__add_int(b, "long unsigned int", 8, 0);
	int chr = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	int pchr = btf__add_ptr(b, chr);
	int a64, along, lpos, desc, pdesc, info, pinfo, dring, data;

	a64 = btf__add_struct(b, NULL, 8);
	btf__add_field(b, "counter", s64, 0, 0);
	a64 = btf__add_typedef(b, "atomic64_t", a64);
	along = btf__add_typedef(b, "atomic_long_t", a64);
	lpos = btf__add_struct(b, "prb_data_blk_lpos", 16);
	btf__add_field(b, "begin", ulong, 0, 0);
	btf__add_field(b, "next", ulong, 64, 0);
	desc = btf__add_struct(b, "prb_desc", 24);
	btf__add_field(b, "state_var", along, 0, 0);
	btf__add_field(b, "text_blk_lpos", lpos, 64, 0);
	pdesc = btf__add_ptr(b, desc);
	info = btf__add_struct(b, "printk_info", 88);
	btf__add_field(b, "seq", u64, 0, 0);
	btf__add_field(b, "ts_nsec", u64, 64, 0);
	btf__add_field(b, "text_len", u16, 128, 0);
	btf__add_field(b, "facility", u8, 144, 0);
	if (!without_level) {
		btf__add_field(b, "flags", u8, 152, 5);
		btf__add_field(b, "level", u8, 157, 3);
	}
	btf__add_field(b, "caller_id", u32, 160, 0);
	pinfo = btf__add_ptr(b, info);
	dring = btf__add_struct(b, "prb_desc_ring", 48);
	btf__add_field(b, "count_bits", uint, 0, 0);
	btf__add_field(b, "descs", pdesc, 64, 0);
	btf__add_field(b, "infos", pinfo, 128, 0);
	btf__add_field(b, "head_id", along, 192, 0);
	btf__add_field(b, "tail_id", along, 256, 0);
	btf__add_field(b, "last_finalized_id", along, 320, 0);
	data = btf__add_struct(b, "prb_data_ring", 32);
	btf__add_field(b, "size_bits", uint, 0, 0);
	btf__add_field(b, "data", pchr, 64, 0);
	btf__add_field(b, "head_lpos", along, 128, 0);
	btf__add_field(b, "tail_lpos", along, 192, 0);
	btf__add_struct(b, "printk_ringbuffer", 88);
	btf__add_field(b, "desc_ring", dring, 0, 0);
	btf__add_field(b, "text_data_ring", data, 384, 0);
	btf__add_field(b, "fail", along, 640, 0);
}

#endif /* HUP_TEST_BTF_H */
