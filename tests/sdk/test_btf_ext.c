// SPDX-License-Identifier: BSD-2-Clause
/*
 * hupobj__btf_ext, the one .BTF.ext reader of hupcc and hupload: a real
 * object (samples/ps.c: line info and CO-RE relocations) read as it is,
 * then with its .BTF.ext header and subsection bounds broken one way at a
 * time: each gives -EINVAL (or -ENOENT where a subsection is absent), never
 * a read outside the section (the sanitizer build runs this too).
 *
 *	test_btf_ext PS.o
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hup_check.h"
#include "objfile.h"

static uint8_t *orig;
static size_t orig_size, ext_off, ext_size;

/* ext(kind) on a copy of the object whose .BTF.ext bytes at at..at+4 are
 * replaced by v (at < 0: unchanged). */
static int ext_with(long at, uint32_t v, enum hupobj_ext_kind kind,
		    uint32_t min_rec, struct hupobj_ext *e)
{
	uint8_t *copy = malloc(orig_size);
	struct hupobj o;
	int r;

	memcpy(copy, orig, orig_size);
	if (at >= 0)
		memcpy(copy + ext_off + (size_t)at, &v, 4);
	r = hupobj__open_mem(&o, "ps.o", copy, orig_size);
	if (!r)
		r = hupobj__btf_ext(&o, kind, min_rec, e);
	hupobj__close(&o);
	free(copy);
	return r;
}

int main(int argc, char **argv)
{
	struct hupobj_ext e;
	struct hupobj o;
	FILE *f;
	int ei;

	if (argc != 2) {
		fprintf(stderr, "usage: test_btf_ext PS.o\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	orig_size = (size_t)ftell(f);
	rewind(f);
	orig = malloc(orig_size);
	if (fread(orig, 1, orig_size, f) != orig_size)
		return 1;
	fclose(f);
	CHECK_EQ(hupobj__open_mem(&o, "ps.o", orig, orig_size), 0);
	ei = hupobj__find_section(&o, ".BTF.ext");
	CHECK_EQ(ei > 0, 1);
	if (ei <= 0)
		return 1;
	ext_off = o.sh[ei].sh_offset;
	ext_size = o.sh[ei].sh_size;
	hupobj__close(&o);

	/* as written: line info and CO-RE relocations, sane record sizes */
	CHECK_EQ(ext_with(-1, 0, HUPOBJ_EXT_LINE_INFO, 16, &e), 0);
	CHECK_EQ(e.rec_size >= 16 && e.end > e.data, 1);
	CHECK_EQ(ext_with(-1, 0, HUPOBJ_EXT_CORE_RELO, 16, &e), 0);
	CHECK_EQ(e.rec_size >= 16 && e.end > e.data, 1);
	CHECK_EQ(ext_with(-1, 0, HUPOBJ_EXT_FUNC_INFO, 8, &e), 0);
	/* a record size below the caller's minimum */
	CHECK_EQ(ext_with(-1, 0, HUPOBJ_EXT_CORE_RELO, 4096, &e), -EINVAL);
	/* header: magic, hdr_len below the pairs, beyond the section */
	CHECK_EQ(ext_with(0, 0xdead, HUPOBJ_EXT_LINE_INFO, 0, &e), -EINVAL);
	CHECK_EQ(ext_with(4, 4, HUPOBJ_EXT_LINE_INFO, 0, &e), -EINVAL);
	CHECK_EQ(ext_with(4, (uint32_t)ext_size + 1, HUPOBJ_EXT_LINE_INFO, 0,
			  &e),
		 -EINVAL);
	/* an older header without core_relo: absent, line info still there */
	CHECK_EQ(ext_with(4, 24, HUPOBJ_EXT_CORE_RELO, 0, &e), -ENOENT);
	/* core_relo: empty, out of bounds, overflowing, too short */
	CHECK_EQ(ext_with(28, 0, HUPOBJ_EXT_CORE_RELO, 0, &e), -ENOENT);
	CHECK_EQ(ext_with(24, (uint32_t)ext_size, HUPOBJ_EXT_CORE_RELO, 0, &e),
		 -EINVAL);
	CHECK_EQ(ext_with(24, 0xfffffff0u, HUPOBJ_EXT_CORE_RELO, 0, &e),
		 -EINVAL);
	CHECK_EQ(ext_with(28, 0xfffffff0u, HUPOBJ_EXT_CORE_RELO, 0, &e),
		 -EINVAL);
	CHECK_EQ(ext_with(28, 2, HUPOBJ_EXT_CORE_RELO, 0, &e), -EINVAL);
	/* line info the same way */
	CHECK_EQ(ext_with(20, 3, HUPOBJ_EXT_LINE_INFO, 0, &e), -EINVAL);
	CHECK_EQ(ext_with(16, 0xffffff00u, HUPOBJ_EXT_LINE_INFO, 0, &e),
		 -EINVAL);
	free(orig);
	return check_summary("btf_ext");
}
