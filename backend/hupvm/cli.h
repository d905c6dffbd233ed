/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupvm's command line: parsing and validation into struct cli_opts, with
 * a human-readable message for every rejection.  No side effects besides
 * access() checks on the files named, so tests drive it directly.
 */
#ifndef HUPVM_CLI_H
#define HUPVM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_DEFAULT_MEM	    (256ull << 20)
#define CLI_MIN_MEM	    (32ull << 20)
#define CLI_MAX_MEM	    (1ull << 40)
#define CLI_MAX_TIMEOUT	    (7u * 24 * 3600)
/* --run-budget-us: at most 10 s per run. */
#define CLI_MAX_RUN_BUDGET_US 10000000u
/* --auto-reclaim MIB: up to 1 TiB of MemAvailable. */
#define CLI_MAX_AUTO_RECLAIM_MIB (1u << 20)
/* Per program and round: a bound on the work one round does. */
#define CLI_DEFAULT_AUTO_RECLAIM_MAX (256ull << 20)
#define CLI_DEFAULT_AUTO_RECLAIM_INTERVAL 10u
#define CLI_MAX_AUTO_RECLAIM_INTERVAL 3600u
#define CLI_DEFAULT_CMDLINE "console=ttyS0"
#define CLI_CMDLINE_MAX	    4096u
/* sizeof(sockaddr_un.sun_path) */
#define CLI_CONTROL_PATH_MAX 108u

struct cli_opts {
	const char *kernel;
	const char *initrd;
	const char *append;
	const char *log;
	const char *control; /* control socket path, or NULL */
	bool no_jit;
	bool no_run_timing;     /* hup_set_run_timing(false) */
	uint32_t run_budget_us; /* 0 = libhup's default per event */
	uint64_t mem;
	uint32_t cpus;
	uint64_t auto_reclaim_mib; /* 0 = no automatic reclaim */
	uint64_t auto_reclaim_max; /* bytes per program and round */
	unsigned int auto_reclaim_interval; /* seconds */
	uint32_t pcpus;	       /* vCPUs running at once; 0 = all (no overcommit) */
	uint32_t timeslice_ms; /* with pcpus */
	uint32_t desched_period_us; /* with pcpus: vcpu_desched runs */
	bool pv_tlb_flush;     /* advertise steal time + PV TLB flush */
	bool sched_fifo;       /* with pcpus: the scheduler runs SCHED_FIFO */
	unsigned int timeout; /* seconds; 0 = none */
	int verbose;
	bool help;
	bool version;
	char cmdline[CLI_CMDLINE_MAX]; /* the final guest command line */
};

/* Returns 0, or -EINVAL with a message in err. */
int cli__parse(int argc, char **argv, struct cli_opts *o, char *err,
	       size_t errlen);
/* "256M", "1G", "65536K", "512" (MiB): bytes, page-aligned. */
int cli__parse_size(const char *s, uint64_t *out);
void cli__usage(FILE *out);

#endif
