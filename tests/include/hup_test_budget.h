/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The run budget of the native tests that check what a program answers,
 * not how long it takes.
 *
 * libhup's budget is wall-clock time (docs/libhup.md, "Run-time budget"):
 * a run whose thread the host preempts is charged for the wait.  make test
 * runs the unit tests beside the nested VMs and the build matrix on two
 * cores, where one scheduler slice outlasts the 1 ms and 10 ms defaults;
 * with those, runs were aborted with -ETIMEDOUT and correct answers
 * reported as failures (hlib-guest-exec, hupvm-unit-hupreplay_cli,
 * 2026-12-06).  Verified programs end on their own, so this budget only
 * bounds a bug.  The budgets themselves are tested by libhup-budget, with
 * budgets of its own, run alone.
 */
#ifndef HUP_TEST_BUDGET_H_
#define HUP_TEST_BUDGET_H_

#define HUP_TEST_RUN_BUDGET_US 10000000u

#endif
