/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading the RFC 9669 conformance suite (../shared/conformance), shared by
 * the conformance runner and the differential test: files, hex bytes,
 * sorted directory listings, and the suite's own helper table (helper 5
 * returns non-zero when its first argument is -1, as call_unwind_fail
 * expects).
 */
#ifndef HUP_TEST_SUITE_H
#define HUP_TEST_SUITE_H

#include <stddef.h>

#include "engine.h"

extern const struct hup_helper_table suite_helpers;

/* The whole file, NUL-terminated (malloc'd), length in *len if non-NULL;
 * NULL if it cannot be read. */
char *suite_slurp(const char *path, size_t *len);

/* Whitespace-separated hex byte pairs in [s, end) into out[0..max):
 * the count, or -1 on a malformed byte or overflow. */
long suite_parse_hex(const char *s, const char *end, unsigned char *out,
		     size_t max);

/* Sorted, malloc'd names in dir ending in suffix (suffix stripped) into
 * *out; the count, or -1 if dir cannot be read or memory runs out. */
long suite_list_dir(const char *dir, const char *suffix, char ***out);
void suite_free_names(char **names, size_t nr);

#endif /* HUP_TEST_SUITE_H */
