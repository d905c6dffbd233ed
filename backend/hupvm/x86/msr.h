/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Model-specific registers of a vCPU: the initial ones (KVM's reset values
 * are fine for Linux except IA32_MISC_ENABLE, where firmware normally
 * turns on fast string operations), and reading or writing one MSR from
 * the host (KVM_GET/SET_MSRS on the vCPU fd: from its own thread, or from
 * another while it is out of KVM_RUN).
 */
#ifndef HUPVM_X86_MSR_H
#define HUPVM_X86_MSR_H

#include <stdint.h>

int msr__setup_vcpu(int vcpu_fd);
/* 0 or -EIO (KVM refused the MSR). */
int msr__get(int vcpu_fd, uint32_t index, uint64_t *data);
int msr__set(int vcpu_fd, uint32_t index, uint64_t data);

#endif
