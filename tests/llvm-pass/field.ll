; Struct fields through a guest pointer made from a context field: the two
; pseudo loads once at entry, one mask+add per root per block, constant
; field offsets kept as GEPs (they fold into the BPF offset field).
; RUN: %hupopt -S %s | FileCheck %s

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

; CHECK-LABEL: define i64 @field(
; CHECK-NEXT:    %hup.mask = call i64 @llvm.bpf.pseudo(i64 13, i64 0)
; CHECK-NEXT:    %hup.base = call i64 @llvm.bpf.pseudo(i64 12, i64 0)
; The context (argument 0 of a program) is host: its load stays as is.
; CHECK-NEXT:    %gvap = getelementptr inbounds i8, ptr %ctx, i64 32
; CHECK-NEXT:    %gva = load i64, ptr %gvap, align 8
; CHECK-NEXT:    %n = inttoptr i64 %gva to ptr
; CHECK-NEXT:    %hup.gva = ptrtoint ptr %n to i64
; CHECK-NEXT:    %hup.off = and i64 %hup.gva, %hup.mask
; CHECK-NEXT:    %hup.sum = add i64 %hup.off, %hup.base
; CHECK-NEXT:    %hup.p = inttoptr i64 %hup.sum to ptr
; CHECK-NEXT:    %hup.field = getelementptr i8, ptr %hup.p, i64 16
; CHECK-NEXT:    %lock = load i32, ptr %hup.field, align 8
; CHECK-NEXT:    %inc = add nsw i32 %lock, 1
; CHECK-NEXT:    %wide = sext i32 %inc to i64
; CHECK-NEXT:    %hup.field1 = getelementptr i8, ptr %hup.p, i64 8
; CHECK-NEXT:    store i64 %wide, ptr %hup.field1, align 8
; CHECK-NEXT:    %v = load volatile i64, ptr %hup.p, align 8
; CHECK-NEXT:    ret i64 %v
; CHECK-NOT:   llvm.bpf.pseudo
define i64 @field(ptr %ctx) section "hyperupcall/trace" {
  %gvap = getelementptr inbounds i8, ptr %ctx, i64 32
  %gva = load i64, ptr %gvap, align 8
  %n = inttoptr i64 %gva to ptr
  %lockp = getelementptr inbounds i8, ptr %n, i64 16
  %lock = load i32, ptr %lockp, align 8
  %inc = add nsw i32 %lock, 1
  %wide = sext i32 %inc to i64
  %valp = getelementptr inbounds i8, ptr %n, i64 8
  store i64 %wide, ptr %valp, align 8
  %v = load volatile i64, ptr %n, align 8
  ret i64 %v
}

; Array indexing with a variable index: the whole address is masked.
; CHECK-LABEL: define i64 @array(
; CHECK:         %elt = getelementptr inbounds [8 x i64], ptr %a, i64 0, i64 %i
; CHECK-NEXT:    %hup.gva = ptrtoint ptr %elt to i64
; CHECK-NEXT:    %hup.off = and i64 %hup.gva, %hup.mask
; CHECK-NEXT:    %hup.sum = add i64 %hup.off, %hup.base
; CHECK-NEXT:    %hup.p = inttoptr i64 %hup.sum to ptr
; CHECK-NEXT:    %v = load i64, ptr %hup.p
define i64 @array(ptr %ctx) section "hyperupcall/trace" {
  %gvap = getelementptr inbounds i8, ptr %ctx, i64 40
  %gva = load i64, ptr %gvap, align 8
  %a = inttoptr i64 %gva to ptr
  %ip = getelementptr inbounds i8, ptr %ctx, i64 48
  %i = load i64, ptr %ip, align 8
  %elt = getelementptr inbounds [8 x i64], ptr %a, i64 0, i64 %i
  %v = load i64, ptr %elt, align 8
  ret i64 %v
}

; An offset too large for the guard zone is masked with the pointer.
; CHECK-LABEL: define i64 @far(
; CHECK:         %farp = getelementptr inbounds i8, ptr %b, i64 20000
; CHECK-NEXT:    %hup.gva = ptrtoint ptr %farp to i64
; CHECK-NEXT:    %hup.off = and i64 %hup.gva, %hup.mask
; CHECK-NEXT:    %hup.sum = add i64 %hup.off, %hup.base
; CHECK-NEXT:    %hup.p = inttoptr i64 %hup.sum to ptr
; CHECK-NEXT:    %v = load i64, ptr %hup.p
define i64 @far(ptr %ctx) section "hyperupcall/trace" {
  %gvap = getelementptr inbounds i8, ptr %ctx, i64 40
  %gva = load i64, ptr %gvap, align 8
  %b = inttoptr i64 %gva to ptr
  %farp = getelementptr inbounds i8, ptr %b, i64 20000
  %v = load i64, ptr %farp, align 8
  ret i64 %v
}

; A program touching no guest memory gets no pseudo loads.
; CHECK-LABEL: define i64 @ctx_only(
; CHECK-NOT:     llvm.bpf.pseudo
; CHECK:         ret i64
define i64 @ctx_only(ptr %ctx) section "hyperupcall/trace" {
  %p = getelementptr inbounds i8, ptr %ctx, i64 16
  %v = load i64, ptr %p, align 8
  ret i64 %v
}
