/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The native baseline: a sample's program restated by hand in C and
 * compiled by the host compiler (gcc -O2), run by hupreplay over the same
 * snapshot through the same backend entry as the program
 * (backend__set_native: backend__reclaim's batches, backend__query,
 * backend__trace, backend__msr_denied), so a hyperupcall is compared
 * with native code on identical data and only the decision differs.
 *
 * Hand ports (native_<sample>.c, native_port.h), not the samples' source:
 * their guest pointers are CO-RE-relocated field accesses that only the
 * BPF toolchain compiles.  The guest kernel's layout comes from where the
 * program's came from: the object (OBJ.o) relocated by hupload's CO-RE
 * code against the guest kernel's BTF, checked to be the snapshot's
 * bytecode instruction for instruction, and the symbol addresses the
 * guest filled in, read out of the snapshot's bytecode.
 */
#ifndef HUPREPLAY_NATIVE_H
#define HUPREPLAY_NATIVE_H

#include <stddef.h>

#include "replay.h"

struct native;

/*
 * The port of obj's program for r's event put in place of r's program.
 * 0, or -errno with one line in err (the object or BTF unusable, not the
 * snapshot's program, no port of it, a layout its port cannot use).
 */
int native__open(struct native **n, struct replay *r, const char *obj,
		 const char *btf, char *err, size_t errlen);
/* The program runs again; n freed (NULL: nothing). */
void native__close(struct native *n);
/* The sample's program name the port restates ("ps"). */
const char *native__prog(const struct native *n);

#endif
