/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupcc: compile hyperupcall programs.
 *
 *   hupcc [options] prog.c [-o prog.o]
 *   hupcc --gen-vmlinux-h --btf FILE -o vmlinux.h      (also: hup-vmlinux-h)
 *
 * Runs clang-19 with -target bpf -O2 -g, the guest-pointer pass plugin and
 * the SDK and hlib include paths, then checks every program of the object
 * the way the host will (libhup's verifier, when built in) and reports a
 * rejection at its C source line.  Every failure is a message and a
 * non-zero exit: 1 for a compile error or a rejected program, 2 for a usage
 * error, 3 for a missing tool or file.
 */
#include "hupcc.h"

#include <errno.h>
#include <fcntl.h>
#include <hyperupcall/abi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_REJECT 1
#define EXIT_USAGE 2
#define EXIT_ENV 3

#define MAX_ARGS 512

static void usage(FILE *f)
{
	fputs("usage: hupcc [options] file.c [-o file.o]\n"
	      "       hupcc --gen-vmlinux-h --btf BTF -o vmlinux.h\n"
	      "\n"
	      "Compile a hyperupcall program to a BPF object (clang-19, the\n"
	      "guest-pointer pass, the SDK and hlib headers) and check it as\n"
	      "the host will.\n"
	      "\n"
	      "  -o FILE           output (default: file.o, or file.s with -S)\n"
	      "  -c | -S | -E      object (default), assembly, preprocess only\n"
	      "  -I DIR, -D X[=Y], -U X, -include FILE\n"
	      "  -O1|-O2|-O3|-Os, -g*, -W*, -std=*, -f*, -mcpu=*\n"
	      "                    passed to clang\n"
	      "  -v                show the tools found and commands run\n"
	      "  --vmlinux-h FILE  use FILE as \"vmlinux.h\" (guest kernel types)\n"
	      "  --btf FILE        generate (and cache) vmlinux.h from a guest\n"
	      "                    kernel's BTF (raw BTF or vmlinux ELF)\n"
	      "  --no-verify       skip the offline check of the object\n"
	      "  --view-bits N     view size the check assumes (default 44)\n"
	      "  --no-pass         compile without the guest-pointer pass (to\n"
	      "                    measure it; the result will not verify)\n"
	      "  --gen-vmlinux-h   write vmlinux.h for --btf to -o and exit\n"
	      "  --version         version, and whether the verifier is built in\n"
	      "  -h, --help\n"
	      "\n"
	      "Environment: HUPCC_CLANG, HUPCC_PLUGIN, HUPCC_BPFTOOL, HUPCC_CACHE.\n",
	      f);
}

struct args {
	const char *input;
	const char *output;
	const char *vmlinux_h;
	const char *btf;
	char mode;          /* 'c', 'S' or 'E' */
	bool verbose, verify, pass, gen_vmlinux;
	unsigned int view_bits;
	const char *extra[MAX_ARGS];
	int nextra;
};

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static int add_extra(struct args *a, const char *s)
{
	if (a->nextra >= MAX_ARGS - 1) {
		hupcc_err("too many arguments");
		return -E2BIG;
	}
	a->extra[a->nextra++] = s;
	return 0;
}

/* Options that take a value, joined (-Idir) or separate (-I dir). */
static int take_value(struct args *a, int argc, char **argv, int *i,
		      const char *opt)
{
	size_t n = strlen(opt);

	if (argv[*i][n]) /* joined */
		return add_extra(a, argv[*i]);
	if (*i + 1 >= argc) {
		hupcc_err("%s needs an argument", opt);
		return -EINVAL;
	}
	/* argv[*i] is exactly the option here; it outlives the compile, a
	 * copy of opt might not. */
	if (add_extra(a, argv[*i]))
		return -E2BIG;
	return add_extra(a, argv[++*i]);
}

static int need_arg(int argc, char **argv, int i, const char *opt)
{
	if (i + 1 >= argc) {
		hupcc_err("%s needs an argument", opt);
		return -EINVAL;
	}
	(void)argv;
	return 0;
}

static int parse(struct args *a, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(s, "--version")) {
			printf("hupcc %s (ABI %u.%u, verifier: libhup)\n",
			       HUPCC_VERSION, HUP_ABI_MAJOR, HUP_ABI_MINOR);
			exit(0);
		} else if (!strcmp(s, "-o")) {
			if (need_arg(argc, argv, i, s))
				return -EINVAL;
			a->output = argv[++i];
		} else if (has_prefix(s, "-o") && s[2]) {
			a->output = s + 2;
		} else if (!strcmp(s, "-c") || !strcmp(s, "-S") ||
			   !strcmp(s, "-E")) {
			a->mode = s[1];
		} else if (!strcmp(s, "-v")) {
			a->verbose = true;
		} else if (!strcmp(s, "--vmlinux-h")) {
			if (need_arg(argc, argv, i, s))
				return -EINVAL;
			a->vmlinux_h = argv[++i];
		} else if (!strcmp(s, "--btf")) {
			if (need_arg(argc, argv, i, s))
				return -EINVAL;
			a->btf = argv[++i];
		} else if (!strcmp(s, "--no-verify")) {
			a->verify = false;
		} else if (!strcmp(s, "--no-pass")) {
			a->pass = false;
		} else if (!strcmp(s, "--gen-vmlinux-h")) {
			a->gen_vmlinux = true;
		} else if (!strcmp(s, "--view-bits")) {
			char *end;
			unsigned long v;

			if (need_arg(argc, argv, i, s))
				return -EINVAL;
			v = strtoul(argv[++i], &end, 10);
			if (*end || v < 20 || v > 47) {
				hupcc_err("--view-bits wants 20..47");
				return -EINVAL;
			}
			a->view_bits = (unsigned int)v;
		} else if (has_prefix(s, "-I") || has_prefix(s, "-D") ||
			   has_prefix(s, "-U")) {
			char opt[3] = { s[0], s[1], '\0' };

			if (take_value(a, argc, argv, &i, opt))
				return -EINVAL;
		} else if (!strcmp(s, "-include")) {
			if (take_value(a, argc, argv, &i, s))
				return -EINVAL;
		} else if (has_prefix(s, "-O") || has_prefix(s, "-g") ||
			   has_prefix(s, "-W") || has_prefix(s, "-std=") ||
			   has_prefix(s, "-f") || has_prefix(s, "-mcpu=")) {
			if (!strcmp(s, "-O0")) {
				hupcc_err("-O0 is not supported: the guest-pointer "
					  "pass needs optimised code (-O1 or more)");
				return -EINVAL;
			}
			if (add_extra(a, s))
				return -E2BIG;
		} else if (s[0] == '-' && s[1]) {
			hupcc_err("unknown option '%s' (see hupcc --help)", s);
			return -EINVAL;
		} else if (a->input) {
			hupcc_err("one input file per invocation (got '%s' and "
				  "'%s')", a->input, s);
			return -EINVAL;
		} else {
			a->input = s;
		}
	}
	return 0;
}

