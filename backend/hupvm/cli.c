// SPDX-License-Identifier: BSD-2-Clause
/*
 * Command-line parsing for hupvm (see cli.h and cli__usage for the
 * options).  The guest command line gets "panic=-1" appended unless it
 * already sets panic=: a panicking guest must reboot so hupvm can report
 * it instead of hanging.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"
#include "vsched.h"

enum { OPT_LOG = 256, OPT_TIMEOUT, OPT_VERSION, OPT_CONTROL, OPT_NO_JIT,
       OPT_RUN_BUDGET, OPT_AUTO_RECLAIM, OPT_AUTO_RECLAIM_MAX,
       OPT_AUTO_RECLAIM_INTERVAL, OPT_PCPUS, OPT_TIMESLICE, OPT_PV_TLB,
       OPT_DESCHED_PERIOD, OPT_SCHED_FIFO, OPT_NO_RUN_TIMING };

static const struct option long_opts[] = {
    {"kernel", required_argument, NULL, 'k'},
    {"initrd", required_argument, NULL, 'i'},
    {"append", required_argument, NULL, 'a'},
    {"memory", required_argument, NULL, 'm'},
    {"cpus", required_argument, NULL, 'c'},
    {"log", required_argument, NULL, OPT_LOG},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"no-jit", no_argument, NULL, OPT_NO_JIT},
    {"no-run-timing", no_argument, NULL, OPT_NO_RUN_TIMING},
    {"run-budget-us", required_argument, NULL, OPT_RUN_BUDGET},
    {"auto-reclaim", required_argument, NULL, OPT_AUTO_RECLAIM},
    {"auto-reclaim-max", required_argument, NULL, OPT_AUTO_RECLAIM_MAX},
    {"auto-reclaim-interval", required_argument, NULL,
     OPT_AUTO_RECLAIM_INTERVAL},
    {"pcpus", required_argument, NULL, OPT_PCPUS},
    {"timeslice-ms", required_argument, NULL, OPT_TIMESLICE},
    {"pv-tlb-flush", no_argument, NULL, OPT_PV_TLB},
    {"desched-period-us", required_argument, NULL, OPT_DESCHED_PERIOD},
    {"sched-fifo", no_argument, NULL, OPT_SCHED_FIFO},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

void cli__usage(FILE *out)
{
	fprintf(out,
		"usage: hupvm -k BZIMAGE [options]\n"
		"Boot a Linux bzImage on KVM (/dev/kvm) with the hyperupcall "
		"backend.\n"
		"\n"
		"  -k, --kernel FILE     bzImage to boot (64-bit boot protocol "
		"entry)\n"
		"  -i, --initrd FILE     initramfs to load\n"
		"  -a, --append CMDLINE  kernel command line (default "
		"\"" CLI_DEFAULT_CMDLINE "\";\n"
		"                        \"panic=-1\" is added unless it sets "
		"panic=)\n"
		"  -m, --memory SIZE     guest RAM: N[K|M|G], bare N means MiB "
		"(default 256M)\n"
		"  -c, --cpus N          vCPUs, 1..%u (default 1)\n"
		"      --log FILE        write the guest console here instead "
		"of stdout\n"
		"      --timeout SECS    stop the guest after SECS seconds "
		"(exit status 124)\n"
		"      --control PATH    serve the control protocol (hupctl) on "
		"this Unix socket\n"
		"      --no-jit          run hyperupcall programs under the "
		"interpreter\n"
		"      --no-run-timing   do not time program runs (run_ns "
		"stays 0): two clock\n"
		"                        reads less per run\n"
		"      --run-budget-us N wall-clock budget of one program run, "
		"1..%u us\n"
		"                        (default: libhup's per event)\n"
		"      --auto-reclaim MIB  when the host's MemAvailable "
		"(/proc/meminfo) is\n"
		"                        below MIB MiB, run every registered "
		"reclaim program\n"
		"      --auto-reclaim-max SIZE  at most SIZE (N[K|M|G], bare N "
		"MiB) discarded per\n"
		"                        program and round (default %lluM)\n"
		"      --auto-reclaim-interval SECS  at most one round per "
		"SECS, 1..%u (default %u)\n"
		"      --pcpus N         vCPU overcommit: at most N vCPUs run at "
		"once,\n"
		"                        round-robin (default: all of them, no "
		"scheduler);\n"
		"                        `hupctl sched N` changes N later (N = "
		"--cpus: all run)\n"
		"      --timeslice-ms T  each runs T ms at a time, 1..%u "
		"(default %u; needs --pcpus)\n"
		"      --desched-period-us P  vcpu_desched programs run for a "
		"held vCPU every P us,\n"
		"                        %u..%u (default %u; needs --pcpus)\n"
		"      --sched-fifo      the scheduler's thread runs SCHED_FIFO "
		"so slices and periods\n"
		"                        end on time on a busy host (needs "
		"CAP_SYS_NICE; needs --pcpus)\n"
		"      --pv-tlb-flush    advertise KVM's steal time and PV TLB "
		"flush, and mark\n"
		"                        vCPUs --pcpus holds as preempted (off: "
		"neither is offered)\n"
		"  -v, --verbose         more diagnostics on stderr (repeat "
		"for debug)\n"
		"  -h, --help            this text\n"
		"      --version         print the version and the hyperupcall "
		"ABI\n"
		"\n"
		"The guest console is the 8250 UART at 0x3f8 (console=ttyS0); "
		"stdin feeds it.\n"
		"Exit status: 0 guest powered off, 3 guest rebooted, 4 guest "
		"panicked,\n"
		"5 KVM failure or triple fault (reported with registers), 124 "
		"timeout,\n"
		"130 interrupted, 2 bad usage, 1 other hupvm error.\n",
		VM_MAX_CPUS, CLI_MAX_RUN_BUDGET_US,
		(unsigned long long)(CLI_DEFAULT_AUTO_RECLAIM_MAX >> 20),
		CLI_MAX_AUTO_RECLAIM_INTERVAL, CLI_DEFAULT_AUTO_RECLAIM_INTERVAL,
		VSCHED_MAX_SLICE_MS, VSCHED_DEFAULT_SLICE_MS,
		VSCHED_MIN_PERIOD_US, VSCHED_MAX_PERIOD_US,
		VSCHED_DEFAULT_PERIOD_US);
}

int cli__parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1ull << 20;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1ull << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1ull << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1ull << 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end == 'i' || *end == 'B' || *end == 'b')
		end +=
		    (*end == 'i' && (end[1] == 'B' || end[1] == 'b')) ? 2 : 1;
	if (*end)
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	v *= mult;
	if (v & 0xfff)
		return -EINVAL; /* KVM maps whole pages */
	*out = v;
	return 0;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int check_file(const char *what, const char *path, char *err,
		      size_t errlen)
{
	if (access(path, R_OK) < 0)
		return fail(err, errlen, "%s %s: %s", what, path,
			    strerror(errno));
	return 0;
}

