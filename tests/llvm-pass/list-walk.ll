; A bounded list walk: pointers read out of guest memory (`next`) are guest
; pointers, and so are phis of them; each block translates its own roots.
; RUN: %hupopt -S %s | FileCheck %s

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

; CHECK-LABEL: define i64 @walk(
; CHECK:       entry:
; CHECK-NEXT:    %hup.mask = call i64 @llvm.bpf.pseudo(i64 13, i64 0)
; CHECK-NEXT:    %hup.base = call i64 @llvm.bpf.pseudo(i64 12, i64 0)
; CHECK:       first:
; CHECK:         %hup.gva = ptrtoint ptr %n0 to i64
; CHECK-NEXT:    %hup.off = and i64 %hup.gva, %hup.mask
; CHECK-NEXT:    %hup.sum = add i64 %hup.off, %hup.base
; CHECK-NEXT:    %hup.p = inttoptr i64 %hup.sum to ptr
; CHECK-NEXT:    %hup.field = getelementptr i8, ptr %hup.p, i64 8
; CHECK-NEXT:    %v0 = load i64, ptr %hup.field
; CHECK-NEXT:    %n1 = load ptr, ptr %hup.p
; CHECK:       second:
; CHECK-NEXT:    %hup.gva1 = ptrtoint ptr %n1 to i64
; CHECK-NEXT:    %hup.off2 = and i64 %hup.gva1, %hup.mask
; CHECK-NEXT:    %hup.sum3 = add i64 %hup.off2, %hup.base
; CHECK-NEXT:    %hup.p4 = inttoptr i64 %hup.sum3 to ptr
; CHECK-NEXT:    %hup.field5 = getelementptr i8, ptr %hup.p4, i64 8
; CHECK-NEXT:    %v1 = load i64, ptr %hup.field5
; CHECK:       join:
; CHECK-NEXT:    %cur = phi ptr
; CHECK:         %hup.gva{{[0-9]+}} = ptrtoint ptr %cur to i64
; CHECK:         %last = load i32, ptr %hup.field
define i64 @walk(ptr %ctx) section "hyperupcall/trace" {
entry:
  %gvap = getelementptr inbounds i8, ptr %ctx, i64 32
  %gva = load i64, ptr %gvap, align 8
  %n0 = inttoptr i64 %gva to ptr
  %z0 = icmp eq ptr %n0, null
  br i1 %z0, label %out, label %first

first:
  %v0p = getelementptr inbounds i8, ptr %n0, i64 8
  %v0 = load i64, ptr %v0p, align 8
  %n1 = load ptr, ptr %n0, align 8
  %z1 = icmp eq ptr %n1, null
  br i1 %z1, label %join, label %second

second:
  %v1p = getelementptr inbounds i8, ptr %n1, i64 8
  %v1 = load i64, ptr %v1p, align 8
  %s1 = add i64 %v0, %v1
  br label %join

join:
  %cur = phi ptr [ %n0, %first ], [ %n1, %second ]
  %s = phi i64 [ %v0, %first ], [ %s1, %second ]
  %lastp = getelementptr inbounds i8, ptr %cur, i64 16
  %last = load i32, ptr %lastp, align 8
  %lw = sext i32 %last to i64
  %r = add i64 %s, %lw
  ret i64 %r

out:
  ret i64 0
}
