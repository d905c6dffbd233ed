/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Initial model-specific registers of every vCPU.  KVM's reset values are
 * fine for Linux except IA32_MISC_ENABLE, where firmware normally turns on
 * fast string operations.
 */
#ifndef HUPVM_X86_MSR_H
#define HUPVM_X86_MSR_H

int msr__setup_vcpu(int vcpu_fd);

#endif
