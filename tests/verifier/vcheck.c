/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vcheck: the C half of the verifier corpus runner (run_corpus.py is the
 * other).  Reads cases from stdin, runs hup_verify() on each and prints the
 * verdict and the log, so the Python side can compare them with the case's
 * expectations.  With --run, an accepted case is also rewritten by
 * hup_fixup__engines() and run under the interpreter with a zeroed
 * context and fake helpers that return 0, and r0 printed (this checks
 * the loop rewrites end to end).
 *
 * Input, per case, two lines:
 *   NAME EVENT VIEW_BITS MAX_INSNS RUN      (VIEW_BITS 0: no view)
 *   HEX                                     (the program, 2 digits a byte)
 * Output, per case:
 *   case NAME rc=RC lines=N
 *   log LINE                                (N times)
 *   run NAME r0=0xR0 err=ERR                (when RUN and accepted)
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "verifier.h"

struct lines {
	unsigned int n;
	char buf[1 << 16];
	size_t len;
};

static void on_line(void *opaque, const char *line)
{
	struct lines *l = opaque;
	size_t n = strlen(line);

	l->n++;
	if (l->len + n + 2 < sizeof(l->buf)) {
		memcpy(l->buf + l->len, line, n);
		l->len += n;
		l->buf[l->len++] = '\n';
		l->buf[l->len] = '\0';
	}
}

/* Fake helpers for --run: every id answers 0 (no guest, no clock). */
static uint64_t fake_helper(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			    uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return 0;
}

static const hup_helper_fn fake_fns[HUP_FN_MAX + 1] = {
	NULL,        fake_helper, fake_helper, fake_helper, fake_helper,
	fake_helper, fake_helper, fake_helper, fake_helper, fake_helper,
	fake_helper,
};

static int hexval(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static long parse_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (!*s)
			break;
		/* by hand: sscanf would strlen() the rest on every call */
		if (n >= max || !isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]))
			return -1;
		b = (unsigned int)(hexval(s[0]) << 4 | hexval(s[1]));
		out[n++] = (unsigned char)b;
		s += 2;
	}
	return (long)n;
}

static void run_case(const char *name, unsigned int event, unsigned int bits,
		     unsigned int max_insns, int run, unsigned char *code,
		     size_t len)
{
	static struct lines lines;
	struct hup_load_opts lo = {.sz = sizeof(lo)};
	struct hup_verifier_opts vo = {0};
	struct hup_verifier_info info = {0};
	struct hup_log log;
	struct hup_mem_rec *recs;
	const char *p, *nl;
	int rc;

	lines.n = 0;
	lines.len = 0;
	lines.buf[0] = '\0';
	lo.log_fn = on_line;
	lo.log_opaque = &lines;
	hup_log__init(&log, &lo);
	vo.event = (enum hup_event)event;
	vo.has_view = bits != 0;
	vo.view_mask = bits ? (bits >= 64 ? ~0ull : (1ull << bits) - 1) : 0;
	vo.max_insns = max_insns;
	vo.log = &log;
	vo.recs = recs = calloc(len / 8 + 1, sizeof(*recs));
	rc = hup_verify((const struct bpf_insn *)(void *)code, len / 8, &vo,
			&info);
	printf("case %s rc=%d lines=%u\n", name, rc, lines.n);
	for (p = lines.buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		printf("log %.*s\n", (int)(nl - p), p);
	}
	if (run && rc == 0) {
		struct bpf_insn *insns = malloc(len);
		size_t cnt = len / 8;
		unsigned char ctx[256] = {0};
		struct hup_helper_table helpers = {.fns = fake_fns,
						   .nr = HUP_FN_MAX + 1};
		uint64_t r0 = 0;
		int err;

		/* sealed and confined, as prog.c runs it; the ctx here is
		 * at least as large as any event's */
		struct hup_confine conf = hup_confine_none;

		conf.sealed = true;
		conf.ctx_size = sizeof(ctx);
		if (!insns || !recs) {
			free(insns);
			free(recs);
			return;
		}
		memcpy(insns, code, len);
		err = hup_fixup__engines(&insns, &cnt, recs, len / 8,
					 sizeof(ctx), bits != 0, &log);
		if (!err)
			r0 = hup_interp__run_confined(insns, cnt, &helpers,
						      &conf,
						      (uint64_t)(uintptr_t)ctx,
						      0, &err);
		printf("run %s r0=0x%llx err=%d\n", name, (unsigned long long)r0,
		       err);
		free(insns);
	}
	free(recs);
}

int main(void)
{
	char *hdr = NULL, *hex = NULL, name[256];
	size_t hcap = 0, xcap = 0;
	unsigned int event, bits, max_insns;
	int run;

	while (getline(&hdr, &hcap, stdin) > 0 &&
	       getline(&hex, &xcap, stdin) > 0) {
		size_t max = strlen(hex) / 2 + 8;
		unsigned char *code = malloc(max);
		long n;

		if (!code ||
		    sscanf(hdr, "%255s %u %u %u %d", name, &event, &bits,
			   &max_insns, &run) != 5) {
			fprintf(stderr, "vcheck: bad header: %s", hdr);
			free(code);
			return 2;
		}
		n = parse_hex(hex, code, max);
		if (n < 0 || n % 8) {
			printf("case %s rc=bad-input lines=0\n", name);
		} else {
			run_case(name, event, bits, max_insns, run, code,
				 (size_t)n);
		}
		free(code);
		fflush(stdout);
	}
	free(hdr);
	free(hex);
	return 0;
}
