/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupcc: the hyperupcall compiler driver.  Shared declarations of its parts:
 * locating the toolchain (locate.c), running programs (run.c), vmlinux.h
 * generation (vmlinux.c), and the offline check of the compiled object
 * (objcheck.c: ELF + BTF line info, libhup's verifier when built with it).
 * main.c parses the command line and decides the exit status.
 */
#ifndef HUPCC_H
#define HUPCC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <hyperupcall/abi.h>

struct hupcc_paths {
	char exe_dir[PATH_MAX];  /* directory of the running hupcc */
	char clang[PATH_MAX];
	char plugin[PATH_MAX];   /* HupGuestPtr.so */
	char sdk_inc[PATH_MAX];  /* hyperupcall.h, hyperupcall/abi.h */
	char hlib_inc[PATH_MAX]; /* hlib/<x>.h */
	bool installed;          /* found relative to an installed hupcc */
};

/* Prints "hupcc: error: ..." to stderr. */
void hupcc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hupcc_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* locate.c: 0, or -ENOENT after printing what is missing and where it
 * looked.  need_plugin false skips the plugin (--no-pass). */
int hupcc__locate(struct hupcc_paths *p, bool need_plugin, bool verbose);
/* An executable named name on PATH, or in one of the fallback dirs
 * (NULL-terminated); 0 or -ENOENT. */
int hupcc__find_exe(const char *name, const char *const *fallback,
		    char *out, size_t size);

/* run.c: runs argv (argv[0] searched on PATH unless it has a '/'); returns
 * the exit status, 128 + signal, or -errno if it could not be started.
 * out_path, if set, receives the child's stdout. */
int hupcc__run(char *const argv[], const char *out_path, bool verbose);
/* The same for clang, its diagnostics passed through to stderr with
 * advice that does not apply to hyperupcalls replaced. */
int hupcc__run_clang(char *const argv[], bool verbose);
/* The temporary name an output is written under before it is renamed into
 * place: "<path>.tmp.<pid>", in the same directory (rename is atomic only
 * within a file system). */
int hupcc__tmp_path(const char *path, char *tmp, size_t size);

/* vmlinux.c: write vmlinux.h for the BTF at btf_path to out_path with
 * bpftool (atomically: temp file + rename). */
int hupcc__gen_vmlinux_h(const char *btf_path, const char *out_path,
			 bool verbose);
/* The cached vmlinux.h of a BTF file: its directory into dir (an include
 * directory), generated once per BTF content. */
int hupcc__cached_vmlinux_dir(const char *btf_path, char *dir, size_t size,
			      bool verbose);
/* An include directory in which "vmlinux.h" is the given header. */
int hupcc__vmlinux_h_dir(const char *header, char *dir, size_t size);
/* The cache directory ($HUPCC_CACHE, $XDG_CACHE_HOME/hupcc, ~/.cache/hupcc),
 * created if missing. */
int hupcc__cache_dir(char *dir, size_t size);

/* objcheck.c: check every program of a compiled object; rejections are
 * reported as "file:line:col: error: ..." through the BTF line info.
 * Returns 0 if all programs pass, 1 if any is rejected, -errno if the object
 * cannot be read. */
struct hupcc_check_opts {
	bool verify;        /* run libhup's verifier (if built in) */
	bool verbose;
	unsigned int view_bits; /* view mask bits the host is assumed to use */
	const char *name;   /* the object's name in messages (NULL: path) */
};
int hupcc__check_object(const char *path, const struct hupcc_check_opts *o);
/* Load program `name` of the object at path, linked with its .text callees
 * and with its __ksym references set to the given addresses (for tests and
 * tools that run programs on libhup).  *insns is malloc()ed.  -ENOENT if
 * there is no such program or a ksym is not given. */
struct bpf_insn;
struct hupcc_ksym {
	const char *name;
	unsigned long long addr;
};
int hupcc__link_program(const char *path, const char *name,
			const struct hupcc_ksym *ksyms, size_t nksyms,
			struct bpf_insn **insns, size_t *cnt,
			enum hup_event *event);

#endif /* HUPCC_H */
