/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The check macro of the guest-side native tests: CHECK(cond, fmt, ...)
 * counts the check and, if cond is false, the failure, with file:line and
 * the message; main reports checks and failures.
 */
#ifndef HUP_TEST_KMOD_CHECK_H
#define HUP_TEST_KMOD_CHECK_H

#include <stdio.h>

static int checks, failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		checks++;                                                    \
		if (!(cond)) {                                               \
			failures++;                                          \
			fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
		}                                                            \
	} while (0)

#endif
