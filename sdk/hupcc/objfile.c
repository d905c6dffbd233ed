/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupobj: reading and linking hyperupcall objects (see objfile.h).  Shared
 * by hupcc's offline check (objcheck.c) and the guest loader hupload.
 */
#include "objfile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif

const char *hupobj__sec_name(const struct hupobj *o, size_t idx)
{
	uint32_t off;

	if (idx >= o->nsh)
		return "?";
	off = o->sh[idx].sh_name;
	if (off >= o->shstr_size ||
	    !memchr(o->shstr + off, '\0', o->shstr_size - off))
		return "?";
	return o->shstr + off;
}

const char *hupobj__sym_name(const struct hupobj *o, const Elf64_Sym *s)
{
	if (ELF64_ST_TYPE(s->st_info) == STT_SECTION && s->st_shndx < o->nsh)
		return hupobj__sec_name(o, s->st_shndx);
	if (s->st_name >= o->symstr_size ||
	    !memchr(o->symstr + s->st_name, '\0', o->symstr_size - s->st_name))
		return "?";
	return o->symstr + s->st_name;
}

static bool in_file(const struct hupobj *o, uint64_t off, uint64_t len)
{
	return off <= o->size && len <= o->size - off;
}

const uint8_t *hupobj__section(const struct hupobj *o, size_t idx,
			       size_t *size)
{
	const Elf64_Shdr *s;

	if (idx >= o->nsh)
		return NULL;
	s = &o->sh[idx];
	if (s->sh_type == SHT_NOBITS || !in_file(o, s->sh_offset, s->sh_size))
		return NULL;
	*size = s->sh_size;
	return o->data + s->sh_offset;
}

int hupobj__find_section(const struct hupobj *o, const char *name)
{
	for (size_t i = 1; i < o->nsh; i++)
		if (!strcmp(hupobj__sec_name(o, i), name))
			return (int)i;
	return -1;
}

/* --------------------------------------------------------- BTF line info */

struct btf_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

#define BTF_MAGIC 0xeB9F
/* .BTF.ext's header: magic, version, flags, hdr_len, then an (off, len)
 * pair per subsection in enum hupobj_ext_kind order; an older, shorter
 * header lacks the later ones. */
#define BTF_EXT_PAIRS_AT 8u

int hupobj__btf_ext(const struct hupobj *o, enum hupobj_ext_kind kind,
		    uint32_t min_rec, struct hupobj_ext *e)
{
	int ei = hupobj__find_section(o, ".BTF.ext");
	uint32_t pair = BTF_EXT_PAIRS_AT + 8u * (uint32_t)kind;
	uint32_t hdr_len, off, len;
	const uint8_t *ext;
	uint16_t magic;
	size_t size = 0;

	memset(e, 0, sizeof(*e));
	if (ei < 0)
		return -ENOENT;
	ext = hupobj__section(o, (size_t)ei, &size);
	if (!ext || size < BTF_EXT_PAIRS_AT)
		return -EINVAL;
	memcpy(&magic, ext, 2);
	memcpy(&hdr_len, ext + 4, 4);
	if (magic != BTF_MAGIC || hdr_len < BTF_EXT_PAIRS_AT || hdr_len > size)
		return -EINVAL;
	if (hdr_len < pair + 8)
		return -ENOENT;
	memcpy(&off, ext + pair, 4);
	memcpy(&len, ext + pair + 4, 4);
	if (!len)
		return -ENOENT;
	if ((uint64_t)hdr_len + off + len > size || len < 4)
		return -EINVAL;
	e->data = ext + hdr_len + off;
	e->end = e->data + len;
	memcpy(&e->rec_size, e->data, 4);
	e->data += 4;
	if (e->rec_size < min_rec)
		return -EINVAL;
	return 0;
}

struct btf_line_rec {
	uint32_t insn_off, file_name_off, line_off, line_col;
};

