/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The native baseline of samples/free_discard.c: the same free-page
 * decision compiled by the host compiler (gcc -O2), run by hupreplay over
 * the same snapshot through the same batch walk (backend__reclaim's
 * `decide`), so the hyperupcall is compared with native code on
 * identical data.
 *
 * A hand port (native_free_discard.c), not the sample's source: the
 * sample's guest pointers are CO-RE-relocated field accesses that only the
 * BPF toolchain compiles.  The port reads guest memory exactly as the
 * program does, at (gva & mask) in the program's own view, under libhup's
 * fault recovery; the guest kernel's layout comes from where the program's
 * came from: the object (OBJ.o) relocated by hupload's CO-RE code against
 * the guest kernel's BTF, whose answers are checked to be the snapshot's
 * bytecode instruction for instruction, and the symbol addresses the guest
 * filled in, read out of the snapshot's bytecode.
 */
#ifndef HUPREPLAY_NATIVE_H
#define HUPREPLAY_NATIVE_H

#include <stddef.h>

#include "replay.h"

struct native;

/* 0, or -errno with one line in err (the object or BTF unusable, not the
 * snapshot's program, a layout free_discard would refuse). */
int native__open(struct native **n, struct replay *r, const char *obj,
		 const char *btf, char *err, size_t errlen);
void native__close(struct native *n);
/* backend_reclaim_opts.decide: one batch, the program's contract. */
int native__decide(void *opaque, struct hup_reclaim_ctx *ctx);

#endif
