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

/* The printk ring's types (printk_ringbuffer and what it holds) as
 * Debian's 6.1 and 6.12 kernels lay them out, added to b; without_level:
 * printk_info without its flags and level bitfields. */
static inline void hup_test_btf__add_printk(struct btf *b, int without_level)
{
	int u8 = btf__add_int(b, "u8", 1, 0);
	int u16 = btf__add_int(b, "u16", 2, 0);
	int u32 = btf__add_int(b, "u32", 4, 0);
	int u64 = btf__add_int(b, "u64", 8, 0);
	int s64 = btf__add_int(b, "s64", 8, BTF_INT_SIGNED);
	int uint = btf__add_int(b, "unsigned int", 4, 0);
	int ulong = btf__add_int(b, "long unsigned int", 8, 0);
	int chr = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	int pchr = btf__add_ptr(b, chr);
	int a64, along, lpos, desc, pdesc, info, pinfo, dring, data;

	a64 = btf__add_struct(b, NULL, 8);
	btf__add_field(b, "counter", s64, 0, 0);
	a64 = btf__add_typedef(b, "atomic64_t", a64);
	along = btf__add_typedef(b, "atomic_long_t", a64);
	lpos = btf__add_struct(b, "prb_data_blk_lpos", 16);
	btf__add_field(b, "begin", ulong, 0, 0);
	btf__add_field(b, "next", ulong, 64, 0);
	desc = btf__add_struct(b, "prb_desc", 24);
	btf__add_field(b, "state_var", along, 0, 0);
	btf__add_field(b, "text_blk_lpos", lpos, 64, 0);
	pdesc = btf__add_ptr(b, desc);
	info = btf__add_struct(b, "printk_info", 88);
	btf__add_field(b, "seq", u64, 0, 0);
	btf__add_field(b, "ts_nsec", u64, 64, 0);
	btf__add_field(b, "text_len", u16, 128, 0);
	btf__add_field(b, "facility", u8, 144, 0);
	if (!without_level) {
		btf__add_field(b, "flags", u8, 152, 5);
		btf__add_field(b, "level", u8, 157, 3);
	}
	btf__add_field(b, "caller_id", u32, 160, 0);
	pinfo = btf__add_ptr(b, info);
	dring = btf__add_struct(b, "prb_desc_ring", 48);
	btf__add_field(b, "count_bits", uint, 0, 0);
	btf__add_field(b, "descs", pdesc, 64, 0);
	btf__add_field(b, "infos", pinfo, 128, 0);
	btf__add_field(b, "head_id", along, 192, 0);
	btf__add_field(b, "tail_id", along, 256, 0);
	btf__add_field(b, "last_finalized_id", along, 320, 0);
	data = btf__add_struct(b, "prb_data_ring", 32);
	btf__add_field(b, "size_bits", uint, 0, 0);
	btf__add_field(b, "data", pchr, 64, 0);
	btf__add_field(b, "head_lpos", along, 128, 0);
	btf__add_field(b, "tail_lpos", along, 192, 0);
	btf__add_struct(b, "printk_ringbuffer", 88);
	btf__add_field(b, "desc_ring", dring, 0, 0);
	btf__add_field(b, "text_data_ring", data, 384, 0);
	btf__add_field(b, "fail", along, 640, 0);
}

#endif /* HUP_TEST_BTF_H */
