// SPDX-License-Identifier: BSD-2-Clause
/*
 * hupvm's command line: sizes, ranges, missing and unreadable files,
 * unknown options, and the guest command line's panic=-1 default.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "vsched.h"

static struct cli_opts o;
static char err[256];

static int parse(const char *a0, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;
	const char *s;

	argv[argc++] = (char *)"hupvm";
	va_start(ap, a0);
	for (s = a0; s && argc < 15; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	va_end(ap);
	argv[argc] = NULL;
	return cli__parse(argc, argv, &o, err, sizeof(err));
}

static void test_sizes(void)
{
	uint64_t v = 0;

	CHECK_EQ(cli__parse_size("256M", &v), 0);
	CHECK_EQ(v, 256ull << 20);
	CHECK_EQ(cli__parse_size("2G", &v), 0);
	CHECK_EQ(v, 2ull << 30);
	CHECK_EQ(cli__parse_size("2GiB", &v), 0);
	CHECK_EQ(v, 2ull << 30);
	CHECK_EQ(cli__parse_size("512", &v), 0);
	CHECK_EQ(v, 512ull << 20);
	CHECK_EQ(cli__parse_size("65536k", &v), 0);
	CHECK_EQ(v, 64ull << 20);
	CHECK_EQ(cli__parse_size("1K", &v), -EINVAL); /* not page-aligned */
	CHECK_EQ(cli__parse_size("1.5G", &v), -EINVAL);
	CHECK_EQ(cli__parse_size("12X", &v), -EINVAL);
	CHECK_EQ(cli__parse_size("", &v), -EINVAL);
	CHECK_EQ(cli__parse_size("-1G", &v), -EINVAL);
	CHECK_EQ(cli__parse_size("M", &v), -EINVAL);
	CHECK_EQ(cli__parse_size("99999999999999G", &v), -ERANGE);
	CHECK_EQ(cli__parse_size("999999999999999999999", &v), -EINVAL);
}

