; CO-RE: BPFAbstractMemberAccess has already turned `t->parent->pid` into
; loads of external "llvm.*" offset globals (attribute btf_ama) before
; OptimizerLast.  Those loads must not be rewritten (their relocations would
; break); the struct pointer is translated and the relocated offset added
; after the mask, so the backend still folds it into the access with its
; CO-RE relocation.
; RUN: %hupopt -S %s | FileCheck %s

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

@init_task = external global i8, section ".ksyms", align 8
@"llvm.task_struct:0:16$0:2" = external global i64, !llvm.preserve.access.index !0 #0
@"llvm.task_struct:0:0$0:0" = external global i64, !llvm.preserve.access.index !0 #0

; CHECK-LABEL: define i32 @prog(
; CHECK:         %parent.off = load i64, ptr @"llvm.task_struct:0:16$0:2", align 8
; CHECK-NEXT:    %hup.off = and i64 ptrtoint (ptr @init_task to i64), %hup.mask
; CHECK-NEXT:    %hup.sum = add i64 %hup.off, %hup.base
; CHECK-NEXT:    %hup.p = inttoptr i64 %hup.sum to ptr
; CHECK-NEXT:    %hup.core = getelementptr i8, ptr %hup.p, i64 %parent.off
; CHECK-NEXT:    %parent = load ptr, ptr %hup.core, align 8
; CHECK-NEXT:    %pid.off = load i64, ptr @"llvm.task_struct:0:0$0:0", align 8
; CHECK-NEXT:    %hup.gva = ptrtoint ptr %parent to i64
; CHECK-NEXT:    %hup.off1 = and i64 %hup.gva, %hup.mask
; CHECK-NEXT:    %hup.sum2 = add i64 %hup.off1, %hup.base
; CHECK-NEXT:    %hup.p3 = inttoptr i64 %hup.sum2 to ptr
; CHECK-NEXT:    %hup.core4 = getelementptr i8, ptr %hup.p3, i64 %pid.off
; CHECK-NEXT:    %hup.field = getelementptr i8, ptr %hup.core4, i64 4
; CHECK-NEXT:    %pid = load i32, ptr %hup.field, align 4
define i32 @prog(ptr %ctx) section "hyperupcall/trace" {
  %parent.off = load i64, ptr @"llvm.task_struct:0:16$0:2", align 8
  %a = getelementptr i8, ptr @init_task, i64 %parent.off
  %a.pt = tail call ptr @llvm.bpf.passthrough.p0.p0(i32 1, ptr %a)
  %parent = load ptr, ptr %a.pt, align 8
  %pid.off = load i64, ptr @"llvm.task_struct:0:0$0:0", align 8
  %b = getelementptr i8, ptr %parent, i64 %pid.off
  %b.pt = tail call ptr @llvm.bpf.passthrough.p0.p0(i32 0, ptr %b)
  %b4 = getelementptr i8, ptr %b.pt, i64 4
  %pid = load i32, ptr %b4, align 4
  ret i32 %pid
}

declare ptr @llvm.bpf.passthrough.p0.p0(i32, ptr)

attributes #0 = { "btf_ama" }

!0 = !{}
