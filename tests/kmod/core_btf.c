/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupload's CO-RE relocator against real Debian kernels: the local types
 * are those of the first BTF (the kernel programs are compiled against),
 * every other BTF is a target (other series, other flavours: rt-amd64
 * moves task_struct's fields).  For each (struct, field path) the
 * relocator's byte offset must equal the one found by a plain name walk of
 * the target, and the type sizes must agree; one field must actually move
 * between some pair of kernels, or the test proves nothing.
 *
 *	hupload_core_btf LOCAL.btf TARGET.btf...
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const char *const fields[][2] = {
	{ "task_struct", "pid" }, { "task_struct", "tgid" },
	{ "task_struct", "comm" }, { "task_struct", "mm" },
	{ "task_struct", "tasks.next" }, { "task_struct", "cred" },
	{ "task_struct", "__state" }, { "task_struct", "real_parent" },
	{ "mm_struct", "pgd" }, { "mm_struct", "mm_users" },
	{ "page", "flags" }, { "page", "lru.prev" }, { "list_head", "prev" },
	{ "rq", "nr_running" }, { "rq", "curr" }, { "cred", "uid" },
	{ "printk_ringbuffer", "desc_ring" }, { "file", "f_inode" },
};

/* Plain walk: member name by name through anonymous members; bit offset
 * into *off, its type into *type.  Returns 0 or -ENOENT. */
static int walk(const struct btf *b, __u32 id, const char *name, __u64 *off,
		__u32 *type)
{
	const struct btf_type *t = btf__type_by_id(b, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(b, id);
	}
	if (!t || !btf_is_composite(t))
		return -ENOENT;
	for (__u32 i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;
		const char *n = btf__name_by_offset(b, m->name_off);
		__u64 sub = 0;

		if ((!n || !*n) && !walk(b, m->type, name, &sub, type)) {
			*off = btf_member_bit_offset(t, i) + sub;
			return 0;
		}
		if (n && !strcmp(n, name)) {
			*off = btf_member_bit_offset(t, i);
			*type = m->type;
			return 0;
		}
	}
	return -ENOENT;
}

/* Offset of "a.b.c" from struct root, by walking; and the raw access
 * string of the same path in b ("0:i:j..."), for the relocator. */
static int path(const struct btf *b, const char *root, const char *dotted,
		__u64 *bits, char *acc, size_t acclen, __u32 *root_id)
{
	int id = btf__find_by_name_kind(b, root, BTF_KIND_STRUCT);
	char buf[128], *save = NULL, *tok;
	__u32 cur;

	if (id < 0)
		return -ENOENT;
	*root_id = (__u32)id;
	cur = (__u32)id;
	*bits = 0;
	snprintf(acc, acclen, "0");
	snprintf(buf, sizeof(buf), "%s", dotted);
	for (tok = strtok_r(buf, ".", &save); tok;
	     tok = strtok_r(NULL, ".", &save)) {
		__u64 off = 0;
		__u32 type = 0;

		if (walk(b, cur, tok, &off, &type))
			return -ENOENT;
		*bits += off;
		/* The access string: index path through anonymous members. */
		{
			const struct btf_type *t = btf__type_by_id(b, cur);
			__u32 tid = cur;

			while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
				tid = t->type;
				t = btf__type_by_id(b, tid);
			}
			for (int guard = 0; guard < 8; guard++) {
				int found = -1;

				for (__u32 i = 0; i < btf_vlen(t); i++) {
					const struct btf_member *m =
						btf_members(t) + i;
					const char *n = btf__name_by_offset(
						b, m->name_off);
					__u64 o;
					__u32 ty;

					if (n && !strcmp(n, tok)) {
						found = (int)i;
						break;
					}
					if ((!n || !*n) &&
					    !walk(b, m->type, tok, &o, &ty)) {
						found = (int)i | 0x10000;
						break;
					}
				}
				if (found < 0)
					return -ENOENT;
				snprintf(acc + strlen(acc), acclen - strlen(acc),
					 ":%d", found & 0xffff);
				if (!(found & 0x10000))
					break;
				tid = btf_members(t)[found & 0xffff].type;
				t = btf__type_by_id(b, tid);
				while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
					tid = t->type;
					t = btf__type_by_id(b, tid);
				}
			}
		}
		cur = type;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct btf *local, *target;
	int fails = 0, checks = 0, moved = 0;
	__u64 first[sizeof(fields) / sizeof(fields[0])] = { 0 };

	if (argc < 3) {
		fprintf(stderr, "usage: hupload_core_btf LOCAL TARGET...\n");
		return 2;
	}
	local = btf__parse(argv[1], NULL);
	if (!local) {
		perror(argv[1]);
		return 2;
	}
	for (int a = 1; a < argc; a++) {
		target = btf__parse(argv[a], NULL);
		if (!target) {
			perror(argv[a]);
			return 2;
		}
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			char acc[64], tacc[64], err[256];
			__u64 lbits, tbits;
			uint64_t val = 0;
			__u32 lroot, troot;

			if (path(local, fields[f][0], fields[f][1], &lbits, acc,
				 sizeof(acc), &lroot))
				continue; /* not in this kernel's types */
			if (path(target, fields[f][0], fields[f][1], &tbits,
				 tacc, sizeof(tacc), &troot)) {
				printf("%s: %s.%s: absent\n", argv[a],
				       fields[f][0], fields[f][1]);
				continue;
			}
			checks++;
			if (hup_core__value(local, lroot, acc,
					    BPF_CORE_FIELD_BYTE_OFFSET, target,
					    &val, err, sizeof(err)) ||
			    val != tbits / 8) {
				fails++;
				printf("FAIL %s: %s.%s (%s): relocator %llu "
				       "(%s), walk %llu\n", argv[a],
				       fields[f][0], fields[f][1], acc,
				       (unsigned long long)val, err,
				       (unsigned long long)(tbits / 8));
				continue;
			}
			if (a == 1)
				first[f] = val;
			else if (val != first[f])
				moved++;
			printf("%s: %s.%s = %llu\n", argv[a], fields[f][0],
			       fields[f][1], (unsigned long long)val);
		}
		{
			uint64_t sz = 0;
			char err[256];
			int id = btf__find_by_name_kind(local, "task_struct",
							BTF_KIND_STRUCT);
			int tid = btf__find_by_name_kind(target, "task_struct",
							 BTF_KIND_STRUCT);

			checks++;
			if (hup_core__value(local, (__u32)id, "0",
					    BPF_CORE_TYPE_SIZE, target, &sz,
					    err, sizeof(err)) ||
			    (long long)sz != btf__resolve_size(target, (__u32)tid)) {
				fails++;
				printf("FAIL %s: sizeof(task_struct)\n", argv[a]);
			} else {
				printf("%s: sizeof(task_struct) = %llu\n",
				       argv[a], (unsigned long long)sz);
			}
		}
		btf__free(target);
	}
	btf__free(local);
	printf("hupload_core_btf: %d checks, %d failures, %d moved fields\n",
	       checks, fails, moved);
	if (!moved && argc > 3) {
		printf("FAIL: no field moved between these kernels\n");
		fails++;
	}
	return fails ? 1 : 0;
}
