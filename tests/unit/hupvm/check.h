/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A minimal test harness for hupvm's unit tests: CHECK records a failure
 * with file:line and carries on; main returns check_summary().
 */
#ifndef HUPVM_TEST_CHECK_H
#define HUPVM_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond)                                                            \
	do {                                                                   \
		check_count++;                                                 \
		if (!(cond)) {                                                 \
			check_failures++;                                      \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		unsigned long long _a = (unsigned long long)(a);               \
		unsigned long long _b = (unsigned long long)(b);               \
		check_count++;                                                 \
		if (_a != _b) {                                                \
			check_failures++;                                      \
			fprintf(stderr,                                        \
				"%s:%d: CHECK_EQ failed: %s == %#llx, %s == "  \
				"%#llx\n",                                     \
				__FILE__, __LINE__, #a, _a, #b, _b);           \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *_a = (a), *_b = (b);                               \
		check_count++;                                                 \
		if (!_a || strcmp(_a, _b)) {                                   \
			check_failures++;                                      \
			fprintf(stderr,                                        \
				"%s:%d: CHECK_STR failed: %s is\n%s\n"       \
				"wanted\n%s\n",                               \
				__FILE__, __LINE__, #a, _a ? _a : "(null)",    \
				_b);                                           \
		}                                                              \
	} while (0)

static inline int check_summary(const char *name)
{
	printf("%s: %d/%d checks passed\n", name, check_count - check_failures,
	       check_count);
	return check_failures ? 1 : 0;
}

#endif
