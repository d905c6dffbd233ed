// SPDX-License-Identifier: BSD-2-Clause
/*
 * hup-mksnap-samples: a SYNTHETIC snapshot for bench-native: the fake
 * kernel of the unit tests (tests/unit/hupvm/fakekernel.h, fakesamples.h)
 * with samples/msr_guard.c, tracing.c (its trace ring FS_RING_MAX entries,
 * so that every timed event writes one), ps.c (130 tasks: ps emits its
 * 128), dmesg.c (the unit test's printk ring: 8 records, 5 shown) and
 * tlb_shootdown.c (vCPU 0's queue: 7 calls, 3 of them TLB flushes)
 * registered, dumped as hupvm dumps a VM.
 *
 *   hup-mksnap-samples MSR_GUARD_O TRACING_O PS_O DMESG_O TLB_SHOOTDOWN_O \
 *                      OUTDIR
 *
 * writes OUTDIR/samples.snap and OUTDIR/samples.btf, and prints
 * "MSR_GUARD_ID TRACING_ID PS_ID DMESG_ID TLB_SHOOTDOWN_ID".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakesamples.h"
#include "snapshot.h"

#define RAM	 (64ull << 20)
#define NR_TASKS 130u

int main(int argc, char **argv)
{
	static struct fake_kernel k;
	char btf[4096], snap[4096];
	uint32_t ids[5];
	int err;

	if (argc != 7) {
		fprintf(stderr, "usage: hup-mksnap-samples MSR_GUARD_O "
				"TRACING_O PS_O DMESG_O TLB_SHOOTDOWN_O "
				"OUTDIR\n");
		return 2;
	}
	snprintf(btf, sizeof(btf), "%s/samples.btf", argv[6]);
	snprintf(snap, sizeof(snap), "%s/samples.snap", argv[6]);
	if (fs_write_btf(btf, FS_TASK_COMM, 0)) {
		fprintf(stderr, "hup-mksnap-samples: cannot write %s\n", btf);
		return 1;
	}
	if (!fk_init(&k, RAM, false)) {
		fprintf(stderr, "hup-mksnap-samples: no fake kernel\n");
		return 1;
	}
	fs_build_ring(&k, FS_RING_MAX, 0);
	fs_build_tasks(&k, NR_TASKS);
	fs_build_printk(&k);
	fs_build_tlb(&k, 1);
	if (fs_register(&k, argv[1], argv[2], argv[3], argv[4], argv[5], btf,
			ids)) {
		fprintf(stderr, "hup-mksnap-samples: %s\n", k.err);
		return 1;
	}
	err = fk_dump(&k, snap);
	if (err) {
		fprintf(stderr, "hup-mksnap-samples: %s: %s\n", snap,
			strerror(-err));
		return 1;
	}
	printf("%u %u %u %u %u\n", ids[0], ids[1], ids[2], ids[3], ids[4]);
	fk_exit(&k);
	return 0;
}
