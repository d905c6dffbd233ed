// SPDX-License-Identifier: BSD-2-Clause
/*
 * kvmstats (KVM's binary statistics, backend/hupvm/kvmstats.c).
 *
 * "fake": stats files built byte for byte in a memfd in KVM's layout
 * (header, id string, descriptors each followed by its name, data): the
 * counter "exits" is found and read, a changed value is seen by the next
 * read, and every malformed layout is refused with its errno.
 *
 * "kvm": a real vCPU's "exits", before and after it runs one HLT; exits 77
 * (skipped, with the reason) without /dev/kvm or KVM_CAP_BINARY_STATS_FD.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "check.h"
#include "kvmstats.h"

#define SKIP_CODE 77

#define NAME_SIZE 48u /* KVM's KVM_STATS_NAME_SIZE */
#define HDR_SIZE  sizeof(struct kvm_stats_header)
#define DESC_SIZE (sizeof(struct kvm_stats_desc) + NAME_SIZE)

#define CUMUL (KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE)

struct fake_stat {
	const char *name;
	uint32_t flags;
	int16_t exponent;
	uint16_t size;	 /* u64s */
	uint32_t offset; /* in the data block */
	uint64_t value;	 /* of its first u64 */
};

/* A vCPU's stats much as x86 KVM lays them out; "exits" first in the data,
 * so that growing it to two u64s still fits the file. */
static const struct fake_stat good[] = {
    {"halt_successful_poll", CUMUL, 0, 1, 8, 7},
    {"exits", CUMUL, 0, 1, 0, 12345},
    {"halt_poll_success_ns", KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_SECONDS,
     -9, 1, 16, 999},
    {"halt_poll_success_hist", KVM_STATS_TYPE_LOG_HIST | KVM_STATS_UNIT_SECONDS,
     -9, 32, 24, 0},
    {"guest_mode", KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_BOOLEAN, 0, 1,
     24 + 32 * 8, 1},
};
#define NGOOD (sizeof(good) / sizeof(good[0]))
#define EXITS 1 /* good[EXITS] is "exits" */

#define DATA_OFF  (HDR_SIZE + NAME_SIZE + NGOOD * DESC_SIZE)
#define DATA_SIZE (24u + 32 * 8 + 8)
#define FILE_SIZE (DATA_OFF + DATA_SIZE)

/* Field f of the header, or of descriptor i, as a file offset. */
#define HDR(f) offsetof(struct kvm_stats_header, f)
#define DESC(i, f)                                                             \
	(HDR_SIZE + NAME_SIZE + (i)*DESC_SIZE +                                \
	 offsetof(struct kvm_stats_desc, f))

