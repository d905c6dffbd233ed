// SPDX-License-Identifier: BSD-2-Clause
/*
 * The snapshot file (see snapshot.h): written by `dump` with the guest
 * parked and the registry locked, read by hupreplay, which trusts none of
 * it: each field is checked before it is used, and a program record gets
 * the checks of a guest's registration request (hreq__check_prog).
 */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hyperupcall/backend.h"
#include "log.h"

#define RECORD sizeof(struct snapshot_prog)
#define RUN    sizeof(struct snapshot_run)
/* The most one record with its bytecode and runs can take. */
#define RECORD_MAX                                                             \
	(RECORD + HUP_MAX_INSNS * 8ull + PVIEW_MAX_RUNS * (uint64_t)RUN)

static uint64_t page_up(uint64_t v)
{
	return (v + SNAPSHOT_PAGE - 1) & ~(uint64_t)(SNAPSHOT_PAGE - 1);
}

static int write_all(int fd, const void *buf, uint64_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
		ssize_t n = pwrite(fd, p, chunk, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, uint64_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
		ssize_t n = pread(fd, p, chunk, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO; /* the file shrank under us */
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/* ------------------------------------------------------------- writing */

static void record(struct snapshot_prog *r, const struct registry_prog *p)
{
	memset(r, 0, sizeof(*r));
	r->id = p->id;
	r->event = p->event;
	r->event_arg = p->event_arg;
	memcpy(r->name, p->name, sizeof(r->name));
	r->vcpu = p->vcpu;
	r->insn_cnt = p->insn_cnt;
	r->nr_windows = p->nr_windows;
	memcpy(r->windows, p->windows, sizeof(r->windows));
	r->la57 = p->root.la57;
	r->cr3 = p->root.cr3;
	r->mapped_bytes = p->view->bytes;
	r->hole_bytes = p->window_holes;
	r->nr_runs = p->nr_runs;
}

/* One program's runs as the file has them. */
static int write_runs(int fd, const struct registry_prog *p, uint64_t off)
{
	struct snapshot_run r;
	int err;

	for (uint32_t i = 0; i < p->nr_runs; i++) {
		r = (struct snapshot_run){p->runs[i].gva, p->runs[i].gpa,
					  p->runs[i].len, p->runs[i].prot, 0};
		err = write_all(fd, &r, RUN, off + i * (uint64_t)RUN);
		if (err)
			return err;
	}
	return 0;
}

/* The records, their bytecode and runs, from progs_offset; with the lock
 * held. */
static int write_progs(int fd, struct backend *b, struct snapshot_header *h)
{
	uint64_t off = SNAPSHOT_PROGS_OFFSET;
	struct snapshot_prog r;
	int err;

	for (unsigned int i = 0; b && i < HUP_MAX_PROGS; i++) {
		const struct registry_prog *p = b->reg.progs[i];
		uint64_t code = p ? p->insn_cnt * 8ull : 0;

		if (!p)
			continue;
		record(&r, p);
		err = write_all(fd, &r, RECORD, off);
		if (!err)
			err = write_all(fd, p->insns, code, off + RECORD);
		if (!err)
			err = write_runs(fd, p, off + RECORD + code);
		if (err)
			return err;
		off += RECORD + code + p->nr_runs * (uint64_t)RUN;
		h->nr_progs++;
	}
	h->progs_size = off - SNAPSHOT_PROGS_OFFSET;
	return 0;
}

int snapshot__write(int fd, const struct mem *m, struct backend *b,
		    uint32_t nr_vcpus)
{
	struct snapshot_header h;
	uint64_t off = 0;
	int err;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, SNAPSHOT_MAGIC, sizeof(h.magic));
	h.version = SNAPSHOT_VERSION;
	h.nr_regions = m->nr;
	h.ram_size = m->size;
	h.nr_vcpus = nr_vcpus;
	h.progs_offset = SNAPSHOT_PROGS_OFFSET;
	/* No registration can slip in between the records and the RAM:
	 * the vCPUs are parked and the lock is held throughout. */
	if (b)
		pthread_mutex_lock(&b->reg.lock);
	err = write_progs(fd, b, &h);
	h.ram_offset = page_up(h.progs_offset + h.progs_size);
	for (unsigned int i = 0; i < m->nr && i < MEM_MAX_REGIONS; i++) {
		h.regions[i].gpa = m->regions[i].gpa;
		h.regions[i].size = m->regions[i].size;
		h.regions[i].file_offset = h.ram_offset + off;
		off += m->regions[i].size;
	}
	if (!err)
		err = write_all(fd, m->hva, m->size, h.ram_offset);
	/* The header last: a file cut short by an error has no magic. */
	if (!err)
		err = write_all(fd, &h, sizeof(h), 0);
	if (b)
		pthread_mutex_unlock(&b->reg.lock);
	return err;
}

/* ------------------------------------------------------------- reading */

/* The regions must be the layout mem.c builds (what load_mem recreates):
 * [0, low) and, above it, [high, high + rest), packed in the file. */
static int check_regions(const struct snapshot_header *h, char *err, size_t len)
{
	uint64_t sum = 0;
	struct mem m;

	if (!h->nr_regions || h->nr_regions > MEM_MAX_REGIONS)
		return log__errf(err, len, -EINVAL, "%u RAM regions (1 or 2)",
				 h->nr_regions);
	for (unsigned int i = 0; i < h->nr_regions; i++) {
		const uint64_t gpa = h->regions[i].gpa, sz = h->regions[i].size;

		if ((gpa | sz) % SNAPSHOT_PAGE || !sz)
			return log__errf(
			    err, len, -EINVAL,
			    "RAM region %u (gpa %#llx, %#llx bytes) is "
			    "not page aligned or empty",
			    i, (unsigned long long)gpa, (unsigned long long)sz);
		if (h->regions[i].file_offset != h->ram_offset + sum)
			return log__errf(
			    err, len, -EINVAL,
			    "RAM region %u at file offset %#llx, "
			    "expected %#llx",
			    i, (unsigned long long)h->regions[i].file_offset,
			    (unsigned long long)(h->ram_offset + sum));
		if (sz > UINT64_MAX - sum)
			return log__errf(err, len, -EINVAL,
					 "RAM size overflows");
		sum += sz;
	}
	if (sum != h->ram_size)
		return log__errf(
		    err, len, -EINVAL,
		    "RAM regions add up to %llu bytes, header says %llu",
		    (unsigned long long)sum, (unsigned long long)h->ram_size);
	memset(&m, 0, sizeof(m));
	if (h->regions[0].gpa ||
	    mem__layout(&m, h->ram_size, h->regions[0].size,
			h->nr_regions > 1 ? h->regions[1].gpa
					  : h->regions[0].size) ||
	    m.nr != h->nr_regions ||
	    (m.nr > 1 && m.regions[1].gpa != h->regions[1].gpa))
		return log__errf(
		    err, len, -EINVAL,
		    "RAM regions are not a guest layout (region 0 at "
		    "gpa 0, region 1 above it)");
	return 0;
}

static int check_header(const struct snapshot *s, char *err, size_t len)
{
	const struct snapshot_header *h = &s->h;
	uint64_t end;
	int e;

	if (memcmp(h->magic, SNAPSHOT_MAGIC, sizeof(h->magic)))
		return log__errf(err, len, -EPROTO,
				 "not a hupvm snapshot (magic is not %s)",
				 SNAPSHOT_MAGIC);
	if (h->version != SNAPSHOT_VERSION)
		return log__errf(
		    err, len, -EPROTONOSUPPORT,
		    "snapshot version %u, this tool reads version %u%s",
		    h->version, SNAPSHOT_VERSION,
		    h->version == 1 ? " (version 1 has no programs: dump "
				      "again with this hupvm)"
				    : "");
	if (!h->nr_vcpus || h->nr_vcpus > REGISTRY_MAX_VCPUS)
		return log__errf(err, len, -EINVAL, "%u vCPUs (1..%u)",
				 h->nr_vcpus, REGISTRY_MAX_VCPUS);
	if (h->nr_progs > HUP_MAX_PROGS)
		return log__errf(err, len, -EINVAL, "%u programs (at most %u)",
				 h->nr_progs, HUP_MAX_PROGS);
	if (h->progs_offset != SNAPSHOT_PROGS_OFFSET)
		return log__errf(
		    err, len, -EINVAL, "program records at %#llx, expected %#x",
		    (unsigned long long)h->progs_offset, SNAPSHOT_PROGS_OFFSET);
	if (h->progs_size > (uint64_t)h->nr_progs * RECORD_MAX)
		return log__errf(
		    err, len, -EINVAL,
		    "%llu bytes of program records for %u programs",
		    (unsigned long long)h->progs_size, h->nr_progs);
	if (h->ram_offset != page_up(h->progs_offset + h->progs_size))
		return log__errf(err, len, -EINVAL,
				 "RAM at file offset %#llx, expected %#llx",
				 (unsigned long long)h->ram_offset,
				 (unsigned long long)page_up(h->progs_offset +
							     h->progs_size));
	e = check_regions(h, err, len);
	if (e)
		return e;
	if (h->ram_size > UINT64_MAX - h->ram_offset)
		return log__errf(err, len, -EINVAL, "RAM size overflows");
	end = h->ram_offset + h->ram_size;
	if (s->file_size != end)
		return log__errf(
		    err, len, -EINVAL,
		    "file is %llu bytes, the header describes %llu "
		    "(%s)",
		    (unsigned long long)s->file_size, (unsigned long long)end,
		    s->file_size < end ? "truncated" : "trailing bytes");
	return 0;
}

static int check_prog(const struct snapshot *s, const struct snapshot_prog *p,
		      unsigned int i, char *err, size_t len)
{
	enum hreq_reason why;

	if (!p->id)
		return log__errf(err, len, -EINVAL,
				 "program record %u has id 0", i);
	for (unsigned int k = 0; k < i; k++)
		if (s->progs[k].id == p->id)
			return log__errf(err, len, -EINVAL,
					 "program id %u recorded twice", p->id);
	if (p->vcpu >= s->h.nr_vcpus)
		return log__errf(err, len, -EINVAL,
				 "program %u registered by vCPU %u of %u",
				 p->id, p->vcpu, s->h.nr_vcpus);
	if (p->nr_runs > PVIEW_MAX_RUNS || p->reserved)
		return log__errf(
		    err, len, -EINVAL,
		    "program %u: %u runs (at most %u), reserved %u", p->id,
		    p->nr_runs, PVIEW_MAX_RUNS, p->reserved);
	if (p->la57 > 1)
		return log__errf(err, len, -EINVAL, "program %u: la57 is %u",
				 p->id, p->la57);
	if (hreq__check_prog(p->event, p->event_arg, p->insn_cnt, p->nr_windows,
			     p->windows, p->name, &why))
		return log__errf(err, len, -EINVAL, "program %u: bad %s", p->id,
				 hreq__reason_name(why));
	return 0;
}

/* A run as the registration made it: page aligned, not wrapping, inside
 * one of the program's windows with that window's rights, in one RAM
 * region. */
static bool run_ok(const struct snapshot *s, const struct snapshot_prog *p,
		   const struct snapshot_run *r)
{
	bool in_window = false, in_ram = false;

	if ((r->gva | r->gpa | r->len) % SNAPSHOT_PAGE || !r->len ||
	    r->len - 1 > UINT64_MAX - r->gva || r->reserved)
		return false;
	for (uint32_t i = 0; i < p->nr_windows; i++) {
		const struct hup_window *w = &p->windows[i];

		if (r->gva >= w->gva && r->gva - w->gva <= w->size - 1 &&
		    r->len <= w->size - (r->gva - w->gva) && r->prot == w->prot)
			in_window = true;
	}
	for (uint32_t i = 0; i < s->h.nr_regions; i++) {
		uint64_t gpa = s->h.regions[i].gpa, sz = s->h.regions[i].size;

		if (r->gpa >= gpa && r->gpa - gpa < sz &&
		    r->len <= sz - (r->gpa - gpa))
			in_ram = true;
	}
	return in_window && in_ram;
}

static int read_runs(struct snapshot *s, unsigned int i, uint64_t off,
		     char *err, size_t len)
{
	const struct snapshot_prog *p = &s->progs[i];
	struct snapshot_run *r;
	int e;

	r = s->runs[i] = calloc(p->nr_runs ? p->nr_runs : 1, RUN);
	if (!r)
		return log__errf(err, len, -ENOMEM, "out of memory");
	e = read_all(s->fd, r, p->nr_runs * (uint64_t)RUN, off);
	if (e)
		return log__errf(err, len, e, "reading program %u's runs: %s",
				 p->id, strerror(-e));
	for (uint32_t k = 0; k < p->nr_runs; k++)
		if (!run_ok(s, p, &r[k]))
			return log__errf(
			    err, len, -EINVAL,
			    "program %u: run %u (gva %#llx, gpa %#llx, %#llx "
			    "bytes, prot %u) is not in one of its windows "
			    "with its rights and in RAM",
			    p->id, k, (unsigned long long)r[k].gva,
			    (unsigned long long)r[k].gpa,
			    (unsigned long long)r[k].len, r[k].prot);
	return 0;
}

static int read_progs(struct snapshot *s, char *err, size_t len)
{
	uint64_t off = SNAPSHOT_PROGS_OFFSET, end = off + s->h.progs_size;
	unsigned int n = s->h.nr_progs ? s->h.nr_progs : 1;
	int e;

	s->progs = calloc(n, RECORD);
	s->insns_off = calloc(n, 8);
	s->runs = calloc(n, sizeof(*s->runs));
	if (!s->progs || !s->insns_off || !s->runs)
		return log__errf(err, len, -ENOMEM, "out of memory");
	for (unsigned int i = 0; i < s->h.nr_progs; i++) {
		struct snapshot_prog *p = &s->progs[i];

		if (end - off < RECORD)
			return log__errf(
			    err, len, -EINVAL,
			    "program record %u runs past the records", i);
		e = read_all(s->fd, p, RECORD, off);
		if (e)
			return log__errf(err, len, e,
					 "reading program record %u: %s", i,
					 strerror(-e));
		e = check_prog(s, p, i, err, len);
		if (e)
			return e;
		off += RECORD;
		if (end - off < p->insn_cnt * 8ull)
			return log__errf(
			    err, len, -EINVAL,
			    "program %u: %u instructions run past the "
			    "records",
			    p->id, p->insn_cnt);
		s->insns_off[i] = off;
		off += p->insn_cnt * 8ull;
		if (end - off < p->nr_runs * (uint64_t)RUN)
			return log__errf(err, len, -EINVAL,
					 "program %u: %u runs run past the "
					 "records",
					 p->id, p->nr_runs);
		e = read_runs(s, i, off, err, len);
		if (e)
			return e;
		off += p->nr_runs * (uint64_t)RUN;
	}
	if (off != end)
		return log__errf(err, len, -EINVAL,
				 "%llu bytes after the last program record",
				 (unsigned long long)(end - off));
	return 0;
}

int snapshot__open(const char *path, struct snapshot *s, char *err,
		   size_t errlen)
{
	struct stat st;
	int e;

	memset(s, 0, sizeof(*s));
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return log__errf(err, errlen, -errno, "%s: %s", path,
				 strerror(errno));
	if (fstat(s->fd, &st) < 0) {
		e = log__errf(err, errlen, -errno, "%s: %s", path,
			      strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		e = log__errf(err, errlen, -EINVAL, "%s: not a regular file",
			      path);
		goto fail;
	}
	s->file_size = (uint64_t)st.st_size;
	if (s->file_size < sizeof(s->h)) {
		e = log__errf(err, errlen, -EINVAL,
			      "%s: %llu bytes, shorter than a snapshot header",
			      path, (unsigned long long)s->file_size);
		goto fail;
	}
	e = read_all(s->fd, &s->h, sizeof(s->h), 0);
	if (e) {
		log__errf(err, errlen, e, "%s: %s", path, strerror(-e));
		goto fail;
	}
	e = check_header(s, err, errlen);
	if (!e)
		e = read_progs(s, err, errlen);
	if (!e)
		return 0;
fail:
	snapshot__close(s);
	return e;
}

void snapshot__close(struct snapshot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->progs);
	free(s->insns_off);
	for (unsigned int i = 0; s->runs && i < s->h.nr_progs; i++)
		free(s->runs[i]);
	free(s->runs);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

const struct snapshot_prog *snapshot__prog(const struct snapshot *s,
					   uint32_t id)
{
	for (unsigned int i = 0; i < s->h.nr_progs; i++)
		if (s->progs[i].id == id)
			return &s->progs[i];
	return NULL;
}

const struct snapshot_run *snapshot__runs(const struct snapshot *s,
					  const struct snapshot_prog *p)
{
	return s->runs[p - s->progs];
}

int snapshot__insns(const struct snapshot *s, const struct snapshot_prog *p,
		    void **insns)
{
	size_t i = (size_t)(p - s->progs), len = p->insn_cnt * 8ull;
	int err;

	*insns = malloc(len);
	if (!*insns)
		return -ENOMEM;
	err = read_all(s->fd, *insns, len, s->insns_off[i]);
	if (err) {
		free(*insns);
		*insns = NULL;
	}
	return err;
}

int snapshot__load_mem(const struct snapshot *s, struct mem *m)
{
	const struct snapshot_header *h = &s->h;
	int err;

	/* check_regions made sure this recreates the recorded regions. */
	err = mem__create(m, h->ram_size, h->regions[0].size,
			  h->nr_regions > 1 ? h->regions[1].gpa
					    : h->regions[0].size);
	if (err)
		return err;
	err = read_all(s->fd, m->hva, h->ram_size, h->ram_offset);
	if (err)
		mem__destroy(m);
	return err;
}
