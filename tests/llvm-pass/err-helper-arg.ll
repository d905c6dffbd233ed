; Helpers take host buffers; a guest pointer passed as one is an error
; (guest addresses go to helpers as integers).
; RUN: not %hupopt -disable-output %s 2>&1 | FileCheck %s
; CHECK: error: {{.*}}hyperupcall: a guest pointer is passed to helper 7

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

define i64 @prog(ptr %ctx) section "hyperupcall/trace" {
  %gva = load i64, ptr %ctx, align 8
  %g = inttoptr i64 %gva to ptr
  %r = call i64 inttoptr (i64 7 to ptr)(ptr %g, i32 8)
  ret i64 %r
}