int main(void)
{
	char kernel[] = "/tmp/hupvm-cli-XXXXXX";
	int fd = mkstemp(kernel);

	CHECK(fd >= 0);
	test_sizes();

	CHECK_EQ(parse("-k", kernel, NULL), 0);
	CHECK_EQ(o.mem, 256ull << 20);
	CHECK_EQ(o.cpus, 1);
	CHECK(!strcmp(o.cmdline, "console=ttyS0 panic=-1"));
	CHECK_EQ(parse("--kernel", kernel, "-c", "2", "-m", "1G", "--timeout",
		       "30", "-a", "console=ttyS0 quiet", NULL),
		 0);
	CHECK_EQ(o.cpus, 2);
	CHECK_EQ(o.mem, 1ull << 30);
	CHECK_EQ(o.timeout, 30);
	CHECK(!strcmp(o.cmdline, "console=ttyS0 quiet panic=-1"));
	CHECK_EQ(parse("-k", kernel, "-a", "panic=5 x", NULL), 0);
	CHECK(!strcmp(o.cmdline, "panic=5 x"));
	CHECK_EQ(parse("-k", kernel, "-a", "a panic=0", NULL), 0);
	CHECK(!strcmp(o.cmdline, "a panic=0"));
	CHECK_EQ(parse("--help", NULL), 0);
	CHECK(o.help);

	CHECK_EQ(parse(NULL), -EINVAL);
	CHECK(strstr(err, "no kernel") != NULL);
	CHECK_EQ(parse("-k", "/nonexistent/vmlinuz", NULL), -EINVAL);
	CHECK(strstr(err, "/nonexistent/vmlinuz") != NULL);
	CHECK_EQ(parse("-k", kernel, "-i", "/nonexistent/initrd", NULL),
		 -EINVAL);
	CHECK(strstr(err, "initrd") != NULL);
	CHECK_EQ(parse("-k", kernel, "-c", "0", NULL), -EINVAL);
	CHECK(strstr(err, "--cpus") != NULL);
	CHECK_EQ(parse("-k", kernel, "-c", "65", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, "-c", "two", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, "-c", "-1", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, "-m", "16M", NULL), -EINVAL);
	CHECK(strstr(err, "--memory") != NULL);
	CHECK_EQ(parse("-k", kernel, "-m", "lots", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, "-m", "2048G", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--timeout", "soon", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, NULL), 0);
	CHECK_EQ(o.run_budget_us, 0); /* libhup's default */
	CHECK_EQ(parse("-k", kernel, "--run-budget-us", "20000", NULL), 0);
	CHECK_EQ(o.run_budget_us, 20000);
	CHECK_EQ(parse("-k", kernel, "--run-budget-us", "10000000", NULL), 0);
	CHECK_EQ(parse("-k", kernel, "--run-budget-us", "0", NULL), -EINVAL);
	CHECK(strstr(err, "--run-budget-us") != NULL);
	CHECK_EQ(parse("-k", kernel, "--run-budget-us", "10000001", NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--run-budget-us", "1ms", NULL), -EINVAL);
	/* --auto-reclaim and its companions */
	CHECK_EQ(parse("-k", kernel, NULL), 0);
	CHECK_EQ(o.auto_reclaim_mib, 0); /* off */
	CHECK_EQ(o.auto_reclaim_max, CLI_DEFAULT_AUTO_RECLAIM_MAX);
	CHECK_EQ(o.auto_reclaim_interval, CLI_DEFAULT_AUTO_RECLAIM_INTERVAL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim", "512",
		       "--auto-reclaim-max", "64M", "--auto-reclaim-interval",
		       "30", NULL),
		 0);
	CHECK_EQ(o.auto_reclaim_mib, 512);
	CHECK_EQ(o.auto_reclaim_max, 64ull << 20);
	CHECK_EQ(o.auto_reclaim_interval, 30);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim", "0", NULL), -EINVAL);
	CHECK(strstr(err, "--auto-reclaim 0") != NULL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim", "lots", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim", "-5", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim", "99999999999999999999",
		       NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim", "1048577", NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim-max", "0", NULL), -EINVAL);
	CHECK(strstr(err, "--auto-reclaim-max") != NULL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim-max", "1K", NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim-max", "xyz", NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim-max", "99999999999999G",
		       NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim-interval", "0", NULL),
		 -EINVAL);
	CHECK(strstr(err, "--auto-reclaim-interval") != NULL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim-interval", "3601", NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "--auto-reclaim-interval", "1m", NULL),
		 -EINVAL);
	/* --pcpus, --timeslice-ms, --pv-tlb-flush */
	CHECK_EQ(parse("-k", kernel, NULL), 0);
	CHECK_EQ(o.pcpus, 0);
	CHECK_EQ(o.timeslice_ms, 0);
	CHECK(!o.pv_tlb_flush);
	CHECK_EQ(parse("-k", kernel, "-c", "4", "--pcpus", "2", NULL), 0);
	CHECK_EQ(o.pcpus, 2);
	CHECK_EQ(o.timeslice_ms, VSCHED_DEFAULT_SLICE_MS);
	CHECK_EQ(o.desched_period_us, VSCHED_DEFAULT_PERIOD_US);
	CHECK_EQ(parse("-k", kernel, "-c", "4", "--pcpus", "2",
		       "--desched-period-us", "50", NULL),
		 0);
	CHECK_EQ(o.desched_period_us, 50);
	CHECK_EQ(parse("-k", kernel, "-c", "4", "--pcpus", "2",
		       "--desched-period-us", "49", NULL),
		 -EINVAL);
	CHECK(strstr(err, "--desched-period-us 49: must be 50..100000") !=
	      NULL);
	CHECK_EQ(parse("-k", kernel, "-c", "4", "--pcpus", "2",
		       "--desched-period-us", "100001", NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "-c", "4", "--desched-period-us", "500",
		       NULL),
		 -EINVAL);
	CHECK(strstr(err, "needs --pcpus") != NULL);
	CHECK_EQ(parse("-k", kernel, "-c", "4", "--pcpus", "4",
		       "--timeslice-ms", "1000", "--pv-tlb-flush", NULL),
		 0);
	CHECK_EQ(o.timeslice_ms, 1000);
	CHECK(o.pv_tlb_flush);
	CHECK_EQ(parse("-k", kernel, "--pv-tlb-flush", NULL), 0);
	/* --sched-fifo */
	CHECK(!o.sched_fifo);
	CHECK_EQ(parse("-k", kernel, "-c", "4", "--pcpus", "2", "--sched-fifo",
		       NULL),
		 0);
	CHECK(o.sched_fifo);
	CHECK_EQ(parse("-k", kernel, "-c", "4", "--sched-fifo", NULL), -EINVAL);
	CHECK(strstr(err, "--sched-fifo needs --pcpus") != NULL);
	CHECK_EQ(parse("-k", kernel, "-c", "4", "--pcpus", "2",
		       "--sched-fifo=1", NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "-c", "2", "--pcpus", "3", NULL), -EINVAL);
	CHECK(strstr(err, "more than the 2 vCPU(s)") != NULL);
	CHECK_EQ(parse("-k", kernel, "-c", "2", "--pcpus", "0", NULL), -EINVAL);
	CHECK(strstr(err, "--pcpus 0") != NULL);
	CHECK_EQ(parse("-k", kernel, "-c", "2", "--pcpus", "one", NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "-c", "2", "--timeslice-ms", "5", NULL),
		 -EINVAL);
	CHECK(strstr(err, "needs --pcpus") != NULL);
	CHECK_EQ(parse("-k", kernel, "-c", "2", "--pcpus", "1",
		       "--timeslice-ms", "0", NULL),
		 -EINVAL);
	CHECK_EQ(parse("-k", kernel, "-c", "2", "--pcpus", "1",
		       "--timeslice-ms", "1001", NULL),
		 -EINVAL);
	CHECK(strstr(err, "--timeslice-ms 1001") != NULL);
	CHECK_EQ(parse("-k", kernel, "--bogus", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, "-m", NULL), -EINVAL);
	CHECK_EQ(parse("-k", kernel, "stray", NULL), -EINVAL);
	CHECK(strstr(err, "stray") != NULL);
	{
		char *big = malloc(CLI_CMDLINE_MAX + 10);

		memset(big, 'x', CLI_CMDLINE_MAX + 9);
		big[CLI_CMDLINE_MAX + 9] = 0;
		CHECK_EQ(parse("-k", kernel, "-a", big, NULL), -EINVAL);
		free(big);
	}
	close(fd);
	unlink(kernel);
	return check_summary("cli");
}
