/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupcc: the offline check of a compiled object.  Reads the BPF ELF itself
 * (no libelf: the format is small and hupcc must not trust the file more
 * than it has to), links each program with the .text subprograms it calls
 * as a loader would, checks what the ABI allows (instruction count, pseudo
 * loads, helper ids, no global data), runs libhup's verifier when hupcc was
 * built with it, and reports every rejection at the C source line through
 * the object's BTF line info (.BTF.ext), as clang reports errors.
 *
 * CO-RE: the object's field offsets are those of the vmlinux.h it was
 * built against; the guest relocates them against the running kernel before
 * registering, and the host verifies again then.  Here the program is
 * verified with its compiled offsets, i.e. against its own BTF as target.
 * Kernel symbols (__ksym) are resolved by the guest; here they are 0.
 */
#include "hupcc.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hyperupcall/abi.h>

#ifdef HUPCC_HAVE_VERIFIER
#include "log.h"
#include "verifier.h"
#endif

#ifndef EM_BPF
#define EM_BPF 247
#endif

struct line {
	const char *sec;  /* section name */
	uint32_t off;     /* byte offset of the instruction in the section */
	const char *file;
	const char *text; /* the source line itself */
	uint32_t line, col;
};

struct obj {
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
	struct line *lines;
	size_t nlines;
};

/* One program, linked: its own instructions, then .text if it calls in. */
struct prog {
	const char *sec;
	const char *name;
	enum hup_event event;
	struct bpf_insn *insns;
	size_t cnt;
	size_t own;       /* instructions of the program itself */
	size_t text_base; /* where .text starts in insns, or 0 if absent */
	uint64_t start;   /* byte offset of the program in its section */
	int errors;
};

static const char *sec_name(const struct obj *o, size_t idx)
{
	uint32_t off = o->sh[idx].sh_name;

	return off < o->shstr_size ? o->shstr + off : "?";
}

static const char *sym_name(const struct obj *o, const Elf64_Sym *s)
{
	if (ELF64_ST_TYPE(s->st_info) == STT_SECTION && s->st_shndx < o->nsh)
		return sec_name(o, s->st_shndx);
	return s->st_name < o->symstr_size ? o->symstr + s->st_name : "?";
}

static bool in_file(const struct obj *o, uint64_t off, uint64_t len)
{
	return off <= o->size && len <= o->size - off;
}

static const uint8_t *section(const struct obj *o, size_t idx, size_t *size)
{
	const Elf64_Shdr *s = &o->sh[idx];

	if (s->sh_type == SHT_NOBITS || !in_file(o, s->sh_offset, s->sh_size))
		return NULL;
	*size = s->sh_size;
	return o->data + s->sh_offset;
}

static int find_section(const struct obj *o, const char *name)
{
	for (size_t i = 1; i < o->nsh; i++)
		if (!strcmp(sec_name(o, i), name))
			return (int)i;
	return -1;
}

/* --------------------------------------------------------- BTF line info */

