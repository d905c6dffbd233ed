// SPDX-License-Identifier: BSD-2-Clause
/*
 * function_graph durations of one function, measured in the guest (see
 * fgraph.h).  set_ftrace_filter patches those functions only: without
 * it function_graph hooks every kernel function and filters at run time,
 * which slowed a nested guest's kernel enough for soft lockups.  Depth 1
 * keeps the trace to one line per call (a call an interrupt cut in two
 * shows as an entry and a closing line, read too); interrupts are traced,
 * since a CPU serves the requests of others in its IPI handler.
 */
#include "fgraph.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int put(const char *dir, const char *file, const char *val)
{
	char path[512];
	int fd, rc = 0;
	size_t n = strlen(val);
	ssize_t w;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	/* A write error is the kernel refusing the value (EINVAL).  A
	 * filter file takes one word per write and says so with a short
	 * count: write the rest. */
	while (n) {
		w = write(fd, val, n);
		if (w < 0) {
			rc = -errno;
			break;
		}
		if (!w) {
			rc = -EIO;
			break;
		}
		val += w;
		n -= (size_t)w;
	}
	close(fd);
	return rc;
}

int fgraph__start(const char *dir, const char *const *funcs, unsigned int nr,
		  unsigned int buf_kb)
{
	char kb[32], list[512] = "";
	int rc;

	if (!nr || nr > FGRAPH_MAX_FUNCS)
		return -EINVAL;
	for (unsigned int i = 0; i < nr; i++) {
		if (strlen(list) + strlen(funcs[i]) + 2 > sizeof(list))
			return -ENAMETOOLONG;
		strcat(list, funcs[i]);
		strcat(list, " ");
	}
	snprintf(kb, sizeof(kb), "%u", buf_kb);
	if ((rc = put(dir, "tracing_on", "0")) ||
	    (rc = put(dir, "current_tracer", "nop")) ||
	    (rc = put(dir, "buffer_size_kb", kb)) ||
	    (rc = put(dir, "set_ftrace_filter", list)) ||
	    (rc = put(dir, "set_graph_function", "")) ||
	    (rc = put(dir, "max_graph_depth", "1")) ||
	    (rc = put(dir, "options/funcgraph-irqs", "1")) ||
	    (rc = put(dir, "options/funcgraph-tail", "1")) ||
	    (rc = put(dir, "trace", "")) ||
	    (rc = put(dir, "current_tracer", "function_graph")) ||
	    (rc = put(dir, "tracing_on", "1")))
		return rc;
	return 0;
}

int64_t fgraph__parse_line(const char *line, const char *func, uint32_t *cpu)
{
	char leaf[160], tail[160];
	const char *bar, *p, *num;
	unsigned int c;
	int at = 0;
	size_t len;

	snprintf(leaf, sizeof(leaf), " %s();", func);
	snprintf(tail, sizeof(tail), "} /* %s */", func);
	bar = strchr(line, '|');
	if (!bar || (!strstr(bar, leaf) && !strstr(bar, tail)))
		return -1;
	/* "<cpu>) <mark> <number> us  |": the number right before "us" */
	p = bar;
	while (p > line && p[-1] == ' ')
		p--;
	if (p - line < 3 || p[-1] != 's' || p[-2] != 'u' || p[-3] != ' ')
		return -1;
	p -= 3;
	while (p > line && p[-1] == ' ')
		p--;
	len = 0;
	while (p > line && (isdigit((unsigned char)p[-1]) || p[-1] == '.')) {
		p--;
		len++;
	}
	if (!len || !isdigit((unsigned char)*p))
		return -1;
	/* " 1) ...": the CPU column (funcgraph-cpu, on by default) */
	if (sscanf(line, " %u%n", &c, &at) != 1 || line[at] != ')')
		return -1;
	*cpu = c;
	num = p;
	return (int64_t)(strtod(num, NULL) * 1000.0 + 0.5);
}

/* Entries the ring buffer overwrote or dropped, summed over the CPUs. */
static uint64_t lost_entries(const char *dir)
{
	char path[512], line[256];
	uint64_t lost = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/per_cpu", dir);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		FILE *f;

		if (strncmp(e->d_name, "cpu", 3))
			continue;
		snprintf(path, sizeof(path), "%s/per_cpu/%s/stats", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v;

			if (sscanf(line, "overrun: %llu", &v) == 1 ||
			    sscanf(line, "dropped events: %llu", &v) == 1)
				lost += v;
		}
		fclose(f);
	}
	closedir(d);
	return lost;
}

int fgraph__collect(const char *dir, const char *const *funcs, unsigned int nr,
		    struct fgraph_call **out, size_t *nr_out, uint64_t *lost)
{
	char path[512], line[512];
	struct fgraph_call *v = NULL;
	size_t n = 0, cap = 0;
	FILE *f;
	int rc = put(dir, "tracing_on", "0");

	if (rc)
		return rc;
	*lost = lost_entries(dir);
	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		for (uint32_t fn = 0; fn < nr; fn++) {
			uint32_t cpu;
			int64_t ns = fgraph__parse_line(line, funcs[fn], &cpu);

			if (ns < 0)
				continue;
			if (n == cap) {
				struct fgraph_call *nv = realloc(
					v, (cap = cap ? cap * 2 : 1024) * sizeof(*v));

				if (!nv) {
					free(v);
					fclose(f);
					return -ENOMEM;
				}
				v = nv;
			}
			v[n++] = (struct fgraph_call){(uint64_t)ns, cpu, fn};
			break;
		}
	}
	fclose(f);
	put(dir, "current_tracer", "nop");
	put(dir, "set_ftrace_filter", "");
	*out = v;
	*nr_out = n;
	return 0;
}
