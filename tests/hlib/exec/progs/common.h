/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the programs of hlib_guest (the execution tests of hlib against
 * a synthetic Debian 6.1 guest image).  Built twice by the runner: with the
 * guest kernel's vmlinux.h (hupcc --btf <Debian 6.1 BTF> -DHLIB_TEST_BTF),
 * and without it (only the parts that need no kernel types).
 */
#ifndef HLIB_TEST_COMMON_H
#define HLIB_TEST_COMMON_H

#ifdef HLIB_TEST_BTF
#include "vmlinux.h"
#endif
#include <hlib/hlib.h>

#define G(type, x) HUP_GPTR(type, x)

#endif
