// SPDX-License-Identifier: BSD-2-Clause
/*
 * hupctl: talk to a running hupvm over its control socket (--control) in
 * the line protocol of backend/hupvm/control.h (docs/hupvm.md, "Control").
 * It validates the command line, sends one request, prints the answer
 * (human text, or one JSON object with --json) and exits with
 * 0 success, 1 hupvm refused the command, 2 bad usage, 3 no connection.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "record.h"

enum { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONN };
#define HUPCTL_TIMEOUT_S 60 /* a dump of a large guest takes a while */

static void usage(FILE *out)
{
	fputs("usage: hupctl [-s SOCKET] [--json] COMMAND [ARG...]\n"
	      "Control a running hupvm (started with --control SOCKET).\n"
	      "\n"
	      "  list                 registered hyperupcall programs\n"
	      "  stats [ID]           exits handled, requests, rejected "
	      "requests by\n"
	      "                       reason, events, per-program "
	      "invocations/aborts/time\n"
	      "  query ID [ARG...]    run query program ID (up to 4 "
	      "numeric args), print\n"
	      "                       its answer\n"
	      "  reclaim ID [--max-bytes N] [--dry-run | --audit FILL] "
	      "[--every-batch]\n"
	      "                       run reclaim program ID over guest "
	      "RAM and discard\n"
	      "                       the free pages it finds, in chunks "
	      "that stop the\n"
	      "                       guest for at most 50 ms each; stop "
	      "after N bytes\n"
	      "                       (N, NK, NM, NG); print pages, bytes "
	      "returned to the\n"
	      "                       host, chunks, batches, time per phase "
	      "and longest stop;\n"
	      "                       --dry-run: count the free pages, "
	      "discard nothing;\n"
	      "                       --audit page_poison|init_on_free: a "
	      "dry run that\n"
	      "                       also checks every page answered free "
	      "holds what\n"
	      "                       that guest boot option fills free "
	      "pages with\n"
	      "                       --every-batch: also in RAM the "
	      "host holds no\n"
	      "                       memory for (skipped otherwise)\n"
	      "  sched [N]            the overcommit scheduler (hupvm "
	      "--pcpus): show it, or\n"
	      "                       run N vCPUs at a time from the next "
	      "slice on\n"
	      "  pause VCPU           deschedule a vCPU\n"
	      "  resume VCPU          resume it (runs vcpu_resume "
	      "programs)\n"
	      "  dump FILE            write a guest RAM snapshot (header + "
	      "RAM) to a new\n"
	      "                       FILE, for offline replay\n"
	      "  upcall KIND [ARG...] [--repeat N] [--timeout-ms T]\n"
	      "                       ask the guest kernel by an interrupt "
	      "(the upcall\n"
	      "                       baseline, docs/bench-costs.md): trace "
	      "KIND REASON\n"
	      "                       [A0..A3] | free_pfns PFN [NR] | "
	      "tlb_ack VCPU |\n"
	      "                       msr_write MSR VALUE; print the answer, "
	      "ns per\n"
	      "                       question and exits per question\n"
	      "\n"
	      "  -s, --socket PATH    the control socket (default "
	      "$HUPCTL_SOCKET)\n"
	      "  -j, --json           print one JSON object\n"
	      "  -o, --obj FILE.o     query: print the answer as the records "
	      "the program\n"
	      "                       declares (HUP_QUERY_RECORD), read from "
	      "FILE.o's BTF\n"
	      "  -p, --prog NAME      the program of FILE.o whose record to "
	      "use (needed\n"
	      "                       when it declares several)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Exit status: 0 ok, 1 hupvm refused the command, 2 bad usage, "
	      "3 cannot\n"
	      "reach hupvm.\n",
	      out);
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad(const char *fmt, ...)
{
	va_list ap;

	fputs("hupctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	return EXIT_USAGE;
}

/* What hupvm accepts: decimal or 0x-hex, no sign, no junk, no overflow. */
static int is_number(const char *s)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return 0;
	errno = 0;
	(void)strtoull(s, &end, 0);
	return !errno && !*end;
}

/* Check the command and its arguments; build the request line. */
static int build(int argc, char **argv, bool json, char *line, size_t cap)
{
	static const struct {
		const char *name;
		int min, max; /* arguments */
		bool numeric;
	} cmds[] = {
	    {"list", 0, 0, false},  {"stats", 0, 1, true},
	    {"query", 1, 5, true},  {"reclaim", 1, 5, true},
	    {"pause", 1, 1, true},  {"resume", 1, 1, true},
	    {"dump", 1, 1, false},  {"help", 0, 0, false},
	    {"upcall", 2, 11, false}, {"sched", 0, 1, true},
	};
	char path[PATH_MAX];
	size_t n, i;
	int nargs = argc - 1;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[0], cmds[i].name))
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		return bad("unknown command '%s'", argv[0]);
	if (nargs < cmds[i].min || nargs > cmds[i].max)
		return bad("wrong number of arguments for '%s'", argv[0]);
	if (!strcmp(argv[0], "reclaim") && nargs > 1) {
		/* the options and N are hupvm's to check (one parser) */
		if (argv[2][0] != '-')
			return bad("usage: reclaim ID [--max-bytes N] [--dry-run "
				   "| --audit FILL] [--every-batch]");
		nargs = 1;
	}
	for (int k = 1; k <= nargs && cmds[i].numeric; k++)
		if (!is_number(argv[k]))
			return bad("'%s' is not a number", argv[k]);
	n = (size_t)snprintf(line, cap, "%s%s", json ? "json " : "", argv[0]);
	for (int k = 1; k < argc && n < cap; k++) {
		const char *a = argv[k];

		if (strpbrk(a, " \t\r\n"))
			return bad("'%s': whitespace is not allowed", a);
		if (!strcmp(argv[0], "dump") && a[0] != '/') {
			/* hupvm's working directory is not ours */
			if (!getcwd(path, sizeof(path)) ||
			    strlen(path) + 1 + strlen(a) >= sizeof(path))
				return bad("'%s': cannot make it absolute", a);
			strcat(path, "/");
			strcat(path, a);
			a = path;
		}
		n += (size_t)snprintf(line + n, cap - n, " %s", a);
	}
	if (n + 2 > cap)
		return bad("request too long (%s)", argv[0]);
	strcat(line, "\n");
	return EXIT_OK;
}