static const char *btf_str(const char *strs, uint32_t len, uint32_t off)
{
	if (off >= len || !memchr(strs + off, '\0', len - off))
		return "";
	return strs + off;
}

/* Line info is optional: without it, errors name the instruction only. */
static void load_lines(struct hupobj *o)
{
	int bi = hupobj__find_section(o, ".BTF");
	const uint8_t *btf, *p, *end;
	size_t btf_size = 0, cap = 0;
	struct hupobj_ext li;
	struct btf_hdr bh;
	const char *strs;
	uint32_t rec_size;

	if (bi < 0 || hupobj__btf_ext(o, HUPOBJ_EXT_LINE_INFO,
				      sizeof(struct btf_line_rec), &li))
		return;
	btf = hupobj__section(o, (size_t)bi, &btf_size);
	if (!btf || btf_size < sizeof(bh))
		return;
	memcpy(&bh, btf, sizeof(bh));
	if (bh.magic != BTF_MAGIC ||
	    (uint64_t)bh.hdr_len + bh.str_off + bh.str_len > btf_size)
		return;
	strs = (const char *)btf + bh.hdr_len + bh.str_off;
	p = li.data;
	end = li.end;
	rec_size = li.rec_size;
	while (end - p >= 8) {
		uint32_t name_off, n;

		memcpy(&name_off, p, 4);
		memcpy(&n, p + 4, 4);
		p += 8;
		if ((uint64_t)n * rec_size > (uint64_t)(end - p))
			return;
		for (uint32_t i = 0; i < n; i++, p += rec_size) {
			struct btf_line_rec r;
			struct hupobj_line *l;

			memcpy(&r, p, sizeof(r));
			if (o->nlines == cap) {
				size_t ncap = cap ? 2 * cap : 64;
				void *nl = realloc(o->lines,
						   ncap * sizeof(*o->lines));

				if (!nl)
					return;
				o->lines = nl;
				cap = ncap;
			}
			l = &o->lines[o->nlines++];
			l->sec = btf_str(strs, bh.str_len, name_off);
			l->off = r.insn_off;
			l->file = btf_str(strs, bh.str_len, r.file_name_off);
			l->text = btf_str(strs, bh.str_len, r.line_off);
			l->line = r.line_col >> 10;
			l->col = r.line_col & 0x3ff;
		}
	}
}

const struct hupobj_line *hupobj__line_at(const struct hupobj *o,
					  const char *sec, uint64_t off)
{
	const struct hupobj_line *best = NULL;

	for (size_t i = 0; i < o->nlines; i++) {
		const struct hupobj_line *l = &o->lines[i];

		if (strcmp(l->sec, sec) || l->off > off)
			continue;
		if (!best || l->off >= best->off)
			best = l;
	}
	return best;
}

const struct hupobj_line *hupobj__prog_line(const struct hupobj *o,
					    const struct hupobj_prog *p,
					    size_t idx)
{
	if (p->text_base && idx >= p->text_base)
		return hupobj__line_at(o, ".text", (idx - p->text_base) * 8);
	return hupobj__line_at(o, p->sec, p->start + idx * 8);
}

long hupobj__insn_index(const struct hupobj_prog *p, const char *sec,
			uint64_t off)
{
	if (off % 8)
		return -1;
	if (!strcmp(sec, p->sec) && off >= p->start &&
	    off - p->start < p->own * 8)
		return (long)((off - p->start) / 8);
	if (p->text_base && !strcmp(sec, ".text") &&
	    off / 8 < p->cnt - p->text_base)
		return (long)(p->text_base + off / 8);
	return -1;
}

/* ------------------------------------------------------------------ ELF */

