/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reclaim of one VM (the `reclaim` control command and --auto-reclaim):
 * backend__reclaim with hupvm's vCPUs parked per chunk, one reclaim at a
 * time, and the vCPU run-state commands (pause, resume, dump) kept out of
 * a chunk so that none of them can resume a vCPU while a chunk relies on
 * the guest being stopped.
 */
#ifndef HUPVM_VMRECLAIM_H
#define HUPVM_VMRECLAIM_H

#include <stdbool.h>
#include <stdint.h>

#include "hyperupcall/backend.h"

struct vm;

/* 0, -EBUSY if a reclaim is already running, or backend__reclaim's.
 * how: what to do (max_bytes, dry_run, every_batch, audit); its park
 * callbacks are vm__reclaim's own. */
int vm__reclaim(struct vm *vm, uint32_t id,
		const struct backend_reclaim_opts *how,
		struct backend_reclaim_report *rep);
/* A reclaim is running (for stats and tests). */
bool vm__reclaim_running(void);

/* Serialise changes of the vCPUs' run state with reclaim chunks. */
void vm__park_lock(void);
void vm__park_unlock(void);
/* The lock within timeout_s seconds: 0 or -ETIMEDOUT (hang reports, which
 * must not hang behind a stuck holder). */
int vm__park_lock_timed(unsigned int timeout_s);
/* Pause every running vCPU; *mask gets the ones this call paused (on
 * failure they are resumed again). */
int vm__pause_all(struct vm *vm, uint64_t *mask);
void vm__resume_mask(struct vm *vm, uint64_t mask);

#endif