/* foo/bar.c -> bar.<ext> in the current directory, as cc does. */
static int default_output(const char *input, char ext, char *out, size_t size)
{
	const char *base = strrchr(input, '/');
	const char *dot;
	int n;

	base = base ? base + 1 : input;
	dot = strrchr(base, '.');
	n = snprintf(out, size, "%.*s.%c", dot ? (int)(dot - base) : (int)strlen(base),
		     base, ext);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * clang writes the output under a temporary name, and only a successful
 * check puts it in place: hupcc rejected, killed or interrupted midway
 * leaves no object that make would take for up to date.  A signal that
 * ends hupcc meanwhile removes the temporary file too.
 */
static char tmp_output[PATH_MAX];

/* A regular (or new) output: the temporary file is beside it and renamed
 * onto it.  stdout ("-") or a device (/dev/null: rename would replace it,
 * unlink delete it): the temporary file is in $TMPDIR and copied out. */
enum out_kind { OUT_NONE, OUT_RENAME, OUT_COPY };

static enum out_kind output_kind(const char *output)
{
	struct stat st;

	if (!output[0])
		return OUT_NONE;
	if (!strcmp(output, "-"))
		return OUT_COPY;
	/* An error other than ENOENT is clang's to report. */
	return stat(output, &st) || S_ISREG(st.st_mode) ? OUT_RENAME :
							  OUT_COPY;
}

static void drop_tmp_output(int sig)
{
	unlink(tmp_output); /* async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

static int start_tmp_output(enum out_kind k, const char *output)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = drop_tmp_output };
	const char *tmpdir = getenv("TMPDIR");
	char base[PATH_MAX];
	int n;

	if (k == OUT_COPY) {
		n = snprintf(base, sizeof(base), "%s/hupcc-out",
			     tmpdir && *tmpdir ? tmpdir : "/tmp");
		if (n < 0 || (size_t)n >= sizeof(base))
			return -ENAMETOOLONG;
		output = base;
	}
	if (hupcc__tmp_path(output, tmp_output, sizeof(tmp_output)))
		return -ENAMETOOLONG;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	return 0;
}

static void drop_output(const char *path)
{
	if (unlink(path) && errno != ENOENT)
		hupcc_err("cannot remove %s: %s", path, strerror(errno));
}

/* The checked temporary file into a stdout or device output. */
static int copy_out(const char *tmp, const char *output)
{
	int in = open(tmp, O_RDONLY | O_CLOEXEC), out, err = 0;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return -errno;
	out = strcmp(output, "-") ? open(output, O_WRONLY | O_TRUNC |
					  O_CLOEXEC) : STDOUT_FILENO;
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while (!err && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno != EINTR)
				err = -errno;
			continue;
		}
		for (ssize_t off = 0, w; !err && off < n; off += w) {
			w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				err = -errno;
		}
	}
	close(in);
	if (out != STDOUT_FILENO && close(out) && !err)
		err = -errno;
	return err;
}

