/*
 * Runner for the public BPF conformance suite (RFC 9669, 313 tests) in
 * ../shared/conformance: every test under the interpreter and under the JIT.
 *
 * For each tests/NAME.data it reads the expected result and the input memory
 * from the .data file and the assembled program from hex/NAME.hex, runs it
 * with r1 = the memory, r2 = its length, and compares r0.  Helper 5 is the
 * suite's: it returns non-zero when its first argument is -1.
 *
 * These programs are trusted test inputs and run without the verifier (they
 * read raw host memory through r1, which no guest program may do).
 *
 * usage: conformance [--interp|--jit|--both] [-v] DIR [NAME...]
 * Prints one line per failure and "interpreter: P/N passed", "jit: P/N
 * passed"; exits non-zero unless every selected test passed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "suite.h"

struct test {
	char name[256];
	unsigned char *code;
	size_t code_len;
	unsigned char mem[4096];
	size_t mem_len;
	uint64_t result;
	int has_result;
};

static int load_test(const char *dir, const char *name, struct test *t)
{
	char path[1024];
	char *data, *hex, *sec, *next;
	long n;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(path, sizeof(path), "%s/tests/%s.data", dir, name);
	data = suite_slurp(path, NULL);
	snprintf(path, sizeof(path), "%s/hex/%s.hex", dir, name);
	hex = suite_slurp(path, NULL);
	if (!data || !hex) {
		free(data);
		free(hex);
		return -ENOENT;
	}
	t->code = malloc(strlen(hex) / 2 + 1);
	n = t->code ? suite_parse_hex(hex, hex + strlen(hex), t->code,
				strlen(hex) / 2 + 1) : -1;
	free(hex);
	if (n < 0 || n % 8) {
		free(t->code);
		t->code = NULL;
		free(data);
		return -EINVAL;
	}
	t->code_len = (size_t)n;
	/* Sections start with "-- name"; '#' comments run to end of line. */
	for (sec = strstr(data, "-- "); sec; sec = next) {
		char *body = strchr(sec, '\n');
		char *p;

		next = body ? strstr(body, "\n-- ") : NULL;
		if (next)
			next++;
		if (!body)
			break;
		for (p = body; p < (next ? next : body + strlen(body)); p++)
			if (*p == '#')
				while (*p && *p != '\n')
					*p++ = ' ';
		if (!strncmp(sec, "-- result", 9)) {
			/* The base is the section's own: look for "0x" only
			 * up to the next section. */
			char *hexp = strstr(body, "0x");

			t->result = strtoull(body, NULL,
					     hexp && (!next || hexp < next) ?
					     16 : 10);
			t->has_result = 1;
		} else if (!strncmp(sec, "-- mem", 6)) {
			n = suite_parse_hex(body, next ? next : body + strlen(body),
				      t->mem, sizeof(t->mem));
			if (n < 0) {
				free(t->code);
				t->code = NULL;
				free(data);
				return -EINVAL;
			}
			t->mem_len = (size_t)n;
		}
	}
	free(data);
	if (!t->has_result) {
		free(t->code);
		t->code = NULL;
		return -EINVAL;
	}
	return 0;
}

static int run_one(const struct test *t, int jit, uint64_t *r0, int *err)
{
	const struct bpf_insn *insns = (const void *)t->code;
	size_t cnt = t->code_len / 8;
	unsigned char mem[sizeof(t->mem)];
	/* r1 is the input memory; an empty one is still a valid pointer. */
	uint64_t r1 = (uint64_t)(uintptr_t)mem;

	memcpy(mem, t->mem, t->mem_len);
	*err = 0;
	if (!jit) {
		*r0 = hup_interp__run(insns, cnt, &suite_helpers, r1,
				      t->mem_len, err);
		return 0;
	}
	{
		struct hup_jit_image img = {0};
		int ret = hup_jit__compile(insns, cnt, &suite_helpers, &img,
					   NULL);

		if (ret)
			return ret;
		*r0 = img.entry(r1, t->mem_len);
		hup_jit__free(&img);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int modes = 3, verbose = 0, argi = 1, i, m;
	unsigned int pass[2] = {0}, total = 0;
	char **names = NULL;
	int owned = 0; /* names came from the directory and are ours */
	size_t nr = 0;
	const char *dir;

	for (; argi < argc && argv[argi][0] == '-'; argi++) {
		if (!strcmp(argv[argi], "--interp"))
			modes = 1;
		else if (!strcmp(argv[argi], "--jit"))
			modes = 2;
		else if (!strcmp(argv[argi], "--both"))
			modes = 3;
		else if (!strcmp(argv[argi], "-v"))
			verbose = 1;
		else {
			fprintf(stderr, "usage: %s [--interp|--jit|--both] "
					"[-v] DIR [NAME...]\n", argv[0]);
			return 2;
		}
	}
	if (argi >= argc) {
		fprintf(stderr, "conformance: no suite directory given\n");
		return 2;
	}
	dir = argv[argi++];
	if (argi < argc) {
		names = argv + argi;
		nr = (size_t)(argc - argi);
	} else {
		char path[1024];
		long n;

		snprintf(path, sizeof(path), "%s/tests", dir);
		n = suite_list_dir(path, ".data", &names);
		if (n < 0) {
			fprintf(stderr, "conformance: cannot list %s\n", path);
			return 2;
		}
		nr = (size_t)n;
		owned = 1;
	}
	for (i = 0; i < (int)nr; i++) {
		struct test t;
		int ret = load_test(dir, names[i], &t);

		total++;
		if (ret) {
			printf("FAIL %s: cannot load test (%s)\n", names[i],
			       strerror(-ret));
			continue;
		}
		for (m = 0; m < 2; m++) {
			uint64_t r0 = 0;
			int err = 0;

			if (!(modes & (1 << m)))
				continue;
			ret = run_one(&t, m, &r0, &err);
			if (!ret && !err && r0 == t.result) {
				pass[m]++;
				if (verbose)
					printf("ok   %s [%s]\n", t.name,
					       m ? "jit" : "interp");
			} else {
				printf("FAIL %s [%s]: r0=%#llx expected %#llx "
				       "(ret %d, err %d)\n", t.name,
				       m ? "jit" : "interp",
				       (unsigned long long)r0,
				       (unsigned long long)t.result, ret, err);
			}
		}
		free(t.code);
	}
	if (owned)
		suite_free_names(names, nr);
	if (modes & 1)
		printf("interpreter: %u/%u passed\n", pass[0], total);
	if (modes & 2)
		printf("jit: %u/%u passed\n", pass[1], total);
	/* An empty or missing suite is a failure, not a vacuous pass. */
	return !total || ((modes & 1) && pass[0] != total) ||
	       ((modes & 2) && pass[1] != total);
}