static int talk(const char *sock, const char *line, char **resp, size_t *len)
{
	struct timeval tv = {HUPCTL_TIMEOUT_S, 0};
	struct sockaddr_un a;
	size_t cap = 4096;
	int fd;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(a.sun_path)) {
		fprintf(stderr, "hupctl: socket path too long: %s\n", sock);
		return EXIT_USAGE;
	}
	memcpy(a.sun_path, sock, strlen(sock));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "hupctl: cannot connect to %s: %s\n", sock,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_CONN;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0)
		goto io;
	*resp = malloc(cap);
	*len = 0;
	for (;;) {
		ssize_t n;

		if (*len + 1 >= cap) {
			char *g = realloc(*resp, cap * 2);

			if (!g)
				goto io;
			*resp = g;
			cap *= 2;
		}
		if (!*resp)
			goto io;
		n = read(fd, *resp + *len, cap - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto io;
		if (!n)
			break;
		*len += (size_t)n;
	}
	(*resp)[*len] = 0;
	close(fd);
	return EXIT_OK;
io:
	fprintf(stderr, "hupctl: talking to %s: %s\n", sock, strerror(errno));
	close(fd);
	return EXIT_CONN;
}

/* Print the body, judge the end line. */
static int show(char *resp, size_t len, bool json)
{
	char *end, *last, *r0 = NULL;
	size_t body;

	if (!len || resp[len - 1] != '\n') {
		fprintf(stderr, "hupctl: truncated answer from hupvm\n");
		return EXIT_CONN;
	}
	resp[len - 1] = 0;
	end = strrchr(resp, '\n');
	last = end ? end + 1 : resp;
	body = (size_t)(last - resp);
	if (!json && !strncmp(resp, "data ", 5)) {
		/* a query answer: "data N\n" + N raw bytes + "\n" */
		char *nl = strchr(resp, '\n');
		unsigned long n = strtoul(resp + 5, NULL, 10);

		if (nl && n <= len && nl + 1 + n <= resp + len) {
			fwrite(nl + 1, 1, n, stdout);
			if (n && nl[n] != '\n')
				fputc('\n', stdout);
			last = nl + 1 + n + 1;
			body = 0;
			/* "r0 R": the program ran to its end and returned R */
			nl = strchr(last, '\n');
			if (!strncmp(last, "r0 ", 3) && nl) {
				*nl = 0;
				r0 = last + 3;
				last = nl + 1;
			}
		}
	}
	fwrite(resp, 1, body, stdout);
	/* stdout carries the answer alone (raw bytes, maybe piped on); the
	 * return value goes after it, on stderr */
	fflush(stdout);
	if (r0)
		fprintf(stderr, "hupctl: returned %s\n", r0);
	if (!strcmp(last, "OK"))
		return EXIT_OK;
	if (!strncmp(last, "ERR ", 4)) {
		fprintf(stderr, "hupctl: %s\n", last + 4);
		return EXIT_REFUSED;
	}
	fprintf(stderr, "hupctl: unexpected answer from hupvm: %s\n", last);
	return EXIT_CONN;
}

