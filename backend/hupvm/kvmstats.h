/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One counter of KVM's binary statistics (KVM_GET_STATS_FD), read with one
 * pread.  It is how hupvm counts a vCPU's world switches, including the
 * exits KVM handles in the kernel (interrupt-window kicks, LAPIC EOI, HLT
 * with an in-kernel LAPIC) that never reach KVM_RUN's caller: the vCPU stat
 * "exits" counts them all.
 *
 * The stats file is a header, an id string, num_desc descriptors of
 * sizeof(struct kvm_stats_desc) + name_size bytes each (the name is the
 * tail), and a data block of u64s; a descriptor's offset is relative to
 * the data block.  kvmstats__open reads the whole file once, checks every
 * offset and size in it against the file's length, and keeps only where
 * the named value lives: later reads are one 8-byte pread, cheap enough to
 * take around each benchmark iteration.
 *
 * Errors are -errno: -EPROTO the file is malformed, -ENOENT the stat is
 * not in it, -EINVAL it is not a cumulative counter of one u64, -EFBIG
 * the file is larger than KVMSTATS_MAX_FILE, or what pread said.
 */
#ifndef HUPVM_KVMSTATS_H
#define HUPVM_KVMSTATS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A vCPU's stats file is a few KiB (about 40 descriptors of 64 bytes on
 * x86); this bounds what a broken fd can make us allocate.
 */
#define KVMSTATS_MAX_FILE      (1u << 20)
/*
 * KVM's names are 48 bytes (KVM_STATS_NAME_SIZE); the bound keeps
 * num_desc * (descriptor + name_size) within 64 bits, whatever the header.
 */
#define KVMSTATS_MAX_NAME_SIZE 4096u

struct kvmstats {
	int fd;		  /* -1 when closed */
	bool own_fd;	  /* opened by kvmstats__open_vcpu: close closes it */
	off_t off;	  /* the value's offset in the file */
	uint32_t flags;	  /* the stat's KVM_STATS_{TYPE,UNIT,BASE} bits */
	int16_t exponent; /* value * base^exponent is in the unit */
};

/*
 * Find stat `name` in the stats file `fd` (from KVM_GET_STATS_FD on a VM
 * or a vCPU).  The fd stays the caller's: it must outlive s, and several
 * kvmstats may share it.  On failure s is closed (kvmstats__close is a
 * no-op on it).
 */
int kvmstats__open(struct kvmstats *s, int fd, const char *name);

/*
 * kvmstats__open on a stats fd of vCPU vcpu_fd, which s owns.
 * -EOPNOTSUPP if the kernel has no KVM_GET_STATS_FD (before 5.14).
 */
int kvmstats__open_vcpu(struct kvmstats *s, int vcpu_fd, const char *name);

/* The stat's current value (cumulative: compare two reads). */
int kvmstats__read(const struct kvmstats *s, uint64_t *val);

void kvmstats__close(struct kvmstats *s);

#endif /* HUPVM_KVMSTATS_H */