static void put32(uint8_t *buf, size_t off, uint32_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

static void put16(uint8_t *buf, size_t off, uint16_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

/* The well-formed file, to be mutated by a test before fake_fd. */
static void build(uint8_t buf[FILE_SIZE])
{
	struct kvm_stats_header h = {
	    .flags = 0,
	    .name_size = NAME_SIZE,
	    .num_desc = NGOOD,
	    .id_offset = HDR_SIZE,
	    .desc_offset = HDR_SIZE + NAME_SIZE,
	    .data_offset = DATA_OFF,
	};

	memset(buf, 0, FILE_SIZE);
	memcpy(buf, &h, sizeof(h));
	strcpy((char *)buf + h.id_offset, "kvm-4242/vcpu-0");
	for (size_t i = 0; i < NGOOD; i++) {
		struct kvm_stats_desc d = {
		    .flags = good[i].flags,
		    .exponent = good[i].exponent,
		    .size = good[i].size,
		    .offset = good[i].offset,
		};
		uint8_t *p = buf + h.desc_offset + i * DESC_SIZE;

		memcpy(p, &d, sizeof(d));
		strcpy((char *)p + sizeof(d), good[i].name);
		memcpy(buf + DATA_OFF + good[i].offset, &good[i].value, 8);
	}
}

/* A file holding buf[0..len). */
static int fake_fd(const uint8_t *buf, size_t len)
{
	int fd = memfd_create("fake-kvm-stats", MFD_CLOEXEC);

	if (fd < 0) {
		perror("memfd_create");
		return -1;
	}
	if (len && pwrite(fd, buf, len, 0) != (ssize_t)len) {
		perror("pwrite");
		close(fd);
		return -1;
	}
	return fd;
}

/* kvmstats__open on buf[0..len); a failed open leaves s closed. */
static int open_buf(const uint8_t *buf, size_t len, const char *name)
{
	struct kvmstats s;
	uint64_t v;
	int fd = fake_fd(buf, len), err;

	if (fd < 0)
		return -9999;
	err = kvmstats__open(&s, fd, name);
	if (err) {
		CHECK_EQ(s.fd, -1);
		CHECK_EQ(kvmstats__read(&s, &v), -EBADF);
	}
	kvmstats__close(&s);
	close(fd);
	return err;
}

static void test_found_and_read(void)
{
	static uint8_t buf[FILE_SIZE];
	struct kvmstats exits, polls, ns;
	uint64_t v = 0, nv = 424242;
	int fd;

	build(buf);
	fd = fake_fd(buf, sizeof(buf));
	CHECK(fd >= 0);
	/* several stats on one borrowed fd */
	CHECK_EQ(kvmstats__open(&exits, fd, "exits"), 0);
	CHECK_EQ(kvmstats__open(&polls, fd, "halt_successful_poll"), 0);
	CHECK_EQ(kvmstats__open(&ns, fd, "halt_poll_success_ns"), 0);
	CHECK_EQ(exits.off, DATA_OFF + good[EXITS].offset);
	CHECK_EQ(kvmstats__read(&exits, &v), 0);
	CHECK_EQ(v, 12345);
	CHECK_EQ(kvmstats__read(&polls, &v), 0);
	CHECK_EQ(v, 7);
	CHECK_EQ(kvmstats__read(&ns, &v), 0);
	CHECK_EQ(v, 999);
	CHECK_EQ(ns.flags & KVM_STATS_UNIT_MASK, KVM_STATS_UNIT_SECONDS);
	CHECK_EQ(ns.exponent, -9);

	/* the counter moves: the next read sees it, not a cached value */
	CHECK_EQ(pwrite(fd, &nv, 8, exits.off), 8);
	CHECK_EQ(kvmstats__read(&exits, &v), 0);
	CHECK_EQ(v, 424242);
	CHECK_EQ(kvmstats__read(&polls, &v), 0);
	CHECK_EQ(v, 7);

	/* the file shrinks under an open stat: refused, not a stale value */
	CHECK_EQ(ftruncate(fd, (off_t)DATA_OFF), 0);
	CHECK_EQ(kvmstats__read(&exits, &v), -EPROTO);

	kvmstats__close(&exits);
	kvmstats__close(&exits); /* twice: a no-op */
	kvmstats__close(&polls);
	kvmstats__close(&ns);
	CHECK_EQ(kvmstats__read(&exits, &v), -EBADF);
	/* the fd was borrowed: still open */
	CHECK(fcntl(fd, F_GETFD) >= 0);
	close(fd);
}

static void test_truncated(void)
{
	static uint8_t buf[FILE_SIZE];

	build(buf);
	CHECK_EQ(open_buf(buf, 0, "exits"), -EPROTO);
	CHECK_EQ(open_buf(buf, HDR_SIZE - 1, "exits"), -EPROTO);
	/* a header and nothing it points at */
	CHECK_EQ(open_buf(buf, HDR_SIZE, "exits"), -EPROTO);
	/* the descriptors cut short */
	CHECK_EQ(open_buf(buf, HDR_SIZE + NAME_SIZE + DESC_SIZE, "exits"),
		 -EPROTO);
	/* the data cut short: the last stat's value is past the end */
	CHECK_EQ(open_buf(buf, FILE_SIZE - 1, "exits"), -EPROTO);
	CHECK_EQ(open_buf(buf, FILE_SIZE, "exits"), 0);
}

static void test_bad_header(void)
{
	static uint8_t buf[FILE_SIZE];
	static const struct {
		size_t field;
		uint32_t value;
	} bad[] = {
	    {HDR(desc_offset), FILE_SIZE + 1},
	    {HDR(desc_offset), FILE_SIZE - DESC_SIZE}, /* table overhangs */
	    {HDR(desc_offset), 0xffffffffu},
	    {HDR(desc_offset), 8}, /* inside the header */
	    {HDR(data_offset), FILE_SIZE + 1},
	    {HDR(data_offset), 0xffffffffu},
	    {HDR(data_offset), 0},
	    {HDR(id_offset), FILE_SIZE - NAME_SIZE + 1},
	    {HDR(id_offset), 0xffffffffu},
	    {HDR(name_size), 0},
	    {HDR(name_size), 0xffffffffu},
	    {HDR(name_size), KVMSTATS_MAX_NAME_SIZE + 1},
	    /* within the limit, but the table no longer fits */
	    {HDR(name_size), KVMSTATS_MAX_NAME_SIZE},
	    {HDR(num_desc), 0xffffffffu},
	    {HDR(num_desc), 1u << 28},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build(buf);
		put32(buf, bad[i].field, bad[i].value);
		CHECK_MSG(open_buf(buf, sizeof(buf), "exits") == -EPROTO,
			  "header field at %zu = %#x accepted", bad[i].field,
			  bad[i].value);
	}
	/* header flags are reserved, not refused: a newer kernel's bit */
	build(buf);
	put32(buf, HDR(flags), 1);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), 0);
}

