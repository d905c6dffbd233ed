// SPDX-License-Identifier: BSD-2-Clause
/*
 * hup-benchtool: what the reclaim benchmark (bench/reclaim/bench_reclaim.py)
 * needs on the KVM host, where there is no Python: talk QMP to QEMU, and
 * watch a VMM process give memory back.  Static, so it drops into L1.
 *
 *   hup-benchtool qmp SOCKET JSON
 *	connect to QEMU's QMP socket, negotiate capabilities, send JSON (one
 *	command), print the reply line; exit 0 if it is a "return", 1 if an
 *	"error".
 *   hup-benchtool watch PID DROP_MIB TIMEOUT_S THREAD_PREFIX [CMD ARG...]
 *	note PID's resident memory, start CMD (the operation that should
 *	give memory back: hupctl reclaim, a QMP balloon command; none when
 *	the VMM does it on its own), then poll the resident memory every
 *	millisecond until it has dropped by DROP_MIB, or TIMEOUT_S passed;
 *	wait for CMD and print one line:
 *	  BENCH watch rss0_kib=.. rss1_kib=.. dropped_kib=.. seconds=..
 *	        reached=0|1 guest_cpu_s=.. cmd_rc=..
 *	seconds: from just before CMD starts to the drop.  guest_cpu_s: CPU
 *	time (user + system) of PID's threads whose name starts with
 *	THREAD_PREFIX (its vCPU threads) over the same time.
 *
 * Exit status: 0, 1 (QMP error / drop not reached), 2 usage or system
 * error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One line from fd (QMP speaks lines), at most cap - 1 bytes; -1 on EOF. */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = 0;
	return 0;
}

/* The next line that is a reply ("return" or "error"), skipping events. */
static int reply(int fd, char *buf, size_t cap)
{
	while (!read_line(fd, buf, cap))
		if (strstr(buf, "\"return\"") || strstr(buf, "\"error\""))
			return 0;
	return -1;
}

static int send_all(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int qmp(const char *path, const char *json)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char line[65536];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "hup-benchtool: bad QMP socket %s\n", path);
		return 2;
	}
	strcpy(a.sun_path, path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "hup-benchtool: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (read_line(fd, line, sizeof(line)) || !strstr(line, "\"QMP\"") ||
	    send_all(fd, "{\"execute\":\"qmp_capabilities\"}\n") ||
	    reply(fd, line, sizeof(line)) || send_all(fd, json) ||
	    send_all(fd, "\n") || reply(fd, line, sizeof(line))) {
		fprintf(stderr, "hup-benchtool: QMP conversation failed\n");
		return 2;
	}
	printf("%s\n", line);
	close(fd);
	return strstr(line, "\"return\"") ? 0 : 1;
}

/* VmRSS of pid in KiB, -1 if it is gone. */
static long rss_kib(long pid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* utime + stime (clock ticks) of pid's threads named prefix*. */
static unsigned long long thread_ticks(long pid, const char *prefix)
{
	char path[64];
	unsigned long long sum = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char p[576], buf[1024], *name, *end;
		unsigned long long ut, st;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/stat", path, e->d_name);
		f = fopen(p, "re");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f)) {
			fclose(f);
			continue;
		}
		fclose(f);
		name = strchr(buf, '(');
		end = strrchr(buf, ')');
		if (!name || !end || strncmp(name + 1, prefix, strlen(prefix)))
			continue;
		/* after ") ": state ppid pgrp session tty tpgid flags minflt
		 * cminflt majflt cmajflt utime stime */
		if (sscanf(end + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			   "%llu %llu", &ut, &st) == 2)
			sum += ut + st;
	}
	closedir(d);
	return sum;
}

static int watch(long pid, long drop_mib, double timeout, const char *prefix,
		 char **cmd)
{
	unsigned long long c0, c1;
	double t0, t1;
	long r0, r = 0;
	int reached = 0, status = 0, cmd_rc = -1;
	pid_t child = -1;

	r0 = rss_kib(pid);
	c0 = thread_ticks(pid, prefix);
	if (r0 < 0) {
		fprintf(stderr, "hup-benchtool: no process %ld\n", pid);
		return 2;
	}
	fflush(stdout);
	t0 = now_s();
	if (cmd[0]) {
		child = fork();
		if (child == 0) {
			execv(cmd[0], cmd);
			_exit(127);
		}
		if (child < 0) {
			fprintf(stderr, "hup-benchtool: fork: %s\n",
				strerror(errno));
			return 2;
		}
	}
	do {
		r = rss_kib(pid);
		if (r < 0)
			break;
		if (r0 - r >= drop_mib * 1024) {
			reached = 1;
			break;
		}
		usleep(1000);
	} while (now_s() - t0 < timeout);
	t1 = now_s();
	c1 = thread_ticks(pid, prefix);
	if (child > 0 && waitpid(child, &status, 0) == child)
		cmd_rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	printf("BENCH watch rss0_kib=%ld rss1_kib=%ld dropped_kib=%ld "
	       "seconds=%.4f reached=%d guest_cpu_s=%.2f cmd_rc=%d\n", r0, r,
	       r0 - r, t1 - t0, reached,
	       (double)(c1 - c0) / (double)sysconf(_SC_CLK_TCK), cmd_rc);
	return reached ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "qmp"))
		return qmp(argv[2], argv[3]);
	if (argc >= 6 && !strcmp(argv[1], "watch")) {
		long pid = strtol(argv[2], NULL, 10);
		long mib = strtol(argv[3], NULL, 10);
		double t = strtod(argv[4], NULL);

		if (pid > 0 && mib > 0 && t > 0)
			return watch(pid, mib, t, argv[5], argv + 6);
	}
	fprintf(stderr, "usage: hup-benchtool qmp SOCKET JSON\n"
		"       hup-benchtool watch PID DROP_MIB TIMEOUT_S "
		"THREAD_PREFIX [CMD ARG...]\n");
	return 2;
}
