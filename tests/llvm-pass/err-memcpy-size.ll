; A guest memcpy of a run-time size cannot be bounded inline.
; RUN: not %hupopt -disable-output %s 2>&1 | FileCheck %s
; CHECK: error: {{.*}}hyperupcall: memcpy/memset through a guest pointer needs a constant size

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

define i64 @prog(ptr %ctx) section "hyperupcall/trace" {
  %buf = alloca [64 x i8], align 1
  %gva = load i64, ptr %ctx, align 8
  %n = and i64 %gva, 63
  %g = inttoptr i64 %gva to ptr
  call void @llvm.memcpy.p0.p0.i64(ptr %buf, ptr %g, i64 %n, i1 false)
  ret i64 0
}

declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