struct btf_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, func_info_off, func_info_len, line_info_off,
		line_info_len;
};

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
static void load_lines(struct obj *o)
{
	int bi = find_section(o, ".BTF"), ei = find_section(o, ".BTF.ext");
	const uint8_t *btf, *ext, *p, *end;
	size_t btf_size = 0, ext_size = 0, cap = 0;
	struct btf_hdr bh;
	struct btf_ext_hdr eh;
	const char *strs;
	uint32_t rec_size;

	if (bi < 0 || ei < 0)
		return;
	btf = section(o, (size_t)bi, &btf_size);
	ext = section(o, (size_t)ei, &ext_size);
	if (!btf || !ext || btf_size < sizeof(bh) || ext_size < sizeof(eh))
		return;
	memcpy(&bh, btf, sizeof(bh));
	memcpy(&eh, ext, sizeof(eh));
	if (bh.magic != 0xeB9F || eh.magic != 0xeB9F ||
	    (uint64_t)bh.hdr_len + bh.str_off + bh.str_len > btf_size ||
	    (uint64_t)eh.hdr_len + eh.line_info_off + eh.line_info_len >
		    ext_size ||
	    eh.line_info_len < 4)
		return;
	strs = (const char *)btf + bh.hdr_len + bh.str_off;
	p = ext + eh.hdr_len + eh.line_info_off;
	end = p + eh.line_info_len;
	memcpy(&rec_size, p, 4);
	p += 4;
	if (rec_size < sizeof(struct btf_line_rec))
		return;
	while (end - p >= 8) {
		uint32_t name_off, n;

		memcpy(&name_off, p, 4);
		memcpy(&n, p + 4, 4);
		p += 8;
		if ((uint64_t)n * rec_size > (uint64_t)(end - p))
			return;
		for (uint32_t i = 0; i < n; i++, p += rec_size) {
			struct btf_line_rec r;
			struct line *l;

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

/* The line entry covering byte offset off of section sec. */
static const struct line *line_at(const struct obj *o, const char *sec,
				  uint64_t off)
{
	const struct line *best = NULL;

	for (size_t i = 0; i < o->nlines; i++) {
		const struct line *l = &o->lines[i];

		if (strcmp(l->sec, sec) || l->off > off)
			continue;
		if (!best || l->off >= best->off)
			best = l;
	}
	return best;
}

/* "file:line:col: error: msg" for linked instruction idx of prog. */
static void report(const struct obj *o, struct prog *p, size_t idx,
		   const char *msg)
{
	const char *sec = p->sec;
	uint64_t off = p->start + idx * 8;
	const struct line *l;

	if (p->text_base && idx >= p->text_base) {
		sec = ".text";
		off = (idx - p->text_base) * 8;
	}
	l = line_at(o, sec, off);
	p->errors++;
	if (l && l->line) {
		fprintf(stderr, "%s:%u:%u: error: %s\n", l->file, l->line,
			l->col ? l->col : 1, msg);
		if (*l->text)
			fprintf(stderr, "    %s\n", l->text);
		fprintf(stderr, "    (program '%s' in %s, instruction %zu)\n",
			p->name, p->sec, idx);
	} else {
		fprintf(stderr, "%s: error: %s (program '%s' in %s, "
			"instruction %zu)\n", o->path, msg, p->name, p->sec, idx);
	}
}

/* ------------------------------------------------------------- ELF, link */

static int open_obj(struct obj *o, const char *path)
{
	const Elf64_Ehdr *eh;
	struct stat st;
	int fd, si;
	size_t size = 0;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->text_idx = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return -EINVAL;
	}
	o->size = (size_t)st.st_size;
	o->data = malloc(o->size);
	if (!o->data || read(fd, o->data, o->size) != (ssize_t)o->size) {
		close(fd);
		return -EIO;
	}
	close(fd);

	eh = (const Elf64_Ehdr *)o->data;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_BPF ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_file(o, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) ||
	    eh->e_shoff % 8 || eh->e_shstrndx >= eh->e_shnum)
		return -EINVAL;
	o->sh = (const Elf64_Shdr *)(o->data + eh->e_shoff);
	o->nsh = eh->e_shnum;
	o->shstr = (const char *)section(o, eh->e_shstrndx, &o->shstr_size);
	if (!o->shstr)
		return -EINVAL;
	si = find_section(o, ".symtab");
	if (si >= 0) {
		const uint8_t *s = section(o, (size_t)si, &size);

		if (s && o->sh[si].sh_link < o->nsh && o->sh[si].sh_offset % 8 == 0) {
			o->syms = (const Elf64_Sym *)s;
			o->nsyms = size / sizeof(Elf64_Sym);
			o->symstr = (const char *)section(o, o->sh[si].sh_link,
							  &o->symstr_size);
			if (!o->symstr)
				o->nsyms = 0;
		}
	}
	o->text_idx = find_section(o, ".text");
	load_lines(o);
	return 0;
}

static void close_obj(struct obj *o)
{
	free(o->lines);
	free(o->data);
}

static bool event_of(const char *sec, enum hup_event *ev)
{
	static const struct {
		const char *name;
		enum hup_event ev;
	} map[] = {
		{ "trace", HUP_EVENT_TRACE },
		{ "msr_write", HUP_EVENT_MSR_WRITE },
		{ "reclaim", HUP_EVENT_RECLAIM },
		{ "vcpu_resume", HUP_EVENT_VCPU_RESUME },
		{ "query", HUP_EVENT_QUERY },
	};
	const char *rest;

	if (strncmp(sec, "hyperupcall/", 12))
		return false;
	rest = sec + 12;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t n = strlen(map[i].name);

		if (!strncmp(rest, map[i].name, n) &&
		    (rest[n] == '\0' || rest[n] == '/')) {
			*ev = map[i].ev;
			return true;
		}
	}
	return false;
}

