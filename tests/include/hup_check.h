/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The native tests' checks, one definition: each CHECK* counts a check and,
 * when it fails, a failure with file:line, and carries on, so one run
 * reports every broken expectation.  main ends with check_summary(name)
 * (or check_exit()), non-zero if anything failed or nothing was checked.
 *
 * A test of several files defines HUP_CHECK_SHARED before including this
 * (the counters are then one pair, defined by exactly one file with
 * HUP_CHECK_DEFINE); HUP_CHECK_TAG, a string expression, tags each failure
 * (e.g. the engine it ran on).
 */
#ifndef HUP_TEST_CHECK_H_
#define HUP_TEST_CHECK_H_

#include <stdio.h>
#include <string.h>

#ifdef HUP_CHECK_SHARED
#ifdef HUP_CHECK_DEFINE
int check_count, check_failures;
#else
extern int check_count, check_failures;
#endif
#else
static int check_count, check_failures;
#endif

#ifndef HUP_CHECK_TAG
#define HUP_CHECK_TAG NULL
#endif

#define CHECK(cond) CHECK_MSG(cond, "CHECK(%s) failed", #cond)

/* CHECK with a printf message saying what went wrong. */
#define CHECK_MSG(cond, ...)                                                 \
	do {                                                                 \
		check_count++;                                               \
		if (!(cond)) {                                               \
			check_failures++;                                    \
			const char *tag_ = HUP_CHECK_TAG;                    \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);      \
			if (tag_)                                            \
				fprintf(stderr, "[%s] ", tag_);              \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		long long a_ = (long long)(a), b_ = (long long)(b);          \
		CHECK_MSG(a_ == b_,                                          \
			  "%s == %s failed: %lld (%#llx) vs %lld (%#llx)",   \
			  #a, #b, a_, (unsigned long long)a_, b_,            \
			  (unsigned long long)b_);                           \
	} while (0)

#define CHECK_STR(a, b)                                                      \
	do {                                                                 \
		const char *a_ = (a), *b_ = (b);                             \
		CHECK_MSG(a_ && !strcmp(a_, b_),                             \
			  "CHECK_STR failed: %s is\n%s\nwanted\n%s", #a,     \
			  a_ ? a_ : "(null)", b_);                           \
	} while (0)

/* One line per test function: its name and ok/FAILED. */
#define RUN(test)                                                            \
	do {                                                                 \
		int before_ = check_failures;                                \
		test();                                                      \
		printf("%-40s %s\n", #test,                                  \
		       check_failures == before_ ? "ok" : "FAILED");         \
	} while (0)

static inline int check_summary(const char *name)
{
	printf("%s: %d/%d checks passed\n", name,
	       check_count - check_failures, check_count);
	return check_failures || !check_count ? 1 : 0;
}

static inline int check_exit(void)
{
	printf("%s\n", check_failures ? "FAILED" : "all passed");
	return check_failures || !check_count ? 1 : 0;
}

#endif
