// SPDX-License-Identifier: BSD-2-Clause
/*
 * Guest RAM backed by a memfd (see mem.h).
 */
#include "mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int mem__layout(struct mem *m, uint64_t size, uint64_t low_limit,
		uint64_t high_base)
{
	uint64_t low = size < low_limit ? size : low_limit;

	if (!size || (size & 0xfff) || low_limit > high_base)
		return -EINVAL;
	if (size - low > UINT64_MAX - high_base)
		return -EINVAL;
	m->size = size;
	m->nr = 0;
	m->regions[m->nr++] = (struct mem_region){0, low, m->hva};
	if (size > low)
		m->regions[m->nr++] = (struct mem_region){
		    high_base, size - low, m->hva ? m->hva + low : NULL};
	return 0;
}

int mem__create(struct mem *m, uint64_t size, uint64_t low_limit,
		uint64_t high_base)
{
	void *p;
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	err = mem__layout(m, size, low_limit, high_base);
	if (err)
		return err;
	m->fd = memfd_create("hupvm-ram", MFD_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, (off_t)size) < 0) {
		err = -errno;
		goto close_fd;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		 m->fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto close_fd;
	}
	m->hva = p;
	madvise(p, size, MADV_HUGEPAGE); /* best effort */
	return mem__layout(m, size, low_limit, high_base);

close_fd:
	close(m->fd);
	m->fd = -1;
	return err;
}

void mem__destroy(struct mem *m)
{
	if (m->hva)
		munmap(m->hva, m->size);
	if (m->fd >= 0)
		close(m->fd);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

void *mem__gpa_to_hva(const struct mem *m, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct mem_region *r = &m->regions[i];

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len > r->size - (gpa - r->gpa) || !r->hva)
			return NULL;
		return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

int mem__gpa_to_offset(const struct mem *m, uint64_t gpa, uint64_t len,
		       uint64_t *off)
{
	uint64_t base = 0;

	for (unsigned int i = 0; i < m->nr; i++) {
		const struct mem_region *r = &m->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size) {
			if (!len || len > r->size - (gpa - r->gpa))
				return -EFAULT;
			*off = base + (gpa - r->gpa);
			return 0;
		}
		base += r->size;
	}
	return -EFAULT;
}
