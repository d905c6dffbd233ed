/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupload: load hyperupcall programs into the hypervisor from inside the
 * guest (through hyperupcall.ko), list and unload them.
 *
 *	hupload [load] [options] prog.o      register the object's programs
 *	hupload prepare [options] prog.o -o prog.hup
 *	                                     a blob for the module's preload=
 *	hupload list                         registered programs
 *	hupload unload ID...                 unregister
 *
 * Exit status: 0 success; 1 the module or the host refused; 2 usage; 3 the
 * object cannot be used (unreadable, malformed, CO-RE failure).
 */
#include "hupload.h"

#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define DEFAULT_DEV "/dev/" HUP_DEV_NAME
#define LOG_SIZE (16u * 1024u)

enum { EX_OK = 0, EX_REFUSED = 1, EX_USAGE = 2, EX_OBJECT = 3 };

static const char *const event_names[HUP_EVENT_MAX + 1] =
	HUP_EVENT_NAMES_INIT;

static const char *event_name(uint32_t ev)
{
	return ev && ev <= HUP_EVENT_MAX ? event_names[ev] : "?";
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: hupload [load] [options] FILE.o     register the object's programs\n"
"       hupload prepare [options] FILE.o -o OUT.hup\n"
"                                          write a blob for preload=\n"
"       hupload list                       list registered programs\n"
"       hupload unload ID...               unregister programs\n"
"options:\n"
"  --btf FILE        BTF for CO-RE (default /sys/kernel/btf/vmlinux)\n"
"  --prog NAME       only this program (function) of the object\n"
"  --name NAME       registration name (default: the function's)\n"
"  --event-arg N     the event argument (abi.h, per event)\n"
"  --window KIND[:r|:rw]  a memory window (repeatable): direct, vmemmap,\n"
"                    kernel, ring (default: from the program's ksyms);\n"
"                    none: no window at all (every guest access faults)\n"
"  --dev PATH        the device (default " DEFAULT_DEV ")\n"
"  -o FILE           output of prepare\n"
"  -v                say what is done\n");
}

static int open_dev(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "hupload: %s: %s%s\n", path, strerror(errno),
			errno == ENOENT ? " (is hyperupcall.ko loaded?)" : "");
	return fd;
}

/* Prints the verifier log; "N: msg" lines get the program's C line. */
static void print_log(const struct hupobj *o, const struct hupload_prog *p,
		      char *log, uint32_t len)
{
	char *save = NULL, *line;

	if (!len)
		return;
	log[len - 1] = '\0';
	fprintf(stderr, "hupload: verifier log of '%s':\n", p->name);
	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *end;
		unsigned long idx = strtoul(line, &end, 10);
		const struct hupobj_line *l = NULL;

		if (end != line && *end == ':' && idx < p->lp.cnt)
			l = hupobj__prog_line(o, &p->lp, idx);
		fprintf(stderr, "  %s\n", line);
		if (l && l->line)
			fprintf(stderr, "    at %s:%u: %s\n", l->file, l->line,
				l->text);
	}
}

/* -v: what was prepared, each CO-RE relocation as resolved against this
 * kernel (a wrong offset is the usual reason a program reads garbage), and
 * a warning for a program left with no window (not asked for with --window
 * none), whose every guest memory access would fault. */
