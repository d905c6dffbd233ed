/* SPDX-License-Identifier: BSD-2-Clause */
/* hupvm's unit tests use the native tests' checks (tests/include). */
#ifndef HUPVM_TEST_CHECK_H
#define HUPVM_TEST_CHECK_H

#include "hup_check.h"

#endif
