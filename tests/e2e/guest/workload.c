// SPDX-License-Identifier: BSD-2-Clause
/*
 * hup-workload: the guest-side workload of the tracing scenario
 * (tests/e2e/guest/trace_case.py), static so it drops into the L2 initramfs.
 * Each command causes exits that the VMM (hupvm) handles itself:
 *
 *   hup-workload io PORT N          N outb to PORT (an unclaimed port: one
 *                                   exit each, answered by hupvm's bus)
 *   hup-workload bench PORT N       the same, timed: prints exits_per_s
 *   hup-workload msr MSR VALUE      one WRMSR through /dev/cpu/0/msr (msr.ko);
 *                                   exits to the VMM when a program vets MSR
 *   hup-workload mark TEXT          TEXT as one trace_marker line, with the
 *                                   TSC read just before and just after
 *                                   writing it ("HUP-W: mark tsc A B TEXT")
 *   hup-workload kmsg N             the last N records of the kernel log as
 *                                   /dev/kmsg gives them ("LEVEL,SEQ,USEC,
 *                                   FLAGS;TEXT"), for a check of what the
 *                                   host reads of it (samples/dmesg.c)
 *
 * Output: one "HUP-W: ..." line per command; exit status 0, or 1 when the
 * operation failed (for msr: the errno is printed, EIO = the write got #GP).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

static int number(const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int port_io(unsigned long long port, unsigned long long n, int timed)
{
	double t0, t1;

	if (port > 0xffff || !n || n > 100000000ull) {
		fprintf(stderr, "hup-workload: bad port or count\n");
		return 2;
	}
	if (ioperm((unsigned long)port, 1, 1)) {
		printf("HUP-W: ioperm %#llx: %s\n", port, strerror(errno));
		return 1;
	}
	t0 = now_s();
	for (unsigned long long i = 0; i < n; i++)
		outb((unsigned char)i, (unsigned short)port);
	t1 = now_s();
	if (timed)
		printf("HUP-W: bench port=%#llx n=%llu seconds=%.6f exits_per_s=%.0f\n",
		       port, n, t1 - t0, (double)n / (t1 - t0));
	else
		printf("HUP-W: io port=%#llx n=%llu\n", port, n);
	return 0;
}

static int msr_write(unsigned long long msr, unsigned long long value)
{
	uint64_t v = value;
	int fd = open("/dev/cpu/0/msr", O_WRONLY);
	ssize_t r;

	if (fd < 0) {
		printf("HUP-W: msr open: %s\n", strerror(errno));
		return 1;
	}
	r = pwrite(fd, &v, sizeof(v), (off_t)msr);
	close(fd);
	if (r != (ssize_t)sizeof(v)) {
		printf("HUP-W: msr %#llx=%#llx refused: %s\n", msr, value,
		       r < 0 ? strerror(errno) : "short write");
		return 1;
	}
	printf("HUP-W: msr %#llx=%#llx written\n", msr, value);
	return 0;
}

/* /dev/kmsg read to its end without waiting: one record per read(), the
 * oldest still in the ring first; only the last n are kept and printed
 * (without their dictionary lines), each on one "HUP-W: kmsg " line. */
static int kmsg_tail(unsigned long long n)
{
	static char recs[256][1024];
	char buf[8192];
	unsigned long long got = 0;
	int fd;

	if (!n || n > 256) {
		fprintf(stderr, "hup-workload: kmsg: 1..256 records\n");
		return 2;
	}
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		printf("HUP-W: kmsg open: %s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf) - 1);
		size_t len;
		char *nl;

		if (r < 0 && errno == EPIPE)
			continue; /* overwritten while we read: the next one */
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		buf[r] = 0;
		nl = strchr(buf, '\n');
		if (nl)
			*nl = 0;
		len = strnlen(buf, sizeof(recs[0]) - 1);
		memcpy(recs[got % n], buf, len);
		recs[got % n][len] = 0;
		got++;
	}
	close(fd);
	for (unsigned long long i = got > n ? got - n : 0; i < got; i++)
		printf("HUP-W: kmsg %s\n", recs[i % n]);
	printf("HUP-W: kmsg records=%llu shown=%llu\n", got, got > n ? n : got);
	return got ? 0 : 1;
}

/*
 * The guest TSC around a trace_marker line.  The tracing test checks hv
 * events' raw stamps (hv_event's tsc=, the TSC the host recorded) against
 * these: exact, whatever the trace clock does.  The scenario's guest has
 * one vCPU, so this TSC is the one the host stamps.  rdtsc is not ordered
 * against the write, but the workload's exits are milliseconds away.
 */
static int trace_mark(const char *text)
{
	int fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);
	size_t len = strlen(text);
	uint64_t before, after;
	ssize_t r;

	if (fd < 0) {
		printf("HUP-W: mark open: %s\n", strerror(errno));
		return 1;
	}
	before = __rdtsc();
	r = write(fd, text, len);
	after = __rdtsc();
	close(fd);
	if (r != (ssize_t)len) {
		printf("HUP-W: mark: %s\n", r < 0 ? strerror(errno) : "short write");
		return 1;
	}
	printf("HUP-W: mark tsc %llu %llu %s\n", (unsigned long long)before,
	       (unsigned long long)after, text);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long a, b;

	if (argc == 3 && !strcmp(argv[1], "kmsg") && !number(argv[2], &a)) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return kmsg_tail(a);
	}
	if (argc == 3 && !strcmp(argv[1], "mark")) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return trace_mark(argv[2]);
	}
	if (argc != 4 || number(argv[2], &a) || number(argv[3], &b)) {
		fprintf(stderr, "usage: hup-workload io|bench PORT N | msr MSR VALUE | "
			"mark TEXT | kmsg N\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "io"))
		return port_io(a, b, 0);
	if (!strcmp(argv[1], "bench"))
		return port_io(a, b, 1);
	if (!strcmp(argv[1], "msr"))
		return msr_write(a, b);
	fprintf(stderr, "hup-workload: unknown command %s\n", argv[1]);
	return 2;
}
