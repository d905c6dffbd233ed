/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control socket (--control PATH) and its line protocol, spoken by
 * hupctl (backend/hupctl) and documented in docs/hupvm.md:
 *
 *   request:  one line, at most CONTROL_LINE_MAX bytes:
 *             [json] COMMAND [ARG...]
 *   response: body lines, then exactly one end line:
 *             "OK" or "ERR <ERRNO-NAME> <message>"
 *             a "data N" body line is followed by N raw bytes and "\n"
 *             (the answer of a query); with the "json" prefix the body
 *             is one line holding one JSON object.
 *
 * One request per connection; each connection is served on a thread of
 * its own, at most CONTROL_MAX_CLIENTS at once (control.c says why), and
 * global events run on that thread.  Every argument
 * is validated (numbers, program ids, vCPU indices, paths) and a bad one
 * gets an ERR line naming it.
 */
#ifndef HUPVM_CONTROL_H
#define HUPVM_CONTROL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONTROL_LINE_MAX 4096u
#define CONTROL_MAX_ARGS 16u
#define CONTROL_QUERY_ARGS 4u
#define CONTROL_IO_TIMEOUT_S 5

/* The file `dump` writes: snapshot.h. */

struct vm;

struct control {
	struct vm *vm;
	int fd;
	char path[108];
	pthread_t thread;
	bool started;
	atomic_bool stop;
	pthread_mutex_t lock; /* guards active */
	pthread_cond_t cond;  /* active went down */
	unsigned int active;  /* connections being served */
};

int control__start(struct control *c, struct vm *vm, const char *path);
void control__stop(struct control *c);

/* Execute one request line (no newline) and write the response to out. */
void control__execute(struct vm *vm, const char *line, FILE *out);
/* "12", "0x1f": 0, or -EINVAL (also on overflow or trailing junk). */
int control__parse_u64(const char *s, uint64_t *v);
/* "4096", "64K", "2M", "1G" (decimal): 0, -EINVAL, or -ERANGE. */
int control__parse_bytes(const char *s, uint64_t *v);
/* s (len bytes) as a JSON string: quotes, \\ and non-printables escaped. */
void control__json_str(FILE *out, const char *s, size_t len);
/* Split line into at most CONTROL_MAX_ARGS words: count, or -E2BIG. */
int control__split(char *line, char **argv);

#endif