static void test_bad_desc(void)
{
	static uint8_t buf[FILE_SIZE];

	/* "exits"' value, then another stat's, past the data */
	build(buf);
	put32(buf, DESC(EXITS, offset), DATA_SIZE - 4);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -EPROTO);
	build(buf);
	put32(buf, DESC(EXITS, offset), 0xfffffff8u);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -EPROTO);
	build(buf);
	/* the histogram, grown over guest_mode's value and one bucket past */
	put16(buf, DESC(3, size), 34);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -EPROTO);
	build(buf);
	put16(buf, DESC(4, size), 0xffff);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -EPROTO);
	/* a name without its NUL */
	build(buf);
	memset(buf + DESC(0, name), 'x', NAME_SIZE);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -EPROTO);
}

static void test_missing(void)
{
	static uint8_t buf[FILE_SIZE];

	build(buf);
	CHECK_EQ(open_buf(buf, sizeof(buf), "no_such_stat"), -ENOENT);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exit"), -ENOENT); /* a prefix */
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits_"), -ENOENT);
	CHECK_EQ(open_buf(buf, sizeof(buf), ""), -ENOENT);
	put32(buf, HDR(num_desc), 0);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -ENOENT);
}

static void test_not_a_counter(void)
{
	static uint8_t buf[FILE_SIZE];

	build(buf);
	CHECK_EQ(open_buf(buf, sizeof(buf), "guest_mode"), -EINVAL);
	CHECK_EQ(open_buf(buf, sizeof(buf), "halt_poll_success_hist"), -EINVAL);
	put32(buf, DESC(EXITS, flags), KVM_STATS_TYPE_PEAK);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -EINVAL);
	put32(buf, DESC(EXITS, flags), KVM_STATS_TYPE_INSTANT);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -EINVAL);
	build(buf);
	put16(buf, DESC(EXITS, size), 2);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -EINVAL);
	put16(buf, DESC(EXITS, size), 0);
	CHECK_EQ(open_buf(buf, sizeof(buf), "exits"), -EINVAL);
}

static void test_too_big(void)
{
	static uint8_t buf[FILE_SIZE];
	struct kvmstats s;
	int fd;

	build(buf);
	fd = fake_fd(buf, sizeof(buf));
	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, KVMSTATS_MAX_FILE), 0);
	CHECK_EQ(kvmstats__open(&s, fd, "exits"), 0);
	kvmstats__close(&s);
	CHECK_EQ(ftruncate(fd, KVMSTATS_MAX_FILE + 1), 0);
	CHECK_EQ(kvmstats__open(&s, fd, "exits"), -EFBIG);
	close(fd);
}

