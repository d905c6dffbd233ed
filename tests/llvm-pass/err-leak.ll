; Storing a stack address into guest memory would leak a host address.
; RUN: not %hupopt -disable-output %s 2>&1 | FileCheck %s
; CHECK: error: {{.*}}hyperupcall: storing a host pointer (stack or context) into guest memory

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

define i64 @prog(ptr %ctx) section "hyperupcall/trace" {
  %slot = alloca i64, align 8
  %gva = load i64, ptr %ctx, align 8
  %g = inttoptr i64 %gva to ptr
  store ptr %slot, ptr %g, align 8
  ret i64 0
}
