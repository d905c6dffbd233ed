// SPDX-License-Identifier: BSD-2-Clause
/*
 * hup-mksnap: a SYNTHETIC snapshot for bench-scan where no real one is at
 * hand: the fake kernel of the unit tests (tests/unit/hupvm/fakekernel.h:
 * a made-up BTF, a buddy allocator with free blocks of random orders)
 * with samples/free_discard.c registered, dumped as hupvm dumps a VM.
 * Numbers measured on it are labelled synthetic (docs/bench-scan.md).
 *
 *   hup-mksnap FREE_DISCARD_O OUTDIR [RAM_MIB]
 *
 * writes OUTDIR/synthetic.snap and OUTDIR/synthetic.btf, and prints
 * "ID FREE_PAGES".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakekernel.h"
#include "snapshot.h"

int main(int argc, char **argv)
{
	static struct fake_kernel k;
	char btf[4096], snap[4096];
	unsigned long mib = 1024;
	uint64_t free_pages;
	uint32_t id;
	int err;

	if (argc < 3 || argc > 4 ||
	    (argc == 4 && !(mib = strtoul(argv[3], NULL, 10)))) {
		fprintf(stderr,
			"usage: hup-mksnap FREE_DISCARD_O OUTDIR [RAM_MIB]\n");
		return 2;
	}
	snprintf(btf, sizeof(btf), "%s/synthetic.btf", argv[2]);
	snprintf(snap, sizeof(snap), "%s/synthetic.snap", argv[2]);
	if (fk_write_btf(btf, false, FK_ZONE_START)) {
		fprintf(stderr, "hup-mksnap: cannot write %s\n", btf);
		return 1;
	}
	free_pages = fk_init(&k, (uint64_t)mib << 20, false);
	if (!free_pages) {
		fprintf(stderr,
			"hup-mksnap: cannot build a %lu MiB guest "
			"(at least 64, a multiple of 2)\n",
			mib);
		return 1;
	}
	id = fk_register(&k, argv[1], btf);
	if (!id) {
		fprintf(stderr, "hup-mksnap: %s\n", k.err);
		return 1;
	}
	err = fk_dump(&k, snap);
	if (err) {
		fprintf(stderr, "hup-mksnap: %s: %s\n", snap, strerror(-err));
		return 1;
	}
	printf("%u %llu\n", id, (unsigned long long)free_pages);
	fk_exit(&k);
	return 0;
}
