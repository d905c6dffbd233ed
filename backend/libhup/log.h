/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The verifier/loader log: lines into a caller's buffer and/or callback
 * (struct hup_load_opts).  A line that does not fit whole is dropped and
 * the log marked truncated; the buffer is always NUL-terminated.
 */
#ifndef HUP_LOG_H
#define HUP_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include <hup/libhup.h>

struct hup_log {
	char *buf;
	size_t size;
	size_t len;          /* bytes used, excluding the NUL */
	bool truncated;
	hup_log_fn fn;
	void *opaque;
	unsigned int level;
};

void hup_log__init(struct hup_log *log, const struct hup_load_opts *opts);
/* One line; fmt must not end with a newline. */
void hup_log__line(struct hup_log *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* HUP_LOG_H */