/*
 * A query answer as typed records: "data N\n" + N bytes + "\n", maybe
 * "r0 R\n", then "OK" or "ERR ..." (a run that ended early keeps what it
 * emitted).  Anything else is shown as it came.
 */
static int show_records(char *resp, size_t len, const struct record *rec,
			bool json)
{
	char *nl = memchr(resp, '\n', len), *p, *end, *r0 = NULL, *last;
	unsigned long n;
	size_t rest;

	if (len < 6 || strncmp(resp, "data ", 5) || !nl)
		return show(resp, len, json);
	n = strtoul(resp + 5, &end, 10);
	p = nl + 1;
	if (end != nl || n > (size_t)(resp + len - p) - 1 || p[n] != '\n')
		return show(resp, len, json);
	last = p + n + 1;
	end = resp + len;
	if (end - last > 3 && !strncmp(last, "r0 ", 3) &&
	    (nl = memchr(last, '\n', (size_t)(end - last)))) {
		*nl = 0;
		r0 = last + 3;
		last = nl + 1;
	}
	if (end == last || end[-1] != '\n') {
		fprintf(stderr, "hupctl: truncated answer from hupvm\n");
		return EXIT_CONN;
	}
	end[-1] = 0;
	if (json) {
		printf("{\"prog\":\"%s\",\"record_size\":%u,\"records\":",
		       rec->prog, rec->size);
		rest = record__print(stdout, rec, (uint8_t *)p, n, true);
		printf(",\"trailing_bytes\":%zu", rest);
		if (r0)
			printf(",\"r0\":%s", r0);
		if (!strncmp(last, "ERR ", 4)) {
			fputs(",\"error\":\"", stdout);
			for (const char *c = last + 4; *c; c++)
				if (*c == '"' || *c == '\\')
					printf("\\%c", *c);
				else if ((unsigned char)*c >= ' ')
					putchar(*c);
			putchar('"');
		}
		puts("}");
	} else {
		rest = record__print(stdout, rec, (uint8_t *)p, n, false);
	}
	fflush(stdout);
	if (rest)
		fprintf(stderr,
			"hupctl: %zu trailing bytes: not a whole %u-byte record "
			"of %s\n",
			rest, rec->size, rec->prog);
	if (r0 && !json)
		fprintf(stderr, "hupctl: returned %s\n", r0);
	if (!strcmp(last, "OK"))
		return EXIT_OK;
	if (!strncmp(last, "ERR ", 4)) {
		if (!json)
			fprintf(stderr, "hupctl: %s\n", last + 4);
		return EXIT_REFUSED;
	}
	fprintf(stderr, "hupctl: unexpected answer from hupvm: %s\n", last);
	return EXIT_CONN;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"obj", required_argument, NULL, 'o'},
	    {"prog", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *sock = getenv("HUPCTL_SOCKET");
	char line[CONTROL_LINE_MAX + 1], *resp = NULL, err[256];
	const char *obj = NULL, *prog = NULL;
	struct record rec;
	bool json = false;
	size_t len = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "+s:jo:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'o':
			obj = optarg;
			break;
		case 'p':
			prog = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return bad("%s", "no command given");
	if (!sock || !*sock)
		return bad("%s", "no socket: give -s PATH or set HUPCTL_SOCKET");
	if ((obj || prog) && strcmp(argv[optind], "query"))
		return bad("%s", "--obj and --prog are for query");
	if (prog && !obj)
		return bad("%s", "--prog names a program of --obj FILE.o");
	/* typed output: hupctl formats the raw answer itself */
	r = build(argc - optind, argv + optind, json && !obj, line,
		  sizeof(line));
	if (r)
		return r;
	if (obj) {
		r = record__open(&rec, obj, prog, err, sizeof(err));
		if (r) {
			fprintf(stderr, "hupctl: %s\n", err);
			return EXIT_USAGE;
		}
	}
	r = talk(sock, line, &resp, &len);
	if (!r)
		r = obj ? show_records(resp, len, &rec, json)
			: show(resp, len, json);
	if (obj)
		record__close(&rec);
	free(resp);
	return r;
}
