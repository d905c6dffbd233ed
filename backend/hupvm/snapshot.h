/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The snapshot file of a VM (`hupctl dump FILE`, docs/hupvm.md "Snapshot
 * format"): guest RAM together with everything needed to run the
 * registered hyperupcalls on it later without the VM (hupreplay).
 *
 *   offset 0                  struct snapshot_header
 *   SNAPSHOT_PROGS_OFFSET     nr_progs records: struct snapshot_prog, then
 *                             its insn_cnt * 8 bytes of bytecode, then its
 *                             nr_runs struct snapshot_run
 *   ram_offset (page aligned) guest RAM in memfd order (region 0, 1)
 *
 * Little-endian, the host's layout (x86-64).  A program is recorded as
 * the guest registered it: the bytecode as hupvm verified it (after the
 * guest's CO-RE relocation and ksym resolution), its windows, and the
 * paging root (CR3, LA57) they were resolved through.  A reader registers
 * it again through backend__register against the snapshot's RAM, so the
 * view is built by the same code (page walk, view map) as in hupvm.
 *
 * The writer runs with every vCPU parked and the registry lock held, so
 * the programs and the RAM are one consistent picture.  The reader trusts
 * nothing in the file: every field is checked (snapshot__open), with the
 * same checks a guest's request gets (request.h) for program fields.
 */
#ifndef HUPVM_SNAPSHOT_H
#define HUPVM_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include <hyperupcall/abi.h>

#include "mem.h"

#define SNAPSHOT_MAGIC	      "HUPDUMP1"
#define SNAPSHOT_VERSION      2u
/* The header's own reservation: the program records start here. */
#define SNAPSHOT_PROGS_OFFSET 4096u
#define SNAPSHOT_PAGE	      4096u

struct snapshot_header {
	char magic[8];
	uint32_t version; /* SNAPSHOT_VERSION */
	uint32_t nr_regions;
	uint64_t ram_size;
	uint64_t ram_offset; /* where RAM starts (page aligned) */
	struct {
		uint64_t gpa, size, file_offset;
	} regions[MEM_MAX_REGIONS];
	uint32_t nr_vcpus;
	uint32_t nr_progs;
	uint64_t progs_offset; /* SNAPSHOT_PROGS_OFFSET */
	uint64_t progs_size;   /* bytes of the records and their bytecode */
};

struct snapshot_prog {
	uint32_t id, event;
	uint64_t event_arg;
	char name[HUP_NAME_LEN];
	uint32_t vcpu; /* the vCPU that registered it */
	uint32_t insn_cnt;
	uint32_t nr_windows;
	uint32_t la57; /* CR4.LA57 at registration: 0 or 1 */
	uint64_t cr3;  /* the paging root its windows were resolved through */
	struct hup_window windows[HUP_MAX_WINDOWS];
	/* The view hupvm built for it: mapped and hole bytes (a replay
	 * checks it builds the same), and the runs that follow the
	 * bytecode. */
	uint64_t mapped_bytes, hole_bytes;
	uint32_t nr_runs; /* <= PVIEW_MAX_RUNS */
	uint32_t reserved;
};

/* One run of a program's windows (struct registry_run): page aligned, inside
 * one window with its rights, in one RAM region. */
struct snapshot_run {
	uint64_t gva, gpa, len;
	uint32_t prot, reserved;
};

struct backend;

/*
 * Write the snapshot of m and b's programs to fd (a new, empty file).
 * The caller has parked every vCPU; the registry lock is taken here for
 * the whole write.  0 or -errno.
 */
int snapshot__write(int fd, const struct mem *m, struct backend *b,
		    uint32_t nr_vcpus);

/* A snapshot file opened and checked. */
struct snapshot {
	int fd;
	uint64_t file_size;
	struct snapshot_header h;
	struct snapshot_prog *progs; /* h.nr_progs */
	uint64_t *insns_off;	     /* file offset of each one's bytecode */
	struct snapshot_run **runs;  /* each one's runs, checked */
};

/*
 * Open path and check everything in it: magic, version, regions (page
 * aligned, ascending, the layout mem.c builds), sizes against the file's
 * (truncated or trailing bytes), the vCPU count, each program record and
 * its runs.
 * 0, or -errno with one line in err: -ENOENT/-EACCES/... (the file),
 * -EPROTO (not a snapshot: magic), -EPROTONOSUPPORT (version),
 * -EINVAL (a malformed or inconsistent field), -EIO (short read).
 */
int snapshot__open(const char *path, struct snapshot *s, char *err,
		   size_t errlen);
void snapshot__close(struct snapshot *s);
/* The record of program id, or NULL. */
const struct snapshot_prog *snapshot__prog(const struct snapshot *s,
					   uint32_t id);
/* Its runs (p->nr_runs of them), checked at open. */
const struct snapshot_run *snapshot__runs(const struct snapshot *s,
					  const struct snapshot_prog *p);
/* Its bytecode (malloc()ed, insn_cnt * 8 bytes) into *insns; 0 or -errno. */
int snapshot__insns(const struct snapshot *s, const struct snapshot_prog *p,
		    void **insns);
/*
 * Guest RAM as hupvm had it: a memfd with the snapshot's regions
 * (mem__create), filled from the file.  The file itself is never
 * written: a program's writes (a lock it takes) land in the copy.
 */
int snapshot__load_mem(const struct snapshot *s, struct mem *m);

#endif