static int build_cmdline(struct cli_opts *o, char *err, size_t errlen)
{
	const char *base = o->append ? o->append : CLI_DEFAULT_CMDLINE;
	bool has_panic =
	    strncmp(base, "panic=", 6) == 0 || strstr(base, " panic=");
	int n;

	n = snprintf(o->cmdline, sizeof(o->cmdline), "%s%s", base,
		     has_panic ? "" : " panic=-1");
	if (n < 0 || (size_t)n >= sizeof(o->cmdline))
		return fail(err, errlen,
			    "--append: command line longer than %u bytes",
			    CLI_CMDLINE_MAX - 1);
	return 0;
}

static int parse_one(int c, struct cli_opts *o, char *err, size_t errlen)
{
	unsigned long v;

	switch (c) {
	case 'k':
		o->kernel = optarg;
		return 0;
	case 'i':
		o->initrd = optarg;
		return 0;
	case 'a':
		o->append = optarg;
		return 0;
	case OPT_LOG:
		o->log = optarg;
		return 0;
	case OPT_CONTROL:
		if (!*optarg || strlen(optarg) >= CLI_CONTROL_PATH_MAX)
			return fail(err, errlen,
				    "--control %s: a socket path of 1..%u "
				    "bytes",
				    optarg, CLI_CONTROL_PATH_MAX - 1);
		o->control = optarg;
		return 0;
	case OPT_NO_JIT:
		o->no_jit = true;
		return 0;
	case OPT_NO_RUN_TIMING:
		o->no_run_timing = true;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 'h':
		o->help = true;
		return 0;
	case OPT_VERSION:
		o->version = true;
		return 0;
	case 'm':
		if (cli__parse_size(optarg, &o->mem) < 0)
			return fail(
			    err, errlen,
			    "--memory %s: not a size (N[K|M|G], page-aligned)",
			    optarg);
		if (o->mem < CLI_MIN_MEM || o->mem > CLI_MAX_MEM)
			return fail(
			    err, errlen,
			    "--memory %s: must be between 32M and 1024G",
			    optarg);
		return 0;
	case 'c':
		if (parse_uint(optarg, ULONG_MAX, &v) < 0 || v < 1 ||
		    v > VM_MAX_CPUS)
			return fail(err, errlen, "--cpus %s: must be 1..%u",
				    optarg, VM_MAX_CPUS);
		o->cpus = (uint32_t)v;
		return 0;
	case OPT_TIMEOUT:
		if (parse_uint(optarg, CLI_MAX_TIMEOUT, &v) < 0)
			return fail(err, errlen,
				    "--timeout %s: must be 0..%u seconds",
				    optarg, CLI_MAX_TIMEOUT);
		o->timeout = (unsigned int)v;
		return 0;
	case OPT_RUN_BUDGET:
		if (parse_uint(optarg, CLI_MAX_RUN_BUDGET_US, &v) < 0 || !v)
			return fail(err, errlen,
				    "--run-budget-us %s: must be 1..%u "
				    "microseconds",
				    optarg, CLI_MAX_RUN_BUDGET_US);
		o->run_budget_us = (uint32_t)v;
		return 0;
	case OPT_AUTO_RECLAIM:
		if (parse_uint(optarg, CLI_MAX_AUTO_RECLAIM_MIB, &v) < 0 || !v)
			return fail(err, errlen,
				    "--auto-reclaim %s: must be 1..%u MiB",
				    optarg, CLI_MAX_AUTO_RECLAIM_MIB);
		o->auto_reclaim_mib = v;
		return 0;
	case OPT_AUTO_RECLAIM_MAX:
		if (cli__parse_size(optarg, &o->auto_reclaim_max) < 0 ||
		    !o->auto_reclaim_max)
			return fail(err, errlen,
				    "--auto-reclaim-max %s: not a size "
				    "(N[K|M|G], page-aligned, not 0)",
				    optarg);
		return 0;
	case OPT_AUTO_RECLAIM_INTERVAL:
		if (parse_uint(optarg, CLI_MAX_AUTO_RECLAIM_INTERVAL, &v) < 0 ||
		    !v)
			return fail(err, errlen,
				    "--auto-reclaim-interval %s: must be 1..%u "
				    "seconds",
				    optarg, CLI_MAX_AUTO_RECLAIM_INTERVAL);
		o->auto_reclaim_interval = (unsigned int)v;
		return 0;
	case OPT_PCPUS:
		if (parse_uint(optarg, VM_MAX_CPUS, &v) < 0 || !v)
			return fail(err, errlen, "--pcpus %s: must be 1..%u",
				    optarg, VM_MAX_CPUS);
		o->pcpus = (uint32_t)v;
		return 0;
	case OPT_TIMESLICE:
		if (parse_uint(optarg, VSCHED_MAX_SLICE_MS, &v) < 0 || !v)
			return fail(err, errlen,
				    "--timeslice-ms %s: must be 1..%u", optarg,
				    VSCHED_MAX_SLICE_MS);
		o->timeslice_ms = (uint32_t)v;
		return 0;
	case OPT_PV_TLB:
		o->pv_tlb_flush = true;
		return 0;
	case OPT_SCHED_FIFO:
		o->sched_fifo = true;
		return 0;
	case OPT_DESCHED_PERIOD:
		if (parse_uint(optarg, VSCHED_MAX_PERIOD_US, &v) < 0 ||
		    v < VSCHED_MIN_PERIOD_US)
			return fail(err, errlen,
				    "--desched-period-us %s: must be %u..%u",
				    optarg, VSCHED_MIN_PERIOD_US,
				    VSCHED_MAX_PERIOD_US);
		o->desched_period_us = (uint32_t)v;
		return 0;
	default:
		return fail(err, errlen,
			    "unknown or incomplete option (see --help)");
	}
}

