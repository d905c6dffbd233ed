/* SPDX-License-Identifier: BSD-2-Clause */
/* The verifier/loader log (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void hup_log__init(struct hup_log *log, const struct hup_load_opts *opts)
{
	memset(log, 0, sizeof(*log));
	if (!opts)
		return;
	log->buf = opts->log_buf;
	log->size = opts->log_buf ? opts->log_size : 0;
	log->fn = opts->log_fn;
	log->opaque = opts->log_opaque;
	log->level = opts->log_level;
	if (log->size)
		log->buf[0] = '\0';
}

void hup_log__line(struct hup_log *log, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (!log || (!log->size && !log->fn))
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (log->fn)
		log->fn(log->opaque, line);
	if (!log->size)
		return;
	n = (int)strlen(line);
	/* line + '\n' + NUL must fit, else drop the line whole */
	if (log->len + (size_t)n + 2 > log->size) {
		log->truncated = true;
		return;
	}
	memcpy(log->buf + log->len, line, (size_t)n);
	log->len += (size_t)n;
	log->buf[log->len++] = '\n';
	log->buf[log->len] = '\0';
}
