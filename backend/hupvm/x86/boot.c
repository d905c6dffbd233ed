// SPDX-License-Identifier: BSD-2-Clause
/*
 * bzImage loading for the 64-bit boot protocol entry (see boot.h and
 * Documentation/arch/x86/boot.rst).  We use the 64-bit entry rather than
 * PVH because every Debian vmlinuz is a bzImage while PVH needs the ELF
 * vmlinux with its note; the decompressor then does KASLR itself.
 */
#include "boot.h"

#include <asm/bootparam.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "x86/layout.h"

#define BZ_MIN_VERSION	    0x020c /* xloadflags: 64-bit entry advertised */
#define BZ_HDR_MAGIC	    0x53726448u /* "HdrS" */
#define BZ_MAX_IMAGE	    (256u << 20)
#define BZ_MAX_SETUP	    (0x20000 + 0x1000) /* 255 setup sectors + slack */
#define BZ_MAX_INITRD	    (2048ull << 20)
#define BZ_LOADER_UNDEFINED 0xff
#define BZ_ENTRY64_OFFSET   0x200

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

int bzimage__parse(const uint8_t *img, size_t len, struct bzimage *bz)
{
	unsigned int sects;

	memset(bz, 0, sizeof(*bz));
	if (len < 0x268 || le32(img + 0x202) != BZ_HDR_MAGIC)
		return -ENOEXEC;
	bz->version = (uint16_t)le16(img + 0x206);
	if (bz->version < BZ_MIN_VERSION)
		return -ENOEXEC;
	sects = img[0x1f1] ? img[0x1f1] : 4;
	bz->setup_size = (sects + 1) * 512;
	bz->hdr_end = 0x202 + img[0x201];
	if (bz->setup_size >= len || bz->hdr_end > bz->setup_size ||
	    bz->hdr_end > sizeof(struct boot_params))
		return -ENOEXEC;
	bz->initrd_addr_max = le32(img + 0x22c);
	bz->kernel_alignment = le32(img + 0x230);
	bz->relocatable = img[0x234];
	bz->xloadflags = (uint16_t)le16(img + 0x236);
	bz->cmdline_size = le32(img + 0x238);
	bz->pref_address =
	    (uint64_t)le32(img + 0x258) | (uint64_t)le32(img + 0x25c) << 32;
	bz->init_size = le32(img + 0x260);
	if (!(bz->xloadflags & XLF_KERNEL_64))
		return -ENOEXEC; /* no 64-bit entry point */
	if (!bz->pref_address || (bz->pref_address & 0xfff))
		return -ENOEXEC;
	return 0;
}

unsigned int boot__e820(const struct mem *m, struct e820_entry_x *e,
			unsigned int max)
{
	struct e820_entry_x all[BOOT_E820_MAX];
	unsigned int n = 0;
	uint64_t low = m->regions[0].size;

	all[n++] = (struct e820_entry_x){0, X86_EBDA_START, BOOT_E820_RAM};
	all[n++] = (struct e820_entry_x){
	    X86_EBDA_START, 0xa0000 - X86_EBDA_START, BOOT_E820_RESERVED};
	all[n++] = (struct e820_entry_x){
	    X86_ACPI_ADDR, X86_HIMEM_START - X86_ACPI_ADDR, BOOT_E820_RESERVED};
	if (low > X86_HIMEM_START)
		all[n++] = (struct e820_entry_x){
		    X86_HIMEM_START, low - X86_HIMEM_START, BOOT_E820_RAM};
	for (unsigned int i = 1; i < m->nr; i++)
		all[n++] = (struct e820_entry_x){
		    m->regions[i].gpa, m->regions[i].size, BOOT_E820_RAM};
	if (n > max)
		n = max;
	memcpy(e, all, n * sizeof(*e));
	return n;
}

int boot__initrd_addr(uint64_t low_end, uint32_t addr_max, uint64_t size,
		      uint64_t floor, uint64_t *addr)
{
	uint64_t top = (uint64_t)(addr_max ? addr_max : 0x37ffffff) + 1;

	if (top > low_end)
		top = low_end;
	if (!size || size > top)
		return -ENOSPC;
	*addr = (top - size) & ~0xfffull;
	if (*addr < floor)
		return -ENOSPC;
	return 0;
}

/* Open a regular, non-empty file of at most max bytes. */
static int open_file(const char *path, uint64_t max, int *fd, uint64_t *size)
{
	struct stat st;
	int err;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (fstat(*fd, &st) < 0) {
		err = -errno;
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto close_fd;
	}
	if (st.st_size == 0 || (uint64_t)st.st_size > max) {
		err = st.st_size ? -EFBIG : -ENOEXEC;
		goto close_fd;
	}
	*size = (uint64_t)st.st_size;
	return 0;

close_fd:
	close(*fd);
	*fd = -1;
	return err;
}

