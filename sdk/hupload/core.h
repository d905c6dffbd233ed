/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupload's CO-RE relocator: applies the object's BPF CO-RE relocations
 * (.BTF.ext core_relo records, written by clang for
 * __builtin_preserve_*_info and preserve_access_index types) to a linked
 * program against a target BTF (the running kernel's /sys/kernel/btf/vmlinux
 * or a file), offline: libbpf 1.1 only does this inside bpf_object__load,
 * so the algorithm is reimplemented here over libbpf's public BTF API.
 *
 * Supported: field byte offset, byte size, existence, signedness, bitfield
 * shifts; type id (local, target), existence, size, matches (as exists);
 * enum value existence and value.  Candidates are the target types with
 * the local type's kind and essential name ("task_struct___old" matches
 * "task_struct"); members are matched by name through anonymous members;
 * all candidates that match must agree.  A relocation with no match makes
 * an *_EXISTS answer 0; any other kind fails the load with a message.
 */
#ifndef HUPLOAD_CORE_H
#define HUPLOAD_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "objfile.h"

struct btf;

/* One relocation of a program as it was resolved, for hupload -v. */
struct hup_core_reloc {
	uint32_t insn;           /* index in the linked program */
	uint32_t kind;           /* enum bpf_core_relo_kind */
	char what[160];          /* "struct task_struct.comm", "enum x::Y" */
	uint64_t value;          /* patched in (HUP_CORE_MATCHED) */
	enum {
		HUP_CORE_MATCHED,
		HUP_CORE_MISSING,  /* not in the target: *_EXISTS is 0 */
		HUP_CORE_POISONED, /* not in the target: must not be reached */
	} state;
};

struct hup_core_stats {
	unsigned int applied;    /* relocations patched */
	unsigned int missing;    /* *_EXISTS answered 0 */
	unsigned int poisoned;   /* no match: HUP_CORE_POISON_CALL left */
	struct hup_core_reloc *relocs; /* each of them, malloc()ed */
	size_t nrelocs;
};

/* Writes one diagnostic (no newline) into err (size errlen) on failure.
 * stats->relocs is the caller's to free(), on failure too. */
int hup_core__relocate(const struct hupobj *o, struct hupobj_prog *p,
		       const struct btf *local, const struct btf *target,
		       struct hup_core_stats *stats, char *err, size_t errlen);

/* The value a relocation of kind on the local type_id/access string takes
 * in target (exposed for tests); 0, or -ENOENT if nothing matches, or
 * -EINVAL (msg in err). */
int hup_core__value(const struct btf *local, uint32_t type_id,
		    const char *access, uint32_t kind,
		    const struct btf *target, uint64_t *val, char *err,
		    size_t errlen);

/* The name of a relocation kind ("byte_off", "enumval_value"...). */
const char *hup_core__kind_name(uint32_t kind);

#endif /* HUPLOAD_CORE_H */
