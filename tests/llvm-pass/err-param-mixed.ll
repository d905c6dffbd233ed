; A local function called with a stack pointer at one site and a guest
; pointer at another has no single translation for its parameter.
; RUN: not %hupopt -disable-output %s 2>&1 | FileCheck %s
; CHECK: error: {{.*}}hyperupcall: parameter 1 of 'get' receives both host and guest pointers

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

define internal i64 @get(ptr %p) noinline {
  %v = load i64, ptr %p, align 8
  ret i64 %v
}

define i64 @prog(ptr %ctx) section "hyperupcall/trace" {
  %slot = alloca i64, align 8
  store i64 1, ptr %slot, align 8
  %gva = load i64, ptr %ctx, align 8
  %g = inttoptr i64 %gva to ptr
  %a = call i64 @get(ptr %slot)
  %b = call i64 @get(ptr %g)
  %r = add i64 %a, %b
  ret i64 %r
}
