/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A made-up guest's memory for the native tests that run programs on
 * hand-built kernel structures: a memfd mapped here and into a libhup
 * view at a guest address, and a bump allocator of zeroed, 64-byte
 * aligned pieces of it (a piece's guest address and our pointer).
 * memfd_create() needs _GNU_SOURCE from the includer.
 */
#ifndef HUP_TEST_GMEM_H
#define HUP_TEST_GMEM_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hup/libhup.h>

struct hup_test_gmem {
	int fd;
	uint8_t *host; /* our mapping */
	uint64_t gva;  /* where the view has it */
	size_t size, used;
};

/* size bytes at gva in view with prot (HUP_WIN_*): 0, or -errno. */
static inline int hup_test_gmem__create(struct hup_test_gmem *g,
					struct hup_view *view, uint64_t gva,
					size_t size, uint32_t prot)
{
	void *p;

	memset(g, 0, sizeof(*g));
	g->fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (g->fd < 0 || ftruncate(g->fd, (off_t)size))
		return -errno;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	g->host = p;
	g->gva = gva;
	g->size = size;
	return hup_view__map(view, gva, g->fd, 0, size, prot);
}

/* size zeroed bytes: their guest address, *host ours; a full image ends
 * the test (exit 2: the test is wrong, not the code under test). */
static inline uint64_t hup_test_gmem__alloc(struct hup_test_gmem *g,
					    size_t size, void **host)
{
	uint64_t gva;

	g->used = (g->used + 63) & ~(size_t)63;
	if (g->used + size > g->size) {
		fprintf(stderr, "guest memory image full\n");
		exit(2);
	}
	gva = g->gva + g->used;
	*host = g->host + g->used;
	memset(*host, 0, size);
	g->used += size;
	return gva;
}

/* All of it zeroed and free again. */
static inline void hup_test_gmem__reset(struct hup_test_gmem *g)
{
	memset(g->host, 0, g->size);
	g->used = 0;
}

#endif /* HUP_TEST_GMEM_H */
