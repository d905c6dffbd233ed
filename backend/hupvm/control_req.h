/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the control commands share (control_cmd.c, control_upcall.c,
 * control_sched.c): the request being served and the way every command
 * answers.
 */
#ifndef HUPVM_CONTROL_REQ_H
#define HUPVM_CONTROL_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vm;

struct req {
	struct vm *vm;
	FILE *out;
	bool json;
	int argc;
	char **argv;
};

/* Write the end line "ERR <ERRNO-NAME> <message>"; returns err. */
int control__fail(struct req *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* One key=value (human) or "key":value (JSON) of a list; *first says
 * whether a separator is due. */
void control__kv(struct req *r, bool *first, const char *k, uint64_t v);

#define CONTROL_UPCALL_USAGE                                                   \
	"upcall KIND [ARG...] [--repeat N] [--timeout-ms T]"
/* upcall KIND ...: control_upcall.c. */
int control__cmd_upcall(struct req *r);

#define CONTROL_SCHED_USAGE "sched [N]"
/* sched [N]: control_sched.c. */
int control__cmd_sched(struct req *r);

#endif