static bool is_ldimm64(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* Applies the relocations of section secidx that fall in [lo, hi) bytes,
 * to insns starting at base (the linked index of byte lo). */
static int relocate(const struct obj *o, struct prog *p, size_t secidx,
		    uint64_t lo, uint64_t hi, size_t base, bool dry,
		    bool *needs_text)
{
	for (size_t ri = 1; ri < o->nsh; ri++) {
		const Elf64_Shdr *rs = &o->sh[ri];
		const Elf64_Rel *rel;
		size_t size = 0, n;

		if (rs->sh_type != SHT_REL || rs->sh_info != secidx)
			continue;
		rel = (const Elf64_Rel *)section(o, ri, &size);
		if (!rel || rs->sh_offset % 8)
			return -EINVAL;
		n = size / sizeof(*rel);
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
						 sym_name(o, s));
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
					 sym_name(o, s),
					 s->st_shndx < o->nsh ?
						 sec_name(o, s->st_shndx) : "?");
				report(o, p, idx, msg);
			} else if (!dry) {
				snprintf(msg, sizeof(msg),
					 "unsupported relocation against '%s'",
					 sym_name(o, s));
				report(o, p, idx, msg);
			}
		}
	}
	return 0;
}

static int link_prog(const struct obj *o, struct prog *p, size_t secidx,
		     uint64_t start, uint64_t len)
{
	const uint8_t *sec, *text = NULL;
	size_t size, text_size = 0;
	bool needs_text = false;
	int err;

	sec = section(o, secidx, &size);
	if (!sec || start > size || len > size - start || len % 8 || !len)
		return -EINVAL;
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

		text = section(o, (size_t)o->text_idx, &text_size);
		if (!text || text_size % 8)
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

static int fill_one(const struct obj *o, struct prog *p, size_t secidx,
		    uint64_t lo, uint64_t hi, size_t base,
		    const struct hupcc_ksym *ksyms, size_t nksyms)
{
	for (size_t ri = 1; ri < o->nsh; ri++) {
		const Elf64_Shdr *rs = &o->sh[ri];
		const Elf64_Rel *rel;
		size_t size = 0;

		if (rs->sh_type != SHT_REL || rs->sh_info != secidx)
			continue;
		rel = (const Elf64_Rel *)section(o, ri, &size);
		if (!rel)
			return -EINVAL;
		for (size_t k = 0; k < size / sizeof(*rel); k++) {
			uint64_t off = rel[k].r_offset;
			size_t sym = ELF64_R_SYM(rel[k].r_info), idx;
			const char *name;
			bool found = false;

			if (off < lo || off >= hi || sym >= o->nsyms ||
			    o->syms[sym].st_shndx != SHN_UNDEF)
				continue;
			idx = base + (off - lo) / 8;
			if (idx + 1 >= p->cnt || !is_ldimm64(&p->insns[idx]))
				return -EINVAL;
			name = sym_name(o, &o->syms[sym]);
			for (size_t j = 0; j < nksyms; j++) {
				if (strcmp(ksyms[j].name, name))
					continue;
				p->insns[idx].imm = (int32_t)(uint32_t)ksyms[j].addr;
				p->insns[idx + 1].imm =
					(int32_t)(uint32_t)(ksyms[j].addr >> 32);
				found = true;
			}
			if (!found)
				return -ENOENT;
		}
	}
	return 0;
}

static int fill_ksyms(const struct obj *o, struct prog *p, size_t secidx,
		      const struct hupcc_ksym *ksyms, size_t nksyms)
{
	int err = fill_one(o, p, secidx, p->start, p->start + p->own * 8, 0,
			   ksyms, nksyms);

	if (!err && p->text_base)
		err = fill_one(o, p, (size_t)o->text_idx, 0,
			       (p->cnt - p->text_base) * 8, p->text_base,
			       ksyms, nksyms);
	return err;
}

/* --------------------------------------------------------------- checks */

static void check_abi(const struct obj *o, struct prog *p)
{
	char msg[160];

	if (p->cnt > HUP_MAX_INSNS) {
		snprintf(msg, sizeof(msg), "program has %zu instructions, more "
			 "than HUP_MAX_INSNS (%u)", p->cnt, HUP_MAX_INSNS);
		report(o, p, 0, msg);
	}
	for (size_t i = 0; i < p->cnt; i++) {
		const struct bpf_insn *in = &p->insns[i];

		if (is_ldimm64(in)) {
			if (in->src_reg != 0 && in->src_reg != BPF_PSEUDO_FUNC &&
			    in->src_reg != HUP_PSEUDO_VIEW_BASE &&
			    in->src_reg != HUP_PSEUDO_VIEW_MASK) {
				snprintf(msg, sizeof(msg), "ld_imm64 with src_reg "
					 "%u, which the host rejects",
					 in->src_reg);
				report(o, p, i, msg);
			}
			i++;
		} else if (in->code == (BPF_JMP | BPF_CALL) && !in->src_reg &&
			   (in->imm < 1 || in->imm > HUP_FN_MAX)) {
			snprintf(msg, sizeof(msg), "call to unknown helper %d",
				 in->imm);
			report(o, p, i, msg);
		}
	}
}

#ifdef HUPCC_HAVE_VERIFIER
struct vlog {
	const struct obj *o;
	struct prog *p;
	bool verbose;
};

static void vlog_line(void *opaque, const char *line)
{
	struct vlog *v = opaque;
	char *end;
	unsigned long idx = strtoul(line, &end, 10);
	char msg[600];

	if (end != line && *end == ':' && idx < v->p->cnt) {
		snprintf(msg, sizeof(msg), "verifier: %s", end + 2);
		report(v->o, v->p, idx, msg);
	} else if (v->verbose) {
		hupcc_note("verifier: %s", line);
	}
}

static void verify(const struct obj *o, struct prog *p,
		   const struct hupcc_check_opts *co)
{
	struct vlog v = { .o = o, .p = p, .verbose = co->verbose };
	struct hup_log log = { .fn = vlog_line, .opaque = &v,
			       .level = co->verbose ? 1 : 0 };
	struct hup_verifier_opts opts = {
		.event = p->event,
		.has_view = true,
		.view_mask = (co->view_bits ? (1ull << co->view_bits) : (1ull << 44)) - 1,
		.log = &log,
	};
	struct hup_verifier_info info;
	int before = p->errors, err;

	memset(&info, 0, sizeof(info));
	err = hup_verify(p->insns, p->cnt, &opts, &info);
	if (err && p->errors == before) {
		char msg[96];

		snprintf(msg, sizeof(msg), "verifier rejected the program (%s)",
			 strerror(-err));
		report(o, p, 0, msg);
	}
	if (!err && co->verbose)
		hupcc_note("%s: verified: %zu insns, stack %u bytes, %llu "
			   "states", p->name, p->cnt, info.stack_depth,
			   (unsigned long long)info.states_explored);
}

bool hupcc__have_verifier(void)
{
	return true;
}
#else
bool hupcc__have_verifier(void)
{
	return false;
}
#endif

static int check_prog(const struct obj *o, size_t secidx, const char *name,
		      uint64_t start, uint64_t len,
		      const struct hupcc_check_opts *co)
{
	struct prog p = { .sec = sec_name(o, secidx), .name = name };
	int err;

	if (!event_of(p.sec, &p.event)) {
		fprintf(stderr, "%s: error: section '%s' is not a hyperupcall "
			"program section (hyperupcall/<event>[/label])\n",
			o->path, p.sec);
		return 1;
	}
	err = link_prog(o, &p, secidx, start, len);
	if (err) {
		free(p.insns);
		return err;
	}
	if (!p.errors)
		check_abi(o, &p);
#ifdef HUPCC_HAVE_VERIFIER
	if (!p.errors && co->verify)
		verify(o, &p, co);
#endif
	if (co->verbose && !p.errors)
		hupcc_note("%s (%s): %zu instructions, ok", p.name, p.sec,
			   p.cnt);
	free(p.insns);
	return p.errors ? 1 : 0;
}

/* Used by tools and tests (not by hupcc itself): one program, linked, with
 * its __ksym relocations filled in. */
int hupcc__link_program(const char *path, const char *name,
			const struct hupcc_ksym *ksyms, size_t nksyms,
			struct bpf_insn **insns, size_t *cnt,
			enum hup_event *event)
{
	struct obj o;
	int err = open_obj(&o, path);

	if (err) {
		close_obj(&o);
		return err;
	}
	err = -ENOENT;
	for (size_t k = 0; k < o.nsyms; k++) {
		const Elf64_Sym *sym = &o.syms[k];
		struct prog p = { 0 };

		if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC ||
		    sym->st_shndx >= o.nsh || (int)sym->st_shndx == o.text_idx ||
		    strcmp(sym_name(&o, sym), name))
			continue;
		p.sec = sec_name(&o, sym->st_shndx);
		p.name = name;
		if (!event_of(p.sec, &p.event)) {
			err = -EINVAL;
			break;
		}
		err = link_prog(&o, &p, sym->st_shndx, sym->st_value,
				sym->st_size);
		if (!err && p.errors)
			err = -EINVAL;
		if (!err)
			err = fill_ksyms(&o, &p, sym->st_shndx, ksyms, nksyms);
		if (err) {
			free(p.insns);
			break;
		}
		*insns = p.insns;
		*cnt = p.cnt;
		*event = p.event;
		break;
	}
	close_obj(&o);
	return err;
}

