/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupload: the guest loader.  Turns a hupcc object into registrations the
 * hyperupcall module accepts (hyperupcall/ioctl.h): each program linked
 * with its .text callees and callbacks (objfile.c, shared with hupcc), its
 * CO-RE relocations applied against the guest kernel's BTF (core.c), its
 * __ksym loads listed for the module to fill, and the memory windows it
 * needs.  prepare.c builds those, dev.c talks to /dev/hyperupcall and
 * writes boot-time blobs; main.c is the command line.
 */
#ifndef HUPLOAD_H
#define HUPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyperupcall/ioctl.h>

#include "objfile.h"

struct btf;
struct hup_core_reloc;

/* One program of an object, ready to register. */
struct hupload_prog {
	struct hupobj_prog lp;        /* linked instructions, line mapping */
	char name[HUP_NAME_LEN];
	struct hup_ioc_ksym *ksyms;   /* malloc()ed */
	size_t nksyms;
	struct hup_ioc_window windows[HUP_MAX_WINDOWS];
	size_t nwindows;
	uint64_t event_arg;
	unsigned int core_applied, core_missing, core_poisoned;
	struct hup_core_reloc *core_relocs; /* each, malloc()ed (core.h) */
	size_t ncore_relocs;
};

struct hupload_opts {
	const char *btf_path;         /* NULL: /sys/kernel/btf/vmlinux */
	const char *only;             /* program (function) name, or NULL */
	const char *name;             /* registration name override */
	uint64_t event_arg;
	struct hup_ioc_window windows[HUP_MAX_WINDOWS]; /* override if n */
	size_t nwindows;
	bool no_windows; /* --window none: none at all, not the defaults */
};

/* prepare.c: every program of the object (or opts->only) into *progs
 * (malloc()ed array of *nprogs).  On failure returns -errno and writes a
 * one-line reason into err. */
int hupload__prepare(struct hupobj *o, const struct hupload_opts *opts,
		     struct hupload_prog **progs, size_t *nprogs, char *err,
		     size_t errlen);
void hupload__free(struct hupload_prog *progs, size_t nprogs);
/* "direct", "vmemmap", "kernel", "ring" with optional ":r" / ":rw". */
int hupload__parse_window(const char *s, struct hup_ioc_window *w);
const char *hupload__window_name(uint32_t kind);

/* dev.c */
int hupload__register(int fd, const struct hupload_prog *p, char *log,
		      uint32_t log_size, uint32_t *log_len, uint32_t *id);
int hupload__write_blob(const struct hupload_prog *p, const char *path);

#endif /* HUPLOAD_H */
