; Calling through a function pointer read from guest memory is an error.
; RUN: not %hupopt -disable-output %s 2>&1 | FileCheck %s
; CHECK: error: {{.*}}hyperupcall: call through a guest function pointer

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

define i64 @prog(ptr %ctx) section "hyperupcall/trace" {
  %gva = load i64, ptr %ctx, align 8
  %g = inttoptr i64 %gva to ptr
  %fn = load ptr, ptr %g, align 8
  %r = call i64 %fn()
  ret i64 %r
}
