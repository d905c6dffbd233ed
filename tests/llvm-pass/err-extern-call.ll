; A guest pointer handed to a function the pass cannot see is an error.
; RUN: not %hupopt -disable-output %s 2>&1 | FileCheck %s
; CHECK: error: {{.*}}in function prog{{.*}}hyperupcall: a guest pointer is passed to external function 'consume', whose accesses cannot be translated

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

declare void @consume(ptr)

define i64 @prog(ptr %ctx) section "hyperupcall/trace" {
  %gva = load i64, ptr %ctx, align 8
  %g = inttoptr i64 %gva to ptr
  call void @consume(ptr %g)
  ret i64 0
}
