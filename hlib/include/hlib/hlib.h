/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib: the guest kernel's helpers re-implemented so that the host verifier
 * accepts them (bounded, no back-edges, try-locks only).  This header pulls
 * them all in; each can be included on its own.
 */
#ifndef HLIB_H
#define HLIB_H

#include <hlib/core.h>
#include <hlib/bitops.h>
#include <hlib/list.h>
#include <hlib/mm.h>
#include <hlib/percpu.h>
#include <hlib/pgtable.h>
#include <hlib/spinlock.h>
#include <hlib/string.h>

#endif /* HLIB_H */
