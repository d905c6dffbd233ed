; Parameters of local functions take the class of what their call sites
; pass; a HUP_FN_loop callback's `data` takes the class of the loop call's
; data argument (a stack struct here), so it is not translated.
; RUN: %hupopt -S %s | FileCheck %s

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

; CHECK-LABEL: define internal i64 @read_guest(
; CHECK:         %hup.p = inttoptr
; CHECK:         load i64, ptr %hup.field
define internal i64 @read_guest(ptr %p) noinline {
  %f = getelementptr inbounds i8, ptr %p, i64 8
  %v = load i64, ptr %f, align 8
  ret i64 %v
}

; CHECK-LABEL: define internal i64 @read_stack(
; CHECK-NOT:     llvm.bpf.pseudo
; CHECK:         %v = load i64, ptr %f
define internal i64 @read_stack(ptr %p) noinline {
  %f = getelementptr inbounds i8, ptr %p, i64 8
  %v = load i64, ptr %f, align 8
  ret i64 %v
}

; The loop callback: data is the caller's stack struct; i is an integer.
; CHECK-LABEL: define internal i64 @cb(
; CHECK-NOT:     llvm.bpf.pseudo
; CHECK:         store i64 %n, ptr %data
define internal i64 @cb(i32 %i, ptr %data) {
  %old = load i64, ptr %data, align 8
  %ii = zext i32 %i to i64
  %n = add i64 %old, %ii
  store i64 %n, ptr %data, align 8
  ret i64 0
}

; A pointer returned by a local function returning a guest pointer is guest.
; CHECK-LABEL: define internal ptr @next(
define internal ptr @next(ptr %p) noinline {
  %n = load ptr, ptr %p, align 8
  ret ptr %n
}

; CHECK-LABEL: define i64 @prog(
; CHECK:         call i64 @read_guest(ptr %g)
; CHECK:         call i64 @read_stack(ptr %st)
; CHECK:         call i64 inttoptr (i64 8 to ptr)(i32 16, ptr @cb, ptr %st, i64 0)
; CHECK:         %nx = call ptr @next(ptr %g)
; CHECK-NEXT:    %hup.gva{{[0-9]*}} = ptrtoint ptr %nx to i64
define i64 @prog(ptr %ctx) section "hyperupcall/trace" {
  %st = alloca [2 x i64], align 8
  %gvap = getelementptr inbounds i8, ptr %ctx, i64 32
  %gva = load i64, ptr %gvap, align 8
  %g = inttoptr i64 %gva to ptr
  %a = call i64 @read_guest(ptr %g)
  store i64 0, ptr %st, align 8
  %b = call i64 @read_stack(ptr %st)
  %c = call i64 inttoptr (i64 8 to ptr)(i32 16, ptr @cb, ptr %st, i64 0)
  %nx = call ptr @next(ptr %g)
  %d = load i64, ptr %nx, align 8
  %r1 = add i64 %a, %b
  %r2 = add i64 %r1, %c
  %r = add i64 %r2, %d
  ret i64 %r
}