/* A file that is not a vCPU: its ioctl is ENOTTY, "no KVM_GET_STATS_FD". */
static void test_no_stats_fd(void)
{
	struct kvmstats s;
	int fd = fake_fd(NULL, 0);

	CHECK(fd >= 0);
	CHECK_EQ(kvmstats__open_vcpu(&s, fd, "exits"), -EOPNOTSUPP);
	CHECK_EQ(s.fd, -1);
	kvmstats__close(&s);
	close(fd);
}

static int run_fake(void)
{
	RUN(test_found_and_read);
	RUN(test_truncated);
	RUN(test_bad_header);
	RUN(test_bad_desc);
	RUN(test_missing);
	RUN(test_not_a_counter);
	RUN(test_too_big);
	RUN(test_no_stats_fd);
	return check_summary("kvmstats_fake");
}

/*
 * A vCPU in real mode at 0x1000, where one HLT waits: without an in-kernel
 * irqchip KVM hands the HLT to us, one world switch at least.
 */
static int run_kvm(void)
{
	struct kvm_userspace_memory_region region = {
	    .slot = 0,
	    .guest_phys_addr = 0x1000,
	    .memory_size = 0x1000,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = {.rip = 0x1000, .rflags = 0x2};
	struct kvm_run *run = MAP_FAILED;
	struct kvmstats s = {.fd = -1};
	uint64_t before = 0, after = 0;
	uint8_t *mem = MAP_FAILED;
	int kvm, vm = -1, vcpu = -1, r, mmap_size = 0, err;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("SKIPPED: /dev/kvm: %s\n", strerror(errno));
		return SKIP_CODE;
	}
	r = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_BINARY_STATS_FD);
	if (r <= 0) {
		printf("SKIPPED: KVM_CAP_BINARY_STATS_FD: %d\n", r);
		close(kvm);
		return SKIP_CODE;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("SKIPPED: KVM_CREATE_VM: %s\n", strerror(errno));
		close(kvm);
		return SKIP_CODE;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	CHECK_MSG(vcpu >= 0, "KVM_CREATE_VCPU: %s", strerror(errno));
	if (vcpu < 0)
		goto out;

	err = kvmstats__open_vcpu(&s, vcpu, "exits");
	CHECK_MSG(!err, "open_vcpu(exits): %s", strerror(-err));
	CHECK_EQ(kvmstats__read(&s, &before), 0);
	printf("exits before running: %llu\n", (unsigned long long)before);

	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size > 0)
		run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, vcpu, 0);
	CHECK(mem != MAP_FAILED);
	CHECK(run != MAP_FAILED);
	if (mem == MAP_FAILED || run == MAP_FAILED)
		goto out;
	mem[0] = 0xf4; /* hlt */
	region.userspace_addr = (uintptr_t)mem;
	CHECK_EQ(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region), 0);
	CHECK_EQ(ioctl(vcpu, KVM_GET_SREGS, &sregs), 0);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	CHECK_EQ(ioctl(vcpu, KVM_SET_SREGS, &sregs), 0);
	CHECK_EQ(ioctl(vcpu, KVM_SET_REGS, &regs), 0);
	r = ioctl(vcpu, KVM_RUN, 0);
	CHECK_MSG(r == 0, "KVM_RUN: %s", strerror(errno));
	CHECK_EQ(run->exit_reason, KVM_EXIT_HLT);

	CHECK_EQ(kvmstats__read(&s, &after), 0);
	printf("exits after one HLT: %llu\n", (unsigned long long)after);
	CHECK_MSG(after > before, "exits did not move: %llu -> %llu",
		  (unsigned long long)before, (unsigned long long)after);
out:
	kvmstats__close(&s);
	if (run != MAP_FAILED)
		munmap(run, (size_t)mmap_size);
	if (mem != MAP_FAILED)
		munmap(mem, 0x1000);
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
	close(kvm);
	return check_summary("kvmstats_kvm");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "fake"))
		return run_fake();
	if (argc == 2 && !strcmp(argv[1], "kvm"))
		return run_kvm();
	fprintf(stderr, "usage: %s fake|kvm\n", argv[0]);
	return 2;
}