/* The checked temporary file into place; 0 or -errno. */
static int place_output(enum out_kind k, const char *output)
{
	int err = 0;

	if (k == OUT_RENAME && rename(tmp_output, output))
		err = -errno;
	else if (k == OUT_COPY)
		err = copy_out(tmp_output, output);
	if (err)
		hupcc_err("cannot write %s: %s", output, strerror(-err));
	if (err || k == OUT_COPY)
		drop_output(tmp_output);
	return err;
}

static int gen_vmlinux(const struct args *a)
{
	if (!a->btf || !a->output) {
		hupcc_err("--gen-vmlinux-h needs --btf BTF and -o OUT.h "
			  "(the guest kernel's BTF: scripts/guest_image.py "
			  "fetch --print btf)");
		return EXIT_USAGE;
	}
	if (hupcc__gen_vmlinux_h(a->btf, a->output, a->verbose))
		return EXIT_ENV;
	if (a->verbose)
		hupcc_note("wrote %s", a->output);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { .mode = 'c', .verify = true, .pass = true };
	char output[PATH_MAX], vmdir[PATH_MAX], plugin_arg[PATH_MAX + 32];
	const char *target;
	enum out_kind kind;
	const char *cargv[MAX_ARGS + 64];
	struct hupcc_paths paths;
	const char *prog = strrchr(argv[0], '/');
	int n = 0, rc;

	prog = prog ? prog + 1 : argv[0];
	if (parse(&a, argc, argv))
		return EXIT_USAGE;
	if (!strcmp(prog, "hup-vmlinux-h"))
		a.gen_vmlinux = true;
	if (a.gen_vmlinux)
		return gen_vmlinux(&a);

	if (!a.input) {
		hupcc_err("no input file (see hupcc --help)");
		return EXIT_USAGE;
	}
	if (access(a.input, R_OK)) {
		hupcc_err("cannot read %s: %s", a.input, strerror(errno));
		return EXIT_ENV;
	}
	if (a.vmlinux_h && a.btf) {
		hupcc_err("--vmlinux-h and --btf are alternatives");
		return EXIT_USAGE;
	}
	if (hupcc__locate(&paths, a.pass, a.verbose))
		return EXIT_ENV;

	vmdir[0] = '\0';
	if (a.btf && hupcc__cached_vmlinux_dir(a.btf, vmdir, sizeof(vmdir),
					       a.verbose))
		return EXIT_ENV;
	if (a.vmlinux_h && hupcc__vmlinux_h_dir(a.vmlinux_h, vmdir,
						sizeof(vmdir))) {
		hupcc_err("cannot use %s as vmlinux.h", a.vmlinux_h);
		return EXIT_ENV;
	}

	if (a.output) {
		snprintf(output, sizeof(output), "%s", a.output);
	} else if (a.mode == 'E') {
		output[0] = '\0';
	} else if (default_output(a.input, a.mode == 'S' ? 's' : 'o', output,
				  sizeof(output))) {
		hupcc_err("output name too long");
		return EXIT_USAGE;
	}

	kind = output_kind(output);
	target = output;
	if (kind != OUT_NONE) {
		if (start_tmp_output(kind, output)) {
			hupcc_err("output name too long");
			return EXIT_USAGE;
		}
		target = tmp_output;
	}

	/* Ours first, so the user's -O/-g/-mcpu/-W come later and win. */
	cargv[n++] = paths.clang;
	cargv[n++] = "-target";
	cargv[n++] = "bpf";
	cargv[n++] = "-mcpu=v3"; /* atomics (cmpxchg) and jmp32 */
	cargv[n++] = "-O2";
	cargv[n++] = "-g";
	cargv[n++] = "-D__HYPERUPCALL__";
	cargv[n++] = "-fno-stack-protector";
	/* clang's stderr is a pipe (hupcc__run_clang): keep its colours
	 * where ours would have them. */
	if (isatty(STDERR_FILENO))
		cargv[n++] = "-fcolor-diagnostics";
	if (a.pass) {
		snprintf(plugin_arg, sizeof(plugin_arg), "-fpass-plugin=%s",
			 paths.plugin);
		cargv[n++] = plugin_arg;
	}
	cargv[n++] = "-I";
	cargv[n++] = paths.sdk_inc;
	if (strcmp(paths.hlib_inc, paths.sdk_inc)) {
		cargv[n++] = "-I";
		cargv[n++] = paths.hlib_inc;
	}
	if (vmdir[0]) {
		cargv[n++] = "-I";
		cargv[n++] = vmdir;
	}
	for (int i = 0; i < a.nextra; i++)
		cargv[n++] = a.extra[i];
	cargv[n++] = a.mode == 'c' ? "-c" : a.mode == 'S' ? "-S" : "-E";
	cargv[n++] = a.input;
	if (target[0]) {
		cargv[n++] = "-o";
		cargv[n++] = target;
	}
	cargv[n] = NULL;

	rc = hupcc__run_clang((char *const *)cargv, a.verbose);
	if (rc) {
		if (kind != OUT_NONE)
			drop_output(tmp_output);
		if (rc < 0) {
			hupcc_err("cannot run %s: %s", paths.clang,
				  strerror(-rc));
			return EXIT_ENV;
		}
		hupcc_err("compilation of %s failed (clang exit %d)", a.input,
			  rc);
		return EXIT_REJECT;
	}
	rc = 0;
	if (a.mode == 'c' && a.verify && a.pass) {
		struct hupcc_check_opts co = { .verify = true,
					       .verbose = a.verbose,
					       .view_bits = a.view_bits,
					       .name = output };

		rc = hupcc__check_object(target, &co);
	}
	if (rc) {
		if (kind != OUT_NONE)
			drop_output(tmp_output);
		/* A stale object from an earlier build goes too: make would
		 * take it for up to date, and it would reach a guest. */
		if (kind == OUT_RENAME)
			drop_output(output);
		if (rc < 0)
			return EXIT_ENV;
		hupcc_err("%s: rejected%s; the host would refuse to register "
			  "it (--no-verify to keep it)", output,
			  kind == OUT_RENAME ? " and removed" : "");
		return EXIT_REJECT;
	}
	if (kind != OUT_NONE && place_output(kind, output))
		return EXIT_ENV;
	return 0;
}
