/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupobj: the hyperupcall object reader shared by hupcc (the offline check)
 * and hupload (the guest loader).  It reads a BPF ELF written by hupcc
 * without libelf (the format is small, and neither tool may trust the file
 * more than it has to), finds the programs (functions in
 * "hyperupcall/<event>[/label]" sections), links one with the .text
 * subprograms and hup_loop callbacks it uses as a loader would, lists its
 * __ksym references, and maps instructions back to C source lines through
 * the object's .BTF.ext line info.
 *
 * Everything read from the file is bounds-checked: a truncated or garbage
 * object gives -EINVAL, never a read outside the buffer.
 */
#ifndef HUPCC_OBJFILE_H
#define HUPCC_OBJFILE_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyperupcall/abi.h>

struct bpf_insn;
struct hupobj_prog;

/* One line-info record (from .BTF.ext). */
struct hupobj_line {
	const char *sec;  /* section name */
	uint32_t off;     /* byte offset of the instruction in the section */
	const char *file;
	const char *text; /* the source line itself */
	uint32_t line, col;
};

/* Called for every problem found while linking: idx is the linked index. */
typedef void (*hupobj_report_fn)(void *ctx, struct hupobj_prog *p,
				 size_t idx, const char *msg);

struct hupobj {
	const char *path;
	uint8_t *data;
	size_t size;
	const Elf64_Shdr *sh;
	size_t nsh;
	const char *shstr;
	size_t shstr_size;
	const Elf64_Sym *syms;
	size_t nsyms;
	const char *symstr;
	size_t symstr_size;
	int text_idx; /* .text section index, or -1 */
	struct hupobj_line *lines;
	size_t nlines;
	hupobj_report_fn report; /* optional */
	void *report_ctx;
};

/* A __ksym reference of a linked program: the ld_imm64 at insn_idx loads
 * the address of the guest kernel symbol name. */
struct hupobj_ksym_ref {
	size_t idx;
	const char *name; /* points into the object's string table */
	bool weak;        /* STB_WEAK: may be absent from the kernel */
};

/* One program, linked: its own instructions, then .text if it calls in. */
struct hupobj_prog {
	const char *sec;
	const char *name;
	enum hup_event event;
	size_t secidx;
	struct bpf_insn *insns; /* malloc()ed */
	size_t cnt;
	size_t own;       /* instructions of the program itself */
	size_t text_base; /* where .text starts in insns, or 0 if absent */
	uint64_t start;   /* byte offset of the program in its section */
	int errors;       /* problems reported while linking */
};

/* Opens path (read into memory) or a copy of data; 0 or -errno (-EINVAL for
 * anything that is not a 64-bit little-endian BPF ELF with sane headers).
 * hupobj__close must be called in every case. */
int hupobj__open(struct hupobj *o, const char *path);
int hupobj__open_mem(struct hupobj *o, const char *name, const void *data,
		     size_t size);
void hupobj__close(struct hupobj *o);

const char *hupobj__sec_name(const struct hupobj *o, size_t idx);
const char *hupobj__sym_name(const struct hupobj *o, const Elf64_Sym *s);
/* Section contents (NULL for NOBITS or out of the file). */
const uint8_t *hupobj__section(const struct hupobj *o, size_t idx,
			       size_t *size);
int hupobj__find_section(const struct hupobj *o, const char *name);
/* The event of a section name "hyperupcall/<event>[/label]". */
bool hupobj__event_of(const char *sec, enum hup_event *ev);
/* The line entry covering byte offset off of section sec, or NULL. */
const struct hupobj_line *hupobj__line_at(const struct hupobj *o,
					  const char *sec, uint64_t off);
/* The line of linked instruction idx of p, or NULL. */
const struct hupobj_line *hupobj__prog_line(const struct hupobj *o,
					    const struct hupobj_prog *p,
					    size_t idx);

/* Links the program at [start, start + len) of section secidx into p
 * (p->sec, p->name, p->event set by the caller).  Problems that make the
 * program unloadable (a call outside .text, global data) are reported
 * through o->report and counted in p->errors; malformed input is -EINVAL. */
int hupobj__link(const struct hupobj *o, struct hupobj_prog *p,
		 size_t secidx, uint64_t start, uint64_t len);

/* Calls fn for every program of the object (a function symbol in an
 * executable section other than .text; a section without one is one
 * program named after it).  Stops at and returns fn's first nonzero
 * return. */
typedef int (*hupobj_prog_fn)(void *ctx, size_t secidx, const char *name,
			      uint64_t start, uint64_t len);
int hupobj__for_each_prog(const struct hupobj *o, hupobj_prog_fn fn,
			  void *ctx);

/* The __ksym references of a linked program into *refs (malloc()ed,
 * *nrefs entries; NULL if none); 0 or -errno. */
int hupobj__ksym_refs(const struct hupobj *o, const struct hupobj_prog *p,
		      struct hupobj_ksym_ref **refs, size_t *nrefs);

/* A subsection of the object's .BTF.ext (the one parser of its header):
 * data..end holds its per-section groups ("sec_name_off, n, n records of
 * rec_size bytes"), bounds-checked against the section. */
enum hupobj_ext_kind {
	HUPOBJ_EXT_FUNC_INFO,
	HUPOBJ_EXT_LINE_INFO,
	HUPOBJ_EXT_CORE_RELO,
};
struct hupobj_ext {
	const uint8_t *data, *end;
	uint32_t rec_size;
};
/* 0 with *e set; -ENOENT: no .BTF.ext, or it has no (or an empty) such
 * subsection; -EINVAL: a bad magic, header or bounds, or a record size
 * below min_rec. */
int hupobj__btf_ext(const struct hupobj *o, enum hupobj_ext_kind kind,
		    uint32_t min_rec, struct hupobj_ext *e);

/* The linked index of byte offset off of section sec, if the program
 * contains it: -1 otherwise. */
long hupobj__insn_index(const struct hupobj_prog *p, const char *sec,
			uint64_t off);

#endif /* HUPCC_OBJFILE_H */
