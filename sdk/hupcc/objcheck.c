/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupcc: the offline check of a compiled object.  Reads and links each
 * program with the object reader shared with hupload (objfile.c: no libelf,
 * the format is small and hupcc must not trust the file more than it has
 * to), checks what the ABI allows (instruction count, pseudo
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
#include "objfile.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hup/libhup.h>
#include <hyperupcall/abi.h>

/* "file:line:col: error: msg" for linked instruction idx of p. */
static void print_report(void *ctx, struct hupobj_prog *p, size_t idx,
			 const char *msg)
{
	const struct hupobj *o = ctx;
	const struct hupobj_line *l = hupobj__prog_line(o, p, idx);

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

static void report(const struct hupobj *o, struct hupobj_prog *p, size_t idx,
		   const char *msg)
{
	p->errors++;
	print_report((void *)o, p, idx, msg);
}

static int open_obj(struct hupobj *o, const char *path)
{
	int err = hupobj__open(o, path);

	o->report = print_report;
	o->report_ctx = o;
	return err;
}

static bool is_ldimm64(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* Fills the program's __ksym loads with the given addresses. */
static int fill_ksyms(const struct hupobj *o, struct hupobj_prog *p,
		      const struct hupcc_ksym *ksyms, size_t nksyms)
{
	struct hupobj_ksym_ref *refs;
	size_t nrefs;
	int err = hupobj__ksym_refs(o, p, &refs, &nrefs);

	for (size_t i = 0; !err && i < nrefs; i++) {
		bool found = false;

		for (size_t j = 0; j < nksyms; j++) {
			if (strcmp(ksyms[j].name, refs[i].name))
				continue;
			p->insns[refs[i].idx].imm = (int32_t)(uint32_t)ksyms[j].addr;
			p->insns[refs[i].idx + 1].imm =
				(int32_t)(uint32_t)(ksyms[j].addr >> 32);
			found = true;
		}
		if (!found)
			err = -ENOENT;
	}
	free(refs);
	return err;
}

/* --------------------------------------------------------------- checks */

static void check_abi(const struct hupobj *o, struct hupobj_prog *p)
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

struct vlog {
	const struct hupobj *o;
	struct hupobj_prog *p;
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

static void verify(const struct hupobj *o, struct hupobj_prog *p,
		   const struct hupcc_check_opts *co)
{
	struct vlog v = { .o = o, .p = p, .verbose = co->verbose };
	struct hup_verify_opts opts = {
		.sz = sizeof(opts),
		.view_bits = co->view_bits ? co->view_bits : 44,
		.log_fn = vlog_line,
		.log_opaque = &v,
		.log_level = co->verbose ? 1 : 0,
	};
	int before = p->errors, err;

	err = hup_prog__verify(p->insns, p->cnt, p->event, &opts);
	if (err && p->errors == before) {
		char msg[96];

		snprintf(msg, sizeof(msg), "verifier rejected the program (%s)",
			 strerror(-err));
		report(o, p, 0, msg);
	}
	if (!err && co->verbose)
		hupcc_note("%s: verified: %zu insns, stack %u bytes, %llu "
			   "states", p->name, p->cnt, opts.stack_depth,
			   (unsigned long long)opts.states_explored);
}

static int check_prog(const struct hupobj *o, size_t secidx, const char *name,
		      uint64_t start, uint64_t len,
		      const struct hupcc_check_opts *co)
{
	struct hupobj_prog p = { .sec = hupobj__sec_name(o, secidx), .name = name };
	int err;

	if (!hupobj__event_of(p.sec, &p.event)) {
		fprintf(stderr, "%s: error: section '%s' is not a hyperupcall "
			"program section (hyperupcall/<event>[/label])\n",
			o->path, p.sec);
		return 1;
	}
	err = hupobj__link(o, &p, secidx, start, len);
	if (err) {
		free(p.insns);
		return err;
	}
	if (!p.errors)
		check_abi(o, &p);
	if (!p.errors && co->verify)
		verify(o, &p, co);
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
	struct hupobj o;
	int err = open_obj(&o, path);

	if (err) {
		hupobj__close(&o);
		return err;
	}
	err = -ENOENT;
	for (size_t k = 0; k < o.nsyms; k++) {
		const Elf64_Sym *sym = &o.syms[k];
		struct hupobj_prog p = { 0 };

		if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC ||
		    sym->st_shndx >= o.nsh || (int)sym->st_shndx == o.text_idx ||
		    strcmp(hupobj__sym_name(&o, sym), name))
			continue;
		p.sec = hupobj__sec_name(&o, sym->st_shndx);
		p.name = name;
		if (!hupobj__event_of(p.sec, &p.event)) {
			err = -EINVAL;
			break;
		}
		err = hupobj__link(&o, &p, sym->st_shndx, sym->st_value,
				sym->st_size);
		if (!err && p.errors)
			err = -EINVAL;
		if (!err)
			err = fill_ksyms(&o, &p, ksyms, nksyms);
		if (err) {
			free(p.insns);
			break;
		}
		*insns = p.insns;
		*cnt = p.cnt;
		*event = p.event;
		break;
	}
	hupobj__close(&o);
	return err;
}

int hupcc__check_object(const char *path, const struct hupcc_check_opts *co)
{
	struct hupobj o;
	int err, rc = 0;

	err = open_obj(&o, path);
	if (co->name)
		path = o.path = co->name;
	if (err) {
		hupcc_err("%s: not a readable BPF object (%s)", path,
			  strerror(-err));
		hupobj__close(&o);
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
			err = check_prog(&o, i, hupobj__sym_name(&o, sym), sym->st_value,
					 sym->st_size, co);
			if (err < 0) {
				hupcc_err("%s: malformed program in %s", path,
					  hupobj__sec_name(&o, i));
				hupobj__close(&o);
				return err;
			}
			rc |= err;
		}
		if (!any) {
			err = check_prog(&o, i, hupobj__sec_name(&o, i), 0, s->sh_size, co);
			if (err < 0) {
				hupobj__close(&o);
				return err;
			}
			rc |= err;
		}
	}
	hupobj__close(&o);
	return rc;
}
