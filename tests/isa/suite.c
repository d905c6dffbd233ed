/* SPDX-License-Identifier: BSD-2-Clause */
/* Reading the conformance suite: see suite.h. */
#define _GNU_SOURCE /* strndup */
#include "suite.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t helper_unwind(uint64_t r1, uint64_t r2, uint64_t r3,
			      uint64_t r4, uint64_t r5)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	return r1 == (uint64_t)-1 ? 1 : 0;
}

static const hup_helper_fn suite_fns[6] = {[5] = helper_unwind};
const struct hup_helper_table suite_helpers = {.fns = suite_fns, .nr = 6};

char *suite_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

long suite_parse_hex(const char *s, const char *end, unsigned char *out,
		     size_t max)
{
	size_t n = 0;
	unsigned int b;
	int used;

	while (s < end) {
		while (s < end && strchr(" \t\r\n", *s))
			s++;
		if (s >= end)
			break;
		if (sscanf(s, "%2x%n", &b, &used) != 1 || n >= max)
			return -1;
		out[n++] = (unsigned char)b;
		s += used;
	}
	return (long)n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void suite_free_names(char **names, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

long suite_list_dir(const char *dir, const char *suffix, char ***out)
{
	size_t nr = 0, slen = strlen(suffix);
	char **names = NULL;
	struct dirent *de;
	DIR *d = opendir(dir);

	*out = NULL;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **grown;

		if (len <= slen || strcmp(de->d_name + len - slen, suffix))
			continue;
		grown = realloc(names, (nr + 1) * sizeof(*names));
		if (!grown || !(grown[nr] = strndup(de->d_name, len - slen))) {
			closedir(d);
			suite_free_names(grown ? grown : names, nr);
			return -1;
		}
		names = grown;
		nr++;
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp_str);
	*out = names;
	return (long)nr;
}
