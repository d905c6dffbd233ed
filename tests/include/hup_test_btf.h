/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writing a hand-made kernel BTF (libbpf's btf__add_*) to a file, for the
 * tests that prepare objects against a made-up kernel as hupload would
 * against /sys/kernel/btf/vmlinux.
 */
#ifndef HUP_TEST_BTF_H
#define HUP_TEST_BTF_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <bpf/btf.h>

/* 0, or -errno. */
static inline int hup_test_write_btf(struct btf *b, const char *path)
{
	uint32_t size = 0;
	const void *raw = btf__raw_data(b, &size);
	FILE *f = fopen(path, "wb");
	int err = 0;

	if (!f)
		return -errno;
	if (!raw || fwrite(raw, 1, size, f) != size)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

#endif /* HUP_TEST_BTF_H */