int hupcc__check_object(const char *path, const struct hupcc_check_opts *co)
{
	struct obj o;
	int err, rc = 0;

	err = open_obj(&o, path);
	if (err) {
		hupcc_err("%s: not a readable BPF object (%s)", path,
			  strerror(-err));
		close_obj(&o);
		return err;
	}
	for (size_t i = 1; i < o.nsh; i++) {
		const Elf64_Shdr *s = &o.sh[i];
		bool any = false;

		if (s->sh_type != SHT_PROGBITS || !(s->sh_flags & SHF_EXECINSTR) ||
		    (int)i == o.text_idx || !s->sh_size)
			continue;
		/* Each function symbol in the section is a program. */
		for (size_t k = 0; k < o.nsyms; k++) {
			const Elf64_Sym *sym = &o.syms[k];

			if (sym->st_shndx != i ||
			    ELF64_ST_TYPE(sym->st_info) != STT_FUNC)
				continue;
			any = true;
			err = check_prog(&o, i, sym_name(&o, sym), sym->st_value,
					 sym->st_size, co);
			if (err < 0) {
				hupcc_err("%s: malformed program in %s", path,
					  sec_name(&o, i));
				close_obj(&o);
				return err;
			}
			rc |= err;
		}
		if (!any) {
			err = check_prog(&o, i, sec_name(&o, i), 0, s->sh_size, co);
			if (err < 0) {
				close_obj(&o);
				return err;
			}
			rc |= err;
		}
	}
	close_obj(&o);
	return rc;
}