/* Read len bytes at off straight into dst (guest RAM: no bounce copy). */
static int read_at(int fd, void *dst, uint64_t len, uint64_t off)
{
	uint8_t *p = dst;

	while (len) {
		ssize_t n = pread(fd, p, len > (1u << 30) ? (1u << 30) : len,
				  (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int load_initrd(struct mem *m, const struct boot_config *cfg,
		       const struct bzimage *bz, uint64_t floor,
		       struct boot_result *res)
{
	uint64_t len = 0;
	int fd, err;

	err = open_file(cfg->initrd_path, BZ_MAX_INITRD, &fd, &len);
	if (err) {
		pr_err("initrd %s: %s", cfg->initrd_path, strerror(-err));
		return err;
	}
	err = boot__initrd_addr(m->regions[0].size, bz->initrd_addr_max, len,
				floor, &res->initrd_addr);
	if (err) {
		pr_err(
		    "initrd of %llu bytes does not fit in guest RAM below %#x",
		    (unsigned long long)len, bz->initrd_addr_max);
		goto close_fd;
	}
	err = read_at(fd, mem__gpa_to_hva(m, res->initrd_addr, len), len, 0);
	if (err) {
		pr_err("initrd %s: %s", cfg->initrd_path, strerror(-err));
		goto close_fd;
	}
	res->initrd_size = len;
close_fd:
	close(fd);
	return err;
}

static void fill_boot_params(struct boot_params *bp, const uint8_t *img,
			     const struct bzimage *bz, const struct mem *m,
			     const struct boot_config *cfg,
			     const struct boot_result *res)
{
	struct e820_entry_x e[BOOT_E820_MAX];
	unsigned int n;

	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + 0x1f1, img + 0x1f1, bz->hdr_end - 0x1f1);
	bp->hdr.type_of_loader = BZ_LOADER_UNDEFINED;
	bp->hdr.loadflags |= LOADED_HIGH;
	bp->hdr.cmd_line_ptr = (uint32_t)X86_CMDLINE_ADDR;
	bp->hdr.ramdisk_image = (uint32_t)res->initrd_addr;
	bp->hdr.ramdisk_size = (uint32_t)res->initrd_size;
	bp->ext_ramdisk_image = (uint32_t)(res->initrd_addr >> 32);
	bp->ext_ramdisk_size = (uint32_t)(res->initrd_size >> 32);
	bp->hdr.code32_start = (uint32_t)res->kernel_addr;
	bp->acpi_rsdp_addr = cfg->rsdp_gpa;
	n = boot__e820(m, e, BOOT_E820_MAX);
	for (unsigned int i = 0; i < n; i++) {
		bp->e820_table[i].addr = e[i].addr;
		bp->e820_table[i].size = e[i].size;
		bp->e820_table[i].type = e[i].type;
	}
	bp->e820_entries = (uint8_t)n;
}

int boot__load(struct mem *m, const struct boot_config *cfg,
	       struct boot_result *res)
{
	static uint8_t head[BZ_MAX_SETUP];
	struct bzimage bz;
	size_t cmdlen = strlen(cfg->cmdline);
	uint64_t size = 0, payload, need;
	void *dst;
	int fd, err;

	memset(res, 0, sizeof(*res));
	if (m->regions[0].size < 2 * X86_HIMEM_START)
		return -ENOMEM; /* the fixed low-memory layout needs 2 MiB */
	err = open_file(cfg->kernel_path, BZ_MAX_IMAGE, &fd, &size);
	if (err) {
		pr_err("kernel %s: %s", cfg->kernel_path, strerror(-err));
		return err;
	}
	/* Only the setup part is parsed from a buffer; the kernel proper
	 * is read straight into guest RAM. */
	err = read_at(fd, head, size < sizeof(head) ? size : sizeof(head), 0);
	if (!err)
		err = bzimage__parse(
		    head, size < sizeof(head) ? size : sizeof(head), &bz);
	if (err) {
		pr_err("kernel %s: not a bzImage with a 64-bit entry (boot "
		       "protocol >= 2.12)",
		       cfg->kernel_path);
		err = -ENOEXEC;
		goto close_fd;
	}
	if (cmdlen > bz.cmdline_size || cmdlen >= X86_CMDLINE_MAX) {
		pr_err("command line of %zu bytes exceeds the kernel's %u",
		       cmdlen, bz.cmdline_size);
		err = -E2BIG;
		goto close_fd;
	}
	res->kernel_addr = bz.pref_address;
	payload = size - bz.setup_size;
	need = payload > bz.init_size ? payload : bz.init_size;
	dst = mem__gpa_to_hva(m, res->kernel_addr, need);
	if (!dst) {
		pr_err("guest RAM too small: the kernel needs %#llx..%#llx",
		       (unsigned long long)res->kernel_addr,
		       (unsigned long long)(res->kernel_addr + need));
		err = -ENOMEM;
		goto close_fd;
	}
	err = read_at(fd, dst, payload, bz.setup_size);
	if (err) {
		pr_err("kernel %s: %s", cfg->kernel_path, strerror(-err));
		goto close_fd;
	}
	memcpy(mem__gpa_to_hva(m, X86_CMDLINE_ADDR, cmdlen + 1), cfg->cmdline,
	       cmdlen + 1);
	if (cfg->initrd_path) {
		err = load_initrd(m, cfg, &bz, res->kernel_addr + need, res);
		if (err)
			goto close_fd;
	}
	res->boot_params = X86_BOOT_PARAMS_ADDR;
	res->entry = res->kernel_addr + BZ_ENTRY64_OFFSET;
	fill_boot_params(mem__gpa_to_hva(m, X86_BOOT_PARAMS_ADDR,
					 sizeof(struct boot_params)),
			 head, &bz, m, cfg, res);
	pr_debug(
	    "kernel at %#llx (protocol %#x), entry %#llx, initrd %#llx+%#llx",
	    (unsigned long long)res->kernel_addr, bz.version,
	    (unsigned long long)res->entry,
	    (unsigned long long)res->initrd_addr,
	    (unsigned long long)res->initrd_size);
close_fd:
	close(fd);
	return err;
}