static int parse(struct hupobj *o)
{
	const Elf64_Ehdr *eh;
	size_t size = 0;
	int si;

	if (o->size < sizeof(Elf64_Ehdr))
		return -EINVAL;
	eh = (const void *)o->data; /* aligned_alloc(8) */
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_BPF ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_file(o, eh->e_shoff,
		     (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) ||
	    eh->e_shoff % 8 || eh->e_shstrndx >= eh->e_shnum)
		return -EINVAL;
	o->sh = (const void *)(o->data + eh->e_shoff); /* e_shoff % 8 == 0 */
	o->nsh = eh->e_shnum;
	o->shstr = (const char *)hupobj__section(o, eh->e_shstrndx,
						 &o->shstr_size);
	if (!o->shstr)
		return -EINVAL;
	si = hupobj__find_section(o, ".symtab");
	if (si >= 0) {
		const uint8_t *s = hupobj__section(o, (size_t)si, &size);

		if (s && o->sh[si].sh_link < o->nsh &&
		    o->sh[si].sh_offset % 8 == 0) {
			o->syms = (const void *)s;
			o->nsyms = size / sizeof(Elf64_Sym);
			o->symstr = (const char *)hupobj__section(
				o, o->sh[si].sh_link, &o->symstr_size);
			if (!o->symstr)
				o->nsyms = 0;
		}
	}
	o->text_idx = hupobj__find_section(o, ".text");
	load_lines(o);
	return 0;
}

static void init(struct hupobj *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->text_idx = -1;
}

int hupobj__open(struct hupobj *o, const char *path)
{
	struct stat st;
	int fd;

	init(o, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return -EINVAL;
	}
	o->size = (size_t)st.st_size;
	/* 8-byte alignment for the casts to Elf64 structures. */
	o->data = aligned_alloc(8, (o->size + 7) & ~(size_t)7);
	if (!o->data || read(fd, o->data, o->size) != (ssize_t)o->size) {
		close(fd);
		return o->data ? -EIO : -ENOMEM;
	}
	close(fd);
	return parse(o);
}

int hupobj__open_mem(struct hupobj *o, const char *name, const void *data,
		     size_t size)
{
	init(o, name);
	if (size < sizeof(Elf64_Ehdr))
		return -EINVAL;
	o->size = size;
	o->data = aligned_alloc(8, (size + 7) & ~(size_t)7);
	if (!o->data)
		return -ENOMEM;
	memcpy(o->data, data, size);
	return parse(o);
}

void hupobj__close(struct hupobj *o)
{
	free(o->lines);
	free(o->data);
	o->lines = NULL;
	o->data = NULL;
}

bool hupobj__event_of(const char *sec, enum hup_event *ev)
{
	static const char *const names[HUP_EVENT_MAX + 1] =
		HUP_EVENT_NAMES_INIT;
	const char *rest;

	if (strncmp(sec, "hyperupcall/", 12))
		return false;
	rest = sec + 12;
	for (unsigned int e = 1; e <= HUP_EVENT_MAX; e++) {
		size_t n = names[e] ? strlen(names[e]) : 0;

		if (n && !strncmp(rest, names[e], n) &&
		    (rest[n] == '\0' || rest[n] == '/')) {
			*ev = (enum hup_event)e;
			return true;
		}
	}
	return false;
}

int hupobj__for_each_prog(const struct hupobj *o, hupobj_prog_fn fn,
			  void *ctx)
{
	for (size_t i = 1; i < o->nsh; i++) {
		const Elf64_Shdr *s = &o->sh[i];
		bool any = false;
		int err;

		if (s->sh_type != SHT_PROGBITS ||
		    !(s->sh_flags & SHF_EXECINSTR) ||
		    (int)i == o->text_idx || !s->sh_size)
			continue;
		/* Each function symbol in the section is a program. */
		for (size_t k = 0; k < o->nsyms; k++) {
			const Elf64_Sym *sym = &o->syms[k];

			if (sym->st_shndx != i ||
			    ELF64_ST_TYPE(sym->st_info) != STT_FUNC)
				continue;
			any = true;
			err = fn(ctx, i, hupobj__sym_name(o, sym),
				 sym->st_value, sym->st_size);
			if (err)
				return err;
		}
		if (!any) {
			err = fn(ctx, i, hupobj__sec_name(o, i), 0, s->sh_size);
			if (err)
				return err;
		}
	}
	return 0;
}

