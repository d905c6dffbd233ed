/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One control request (control.h) executed in-process against a test's
 * VM, its whole response returned as a string (valid until the next call).
 */
#ifndef HUPVM_TEST_CTLEXEC_H
#define HUPVM_TEST_CTLEXEC_H

#include <stdio.h>
#include <stdlib.h>

#include "control.h"

static inline char *ctl_exec(struct vm *vm, const char *line)
{
	static char *buf;
	size_t len = 0;
	FILE *out;

	free(buf);
	buf = NULL;
	out = open_memstream(&buf, &len);
	control__execute(vm, line, out);
	fclose(out);
	return buf;
}

#endif
