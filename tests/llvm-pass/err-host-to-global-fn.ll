; A non-static function's pointer parameters are guest pointers unless
; declared __host: passing it the context is an error with a hint.
; RUN: not %hupopt -disable-output %s 2>&1 | FileCheck %s
; CHECK: error: {{.*}}hyperupcall: a host pointer is passed to parameter 1 of 'helper', which is a guest pointer there; make the function static or declare the parameter __host

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

define i64 @helper(ptr %p) noinline {
  %v = load i64, ptr %p, align 8
  ret i64 %v
}

define i64 @prog(ptr %ctx) section "hyperupcall/trace" {
  %r = call i64 @helper(ptr %ctx)
  ret i64 %r
}