static void print_prepared(const char *path, const struct hupload_prog *p,
			   const struct hupload_opts *opts)
{
	fprintf(stderr, "hupload: %s: %s (%s): %zu insns, %zu ksyms, %u CO-RE "
		"relocations (%u missing), %u unresolved, %zu windows\n", path,
		p->name, event_name(p->lp.event), p->lp.cnt, p->nksyms,
		p->core_applied, p->core_missing, p->core_poisoned,
		p->nwindows);
	for (size_t i = 0; i < p->ncore_relocs; i++) {
		const struct hup_core_reloc *r = &p->core_relocs[i];

		fprintf(stderr, "hupload:   CO-RE insn %u: %s %s = ", r->insn,
			hup_core__kind_name(r->kind), r->what);
		if (r->state == HUP_CORE_MATCHED)
			fprintf(stderr, "%" PRIu64 "\n", r->value);
		else if (r->state == HUP_CORE_MISSING)
			fputs("0 (not in this kernel)\n", stderr);
		else
			fputs("? (not in this kernel: the access must not be "
			      "reached)\n", stderr);
	}
	for (size_t i = 0; i < p->nwindows; i++)
		fprintf(stderr, "hupload:   window %s%s\n",
			hupload__window_name(p->windows[i].kind),
			p->windows[i].prot & HUP_WIN_WRITE ? ":rw" : ":r");
	if (!p->nwindows && !opts->no_windows) /* not asked for */
		fprintf(stderr, "hupload: warning: %s: no memory windows: every "
			"guest memory access it makes will fault (give "
			"--window, or name a kernel symbol)\n", p->name);
}

static int cmd_load(const char *path, const struct hupload_opts *opts,
		    const char *dev, const char *out, bool prepare,
		    bool verbose)
{
	struct hupload_prog *progs;
	struct hupobj o;
	size_t n;
	char err[640], *log;
	int rc = EX_OK, fd = -1, e;

	e = hupobj__open(&o, path);
	if (e) {
		fprintf(stderr, "hupload: %s: %s\n", path, e == -EINVAL ?
			"not a BPF object (64-bit little-endian ELF, "
			"EM_BPF)" : strerror(-e));
		hupobj__close(&o);
		return EX_OBJECT;
	}
	e = hupload__prepare(&o, opts, &progs, &n, err, sizeof(err));
	if (e) {
		fprintf(stderr, "hupload: %s: %s\n", path, err);
		hupobj__close(&o);
		return EX_OBJECT;
	}
	if (verbose)
		for (size_t i = 0; i < n; i++)
			print_prepared(path, &progs[i], opts);
	if (prepare) {
		if (n != 1) {
			fprintf(stderr, "hupload: prepare wants one program "
				"(use --prog): %zu found\n", n);
			rc = EX_USAGE;
		} else if ((e = hupload__write_blob(&progs[0], out))) {
			fprintf(stderr, "hupload: %s: %s\n", out, strerror(-e));
			rc = EX_REFUSED;
		}
		goto out;
	}
	log = malloc(LOG_SIZE);
	fd = open_dev(dev);
	if (fd < 0 || !log) {
		free(log);
		rc = EX_REFUSED;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t id = 0, len = 0;

		memset(log, 0, LOG_SIZE);
		e = hupload__register(fd, &progs[i], log, LOG_SIZE, &len, &id);
		if (e) {
			fprintf(stderr, "hupload: %s: registration refused: %s "
				"(%d)\n", progs[i].name, strerror(-e), e);
			print_log(&o, &progs[i], log, len);
			rc = EX_REFUSED;
			continue;
		}
		printf("%u %s %s\n", id, progs[i].name,
		       event_name(progs[i].lp.event));
	}
	free(log);
	close(fd);
out:
	hupload__free(progs, n);
	hupobj__close(&o);
	return rc;
}

static int cmd_list(const char *dev)
{
	struct hup_ioc_prog_info info[HUP_MAX_PROGS];
	struct hup_ioc_list l;
	int fd = open_dev(dev);

	if (fd < 0)
		return EX_REFUSED;
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.capacity = HUP_MAX_PROGS;
	l.progs = (uint64_t)(uintptr_t)info;
	if (ioctl(fd, HUP_IOC_LIST, &l) < 0) {
		fprintf(stderr, "hupload: list: %s\n", strerror(errno));
		close(fd);
		return EX_REFUSED;
	}
	close(fd);
	printf("%-4s %-12s %-6s %-10s %-8s %-12s %s\n", "id", "event", "insns",
	       "runs", "aborts", "run_ns", "name");
	for (uint32_t i = 0; i < l.count && i < HUP_MAX_PROGS; i++)
		printf("%-4u %-12s %-6u %-10" PRIu64 " %-8" PRIu64 " %-12"
		       PRIu64 " %.*s\n", info[i].prog_id,
		       event_name(info[i].event), info[i].insn_cnt,
		       (uint64_t)info[i].stat_runs,
		       (uint64_t)info[i].stat_aborts,
		       (uint64_t)info[i].stat_run_ns, (int)HUP_NAME_LEN,
		       info[i].name);
	return EX_OK;
}

