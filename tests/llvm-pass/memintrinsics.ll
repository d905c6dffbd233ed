; memcpy/memmove/memset with a guest side are rebuilt on translated
; pointers; the stack side stays.
; RUN: %hupopt -S %s | FileCheck %s

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

; CHECK-LABEL: define i64 @copy(
; CHECK:         %buf = alloca [16 x i8]
; CHECK:         %hup.p = inttoptr i64 %hup.sum to ptr
; CHECK-NEXT:    %hup.field = getelementptr i8, ptr %hup.p, i64 24
; CHECK-NEXT:    call void @llvm.memcpy.p0.p0.i64(ptr align 1 %buf, ptr align 1 %hup.field, i64 16, i1 false)
; CHECK-NEXT:    %hup.field1 = getelementptr i8, ptr %hup.p, i64 24
; CHECK-NEXT:    call void @llvm.memset.p0.i64(ptr align 1 %hup.field1, i8 0, i64 16, i1 false)
; CHECK-NEXT:    %hup.field2 = getelementptr i8, ptr %hup.p, i64 64
; CHECK-NEXT:    call void @llvm.memmove.p0.p0.i64(ptr align 1 %hup.field2, ptr align 1 %buf, i64 16, i1 false)
; Stack to stack is left alone.
; CHECK-NEXT:    call void @llvm.memcpy.p0.p0.i64(ptr align 1 %buf2, ptr align 1 %buf, i64 16, i1 false)
define i64 @copy(ptr %ctx) section "hyperupcall/trace" {
  %buf = alloca [16 x i8], align 1
  %buf2 = alloca [16 x i8], align 1
  %gvap = getelementptr inbounds i8, ptr %ctx, i64 32
  %gva = load i64, ptr %gvap, align 8
  %n = inttoptr i64 %gva to ptr
  %name = getelementptr inbounds i8, ptr %n, i64 24
  call void @llvm.memcpy.p0.p0.i64(ptr align 1 %buf, ptr align 1 %name, i64 16, i1 false)
  call void @llvm.memset.p0.i64(ptr align 1 %name, i8 0, i64 16, i1 false)
  %dst = getelementptr inbounds i8, ptr %n, i64 64
  call void @llvm.memmove.p0.p0.i64(ptr align 1 %dst, ptr align 1 %buf, i64 16, i1 false)
  call void @llvm.memcpy.p0.p0.i64(ptr align 1 %buf2, ptr align 1 %buf, i64 16, i1 false)
  %b = load i64, ptr %buf2, align 1
  ret i64 %b
}

declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
