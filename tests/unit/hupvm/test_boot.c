// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot-protocol pieces on crafted data: setup-header parsing (and its
 * refusals), the e820 map for small and >3 GiB guests, initrd placement
 * under initrd_addr_max, guest-RAM translation bounds.  With
 * HUP_L2_KERNEL set, also the real Debian bzImage's header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mem.h"
#include "x86/boot.h"
#include "x86/layout.h"

static uint8_t img[0x4000];

static void put(size_t off, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

static void craft(void)
{
	memset(img, 0, sizeof(img));
	img[0x1f1] = 3;	   /* setup_sects */
	img[0x201] = 0x66; /* header ends at 0x268 */
	memcpy(img + 0x202, "HdrS", 4);
	put(0x206, 0x020f, 2);
	put(0x22c, 0x7fffffff, 4);
	put(0x230, 0x200000, 4);
	img[0x234] = 1;
	put(0x236, 0x7f, 2); /* xloadflags: KERNEL_64... */
	put(0x238, 0x7ff, 4);
	put(0x258, 0x1000000, 8);
	put(0x260, 0x3378000, 4);
}

static void test_parse(void)
{
	struct bzimage bz;

	craft();
	CHECK_EQ(bzimage__parse(img, sizeof(img), &bz), 0);
	CHECK_EQ(bz.version, 0x020f);
	CHECK_EQ(bz.setup_size, 4 * 512);
	CHECK_EQ(bz.pref_address, 0x1000000);
	CHECK_EQ(bz.init_size, 0x3378000);
	CHECK_EQ(bz.initrd_addr_max, 0x7fffffff);
	CHECK_EQ(bz.cmdline_size, 0x7ff);
	CHECK_EQ(bz.hdr_end, 0x268);
	img[0x1f1] = 0; /* 0 means 4 */
	CHECK_EQ(bzimage__parse(img, sizeof(img), &bz), 0);
	CHECK_EQ(bz.setup_size, 5 * 512);

	craft();
	CHECK_EQ(bzimage__parse(img, 0x200, &bz), -ENOEXEC); /* truncated */
	img[0x202] = 'X';
	CHECK_EQ(bzimage__parse(img, sizeof(img), &bz), -ENOEXEC);
	craft();
	put(0x206, 0x020b, 2);
	CHECK_EQ(bzimage__parse(img, sizeof(img), &bz), -ENOEXEC);
	craft();
	put(0x236, 0x7e, 2); /* no 64-bit entry */
	CHECK_EQ(bzimage__parse(img, sizeof(img), &bz), -ENOEXEC);
	craft();
	img[0x1f1] = 0xff; /* setup beyond the file */
	CHECK_EQ(bzimage__parse(img, sizeof(img), &bz), -ENOEXEC);
	craft();
	put(0x258, 0x1000123, 8); /* unaligned load address */
	CHECK_EQ(bzimage__parse(img, sizeof(img), &bz), -ENOEXEC);
}

static void test_e820_and_mem(void)
{
	struct e820_entry_x e[BOOT_E820_MAX];
	struct mem m = {0};
	unsigned int n;

	CHECK_EQ(
	    mem__layout(&m, 256ull << 20, X86_LOWMEM_LIMIT, X86_HIGHMEM_BASE),
	    0);
	CHECK_EQ(m.nr, 1);
	n = boot__e820(&m, e, BOOT_E820_MAX);
	CHECK_EQ(n, 4);
	CHECK_EQ(e[0].addr, 0);
	CHECK_EQ(e[0].size, X86_EBDA_START);
	CHECK_EQ(e[0].type, BOOT_E820_RAM);
	CHECK_EQ(e[2].addr, X86_ACPI_ADDR);
	CHECK_EQ(e[2].type, BOOT_E820_RESERVED);
	CHECK_EQ(e[3].addr, 0x100000);
	CHECK_EQ(e[3].addr + e[3].size, 256ull << 20);

	CHECK_EQ(
	    mem__layout(&m, 5ull << 30, X86_LOWMEM_LIMIT, X86_HIGHMEM_BASE), 0);
	CHECK_EQ(m.nr, 2);
	n = boot__e820(&m, e, BOOT_E820_MAX);
	CHECK_EQ(n, 5);
	CHECK_EQ(e[3].addr + e[3].size, X86_LOWMEM_LIMIT);
	CHECK_EQ(e[4].addr, X86_HIGHMEM_BASE);
	CHECK_EQ(e[4].size, (5ull << 30) - X86_LOWMEM_LIMIT);
	CHECK_EQ(boot__e820(&m, e, 2), 2);

	CHECK_EQ(mem__layout(&m, 0, X86_LOWMEM_LIMIT, X86_HIGHMEM_BASE),
		 -EINVAL);
	CHECK_EQ(mem__layout(&m, 4097, X86_LOWMEM_LIMIT, X86_HIGHMEM_BASE),
		 -EINVAL);

	/* Translation: inside, straddling a region end, in the hole. */
	CHECK_EQ(
	    mem__create(&m, 64ull << 20, X86_LOWMEM_LIMIT, X86_HIGHMEM_BASE),
	    0);
	CHECK(mem__gpa_to_hva(&m, 0, 4096) == m.hva);
	CHECK(mem__gpa_to_hva(&m, (64ull << 20) - 8, 8) != NULL);
	CHECK(mem__gpa_to_hva(&m, (64ull << 20) - 8, 9) == NULL);
	CHECK(mem__gpa_to_hva(&m, 64ull << 20, 1) == NULL);
	CHECK(mem__gpa_to_hva(&m, 4096, ~0ull) == NULL);
	CHECK(mem__gpa_to_hva(&m, ~0ull, 1) == NULL);
	mem__destroy(&m);
}

static void test_initrd(void)
{
	uint64_t a = 0;

	/* Below low RAM's end, page aligned. */
	CHECK_EQ(boot__initrd_addr(256ull << 20, 0x7fffffff, 0x1801, 0, &a), 0);
	CHECK_EQ(a, (256ull << 20) - 0x2000);
	/* initrd_addr_max wins when lower than RAM's end. */
	CHECK_EQ(boot__initrd_addr(3ull << 30, 0x37ffffff, 0x1000, 0, &a), 0);
	CHECK_EQ(a, 0x38000000 - 0x1000);
	/* 0 means the old default limit. */
	CHECK_EQ(boot__initrd_addr(3ull << 30, 0, 0x1000, 0, &a), 0);
	CHECK_EQ(a, 0x38000000 - 0x1000);
	/* Would overlap the kernel: refused. */
	CHECK_EQ(boot__initrd_addr(64ull << 20, 0x7fffffff, 32ull << 20,
				   40ull << 20, &a),
		 -ENOSPC);
	CHECK_EQ(
	    boot__initrd_addr(64ull << 20, 0x7fffffff, 128ull << 20, 0, &a),
	    -ENOSPC);
	CHECK_EQ(boot__initrd_addr(64ull << 20, 0x7fffffff, 0, 0, &a), -ENOSPC);
}

static void test_real_kernel(void)
{
	const char *path = getenv("HUP_L2_KERNEL");
	static uint8_t head[0x10000];
	struct bzimage bz;
	FILE *f;

	if (!path || !(f = fopen(path, "rb")))
		return;
	CHECK_EQ(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	CHECK_EQ(bzimage__parse(head, sizeof(head), &bz), 0);
	CHECK(bz.version >= 0x020c);
	CHECK(bz.relocatable);
}

int main(void)
{
	test_parse();
	test_e820_and_mem();
	test_initrd();
	test_real_kernel();
	return check_summary("boot");
}
