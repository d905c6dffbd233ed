; A pointer that is the stack on one path and guest memory on another
; cannot be translated statically.
; RUN: not %hupopt -disable-output %s 2>&1 | FileCheck %s
; CHECK: error: {{.*}}hyperupcall: this access may go through a host pointer or a guest pointer

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

define i64 @prog(ptr %ctx, i1 %c) section "hyperupcall/trace" {
  %slot = alloca i64, align 8
  store i64 0, ptr %slot, align 8
  %gva = load i64, ptr %ctx, align 8
  %g = inttoptr i64 %gva to ptr
  %p = select i1 %c, ptr %slot, ptr %g
  %v = load i64, ptr %p, align 8
  ret i64 %v
}