static int cmd_unload(const char *dev, char **ids, int n)
{
	int fd = open_dev(dev), rc = EX_OK;

	if (fd < 0)
		return EX_REFUSED;
	for (int i = 0; i < n; i++) {
		struct hup_ioc_unregister u = { 0 };
		char *end;
		unsigned long id = strtoul(ids[i], &end, 0);

		if (end == ids[i] || *end || id > UINT32_MAX) {
			fprintf(stderr, "hupload: '%s' is not a program id\n",
				ids[i]);
			rc = EX_USAGE;
			continue;
		}
		u.prog_id = (uint32_t)id;
		if (ioctl(fd, HUP_IOC_UNREGISTER, &u) < 0) {
			fprintf(stderr, "hupload: unload %lu: %s\n", id,
				strerror(errno));
			rc = EX_REFUSED;
		}
	}
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "btf", required_argument, NULL, 'b' },
		{ "prog", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "event-arg", required_argument, NULL, 'e' },
		{ "window", required_argument, NULL, 'w' },
		{ "dev", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hupload_opts opts = { 0 };
	const char *dev = DEFAULT_DEV, *out = NULL, *cmd = "load";
	bool verbose = false;
	int c;

	if (argc > 1 && (!strcmp(argv[1], "load") || !strcmp(argv[1], "list") ||
			 !strcmp(argv[1], "unload") ||
			 !strcmp(argv[1], "prepare"))) {
		cmd = argv[1];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'b': opts.btf_path = optarg; break;
		case 'p': opts.only = optarg; break;
		case 'n':
			if (!*optarg || strlen(optarg) >= HUP_NAME_LEN) {
				fprintf(stderr, "hupload: --name: 1..%u "
					"characters\n", HUP_NAME_LEN - 1);
				return EX_USAGE;
			}
			opts.name = optarg;
			break;
		case 'e':
			errno = 0;
			opts.event_arg = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end) {
				fprintf(stderr, "hupload: bad --event-arg\n");
				return EX_USAGE;
			}
			break;
		case 'w':
			if (!strcmp(optarg, "none")) {
				opts.no_windows = true;
				break;
			}
			if (opts.nwindows == HUP_MAX_WINDOWS ||
			    hupload__parse_window(optarg,
						  &opts.windows[opts.nwindows])) {
				fprintf(stderr, "hupload: bad --window '%s'\n",
					optarg);
				return EX_USAGE;
			}
			opts.nwindows++;
			break;
		case 'd': dev = optarg; break;
		case 'o': out = optarg; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (opts.no_windows && opts.nwindows) {
		fprintf(stderr, "hupload: --window none with other windows\n");
		return EX_USAGE;
	}
	if (!strcmp(cmd, "list"))
		return optind == argc ? cmd_list(dev) : (usage(stderr), EX_USAGE);
	if (!strcmp(cmd, "unload")) {
		if (optind == argc) {
			usage(stderr);
			return EX_USAGE;
		}
		return cmd_unload(dev, argv + optind, argc - optind);
	}
	if (optind != argc - 1 || (!strcmp(cmd, "prepare") != !!out)) {
		usage(stderr);
		return EX_USAGE;
	}
	return cmd_load(argv[optind], &opts, dev, out,
			!strcmp(cmd, "prepare"), verbose);
}
