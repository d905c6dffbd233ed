/* SPDX-License-Identifier: BSD-2-Clause */
/* The guest-side native tests use the native tests' checks (tests/include). */
#ifndef HUP_TEST_KMOD_CHECK_H
#define HUP_TEST_KMOD_CHECK_H

#include "hup_check.h"

#endif