int cli__parse(int argc, char **argv, struct cli_opts *o, char *err,
	       size_t errlen)
{
	int c, r;

	memset(o, 0, sizeof(*o));
	o->mem = CLI_DEFAULT_MEM;
	o->cpus = 1;
	o->auto_reclaim_max = CLI_DEFAULT_AUTO_RECLAIM_MAX;
	o->auto_reclaim_interval = CLI_DEFAULT_AUTO_RECLAIM_INTERVAL;
	err[0] = '\0';
	optind = 0; /* full re-initialisation of getopt (glibc) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "k:i:a:m:c:vh", long_opts, NULL)) !=
	       -1) {
		r = parse_one(c, o, err, errlen);
		if (r)
			return r;
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'",
			    argv[optind]);
	if (o->help || o->version)
		return 0;
	if (o->pcpus > o->cpus)
		return fail(err, errlen,
			    "--pcpus %u: more than the %u vCPU(s) of --cpus",
			    o->pcpus, o->cpus);
	if (o->timeslice_ms && !o->pcpus)
		return fail(err, errlen, "--timeslice-ms needs --pcpus");
	if (o->desched_period_us && !o->pcpus)
		return fail(err, errlen, "--desched-period-us needs --pcpus");
	if (o->sched_fifo && !o->pcpus)
		return fail(err, errlen, "--sched-fifo needs --pcpus");
	if (o->pcpus && !o->timeslice_ms)
		o->timeslice_ms = VSCHED_DEFAULT_SLICE_MS;
	if (o->pcpus && !o->desched_period_us)
		o->desched_period_us = VSCHED_DEFAULT_PERIOD_US;
	if (!o->kernel)
		return fail(err, errlen,
			    "no kernel: give -k BZIMAGE (see --help)");
	r = check_file("kernel", o->kernel, err, errlen);
	if (!r && o->initrd)
		r = check_file("initrd", o->initrd, err, errlen);
	if (!r)
		r = build_cmdline(o, err, errlen);
	return r;
}