/* ----------------------------------------------------------------- link */

static bool is_ldimm64(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static void report(const struct hupobj *o, struct hupobj_prog *p, size_t idx,
		   const char *msg)
{
	p->errors++;
	if (o->report)
		o->report(o->report_ctx, p, idx, msg);
}

/* The relocations of section secidx (NULL if none); -EINVAL if malformed. */
static int rel_section(const struct hupobj *o, size_t ri, size_t secidx,
		       const Elf64_Rel **rel, size_t *n)
{
	const Elf64_Shdr *rs = &o->sh[ri];
	size_t size = 0;

	*rel = NULL;
	*n = 0;
	if (rs->sh_type != SHT_REL || rs->sh_info != secidx)
		return 0;
	*rel = (const void *)hupobj__section(o, ri, &size);
	if (!*rel || rs->sh_offset % 8)
		return -EINVAL;
	*n = size / sizeof(**rel);
	return 0;
}

/* Applies the relocations of section secidx that fall in [lo, hi) bytes,
 * to insns starting at base (the linked index of byte lo). */
static int relocate(const struct hupobj *o, struct hupobj_prog *p,
		    size_t secidx, uint64_t lo, uint64_t hi, size_t base,
		    bool dry, bool *needs_text)
{
	for (size_t ri = 1; ri < o->nsh; ri++) {
		const Elf64_Rel *rel;
		size_t n;
		int err = rel_section(o, ri, secidx, &rel, &n);

		if (err)
			return err;
		for (size_t k = 0; k < n; k++) {
			uint64_t off = rel[k].r_offset;
			size_t sym = ELF64_R_SYM(rel[k].r_info);
			const Elf64_Sym *s;
			struct bpf_insn *in;
			size_t idx;
			char msg[256];

			if (off < lo || off >= hi || off % 8)
				continue;
			idx = base + (off - lo) / 8;
			if (idx >= p->cnt || sym >= o->nsyms)
				return -EINVAL;
			in = &p->insns[idx];
			s = &o->syms[sym];

			if (in->code == (BPF_JMP | BPF_CALL) &&
			    in->src_reg == BPF_PSEUDO_CALL) {
				/* A BPF-to-BPF call into .text. */
				int64_t target;

				if ((int)s->st_shndx != o->text_idx) {
					if (dry)
						continue;
					snprintf(msg, sizeof(msg), "call to '%s', "
						 "which is not in .text",
						 hupobj__sym_name(o, s));
					report(o, p, idx, msg);
					continue;
				}
				*needs_text = true;
				if (dry)
					continue;
				target = (int64_t)(s->st_value / 8) + in->imm + 1;
				in->imm = (int32_t)((int64_t)p->text_base + target -
						    (int64_t)idx - 1);
			} else if (is_ldimm64(in) && idx + 1 < p->cnt) {
				if (s->st_shndx == SHN_UNDEF) {
					/* A __ksym: the guest module fills it. */
					continue;
				}
				if ((int)s->st_shndx == o->text_idx) {
					/* A callback (HUP_FN_loop). */
					int64_t target;

					*needs_text = true;
					if (dry)
						continue;
					target = (int64_t)(s->st_value +
							   (uint32_t)in->imm) / 8;
					in->src_reg = BPF_PSEUDO_FUNC;
					in->imm = (int32_t)((int64_t)p->text_base +
							    target - (int64_t)idx - 1);
					in[1].imm = 0;
					continue;
				}
				if (dry)
					continue;
				snprintf(msg, sizeof(msg),
					 "reference to global data '%s' (section "
					 "%s): hyperupcalls have no global data; "
					 "use the stack or guest memory",
					 hupobj__sym_name(o, s),
					 hupobj__sec_name(o, s->st_shndx));
				report(o, p, idx, msg);
			} else if (!dry) {
				snprintf(msg, sizeof(msg),
					 "unsupported relocation against '%s'",
					 hupobj__sym_name(o, s));
				report(o, p, idx, msg);
			}
		}
	}
	return 0;
}

int hupobj__link(const struct hupobj *o, struct hupobj_prog *p,
		 size_t secidx, uint64_t start, uint64_t len)
{
	const uint8_t *sec, *text = NULL;
	size_t size = 0, text_size = 0;
	bool needs_text = false;
	int err;

	sec = hupobj__section(o, secidx, &size);
	if (!sec || start > size || len > size - start || len % 8 || !len ||
	    start % 8)
		return -EINVAL;
	p->secidx = secidx;
	p->start = start;
	p->own = len / 8;
	p->cnt = p->own;
	p->insns = malloc(len);
	if (!p->insns)
		return -ENOMEM;
	memcpy(p->insns, sec + start, len);
	/* A dry pass first: does the program call into .text? */
	err = relocate(o, p, secidx, start, start + len, 0, true, &needs_text);
	if (err)
		return err;
	if (needs_text && o->text_idx >= 0) {
		void *grown;

		text = hupobj__section(o, (size_t)o->text_idx, &text_size);
		if (!text || text_size % 8 || !text_size)
			return -EINVAL;
		grown = realloc(p->insns, len + text_size);
		if (!grown)
			return -ENOMEM;
		p->insns = grown;
		/* Append .text; calls and callbacks are resolved into it. */
		memcpy(p->insns + p->own, text, text_size);
		p->text_base = p->own;
		p->cnt = p->own + text_size / 8;
	}
	err = relocate(o, p, secidx, start, start + len, 0, false, &needs_text);
	if (!err && text_size)
		err = relocate(o, p, (size_t)o->text_idx, 0, text_size,
			       p->text_base, false, &needs_text);
	return err;
}

static int add_refs(const struct hupobj *o, const struct hupobj_prog *p,
		    size_t secidx, uint64_t lo, uint64_t hi, size_t base,
		    struct hupobj_ksym_ref **refs, size_t *nrefs)
{
	for (size_t ri = 1; ri < o->nsh; ri++) {
		const Elf64_Rel *rel;
		size_t n;
		int err = rel_section(o, ri, secidx, &rel, &n);

		if (err)
			return err;
		for (size_t k = 0; k < n; k++) {
			uint64_t off = rel[k].r_offset;
			size_t sym = ELF64_R_SYM(rel[k].r_info), idx;
			struct hupobj_ksym_ref *grown;

			if (off < lo || off >= hi || off % 8 ||
			    sym >= o->nsyms ||
			    o->syms[sym].st_shndx != SHN_UNDEF)
				continue;
			idx = base + (off - lo) / 8;
			if (idx + 1 >= p->cnt || !is_ldimm64(&p->insns[idx]))
				return -EINVAL;
			grown = realloc(*refs, (*nrefs + 1) * sizeof(**refs));
			if (!grown)
				return -ENOMEM;
			*refs = grown;
			grown[*nrefs].idx = idx;
			grown[*nrefs].name = hupobj__sym_name(o, &o->syms[sym]);
			grown[*nrefs].weak =
				ELF64_ST_BIND(o->syms[sym].st_info) == STB_WEAK;
			(*nrefs)++;
		}
	}
	return 0;
}

int hupobj__ksym_refs(const struct hupobj *o, const struct hupobj_prog *p,
		      struct hupobj_ksym_ref **refs, size_t *nrefs)
{
	int err;

	*refs = NULL;
	*nrefs = 0;
	err = add_refs(o, p, p->secidx, p->start, p->start + p->own * 8, 0,
		       refs, nrefs);
	if (!err && p->text_base)
		err = add_refs(o, p, (size_t)o->text_idx, 0,
			       (p->cnt - p->text_base) * 8, p->text_base,
			       refs, nrefs);
	if (err) {
		free(*refs);
		*refs = NULL;
		*nrefs = 0;
	}
	return err;
}
