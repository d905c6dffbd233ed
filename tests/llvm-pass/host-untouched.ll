; Negative tests: what the pass must NOT rewrite.  The stack, the program's
; context argument, defined globals, CO-RE offset globals, __host
; (address space 104) pointers and null stay as they are, and accesses and
; casts in the __host address space go through address space 0 without an
; addrspacecast (which the BPF backend would lower to an arena cast).
; RUN: %hupopt -S %s | FileCheck %s
; RUN: %hupopt -S %s | FileCheck %s --check-prefix=NOAS

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

@counter = global i64 0, align 8
@"llvm.hup_trace_ctx:0:8$0:1" = external global i64, !llvm.preserve.access.index !0 #0

; NOAS-NOT: addrspacecast
; CHECK-NOT: llvm.bpf.pseudo

; CHECK-LABEL: define i64 @host(
; CHECK:         %slot = alloca i64
; CHECK-NEXT:    store i64 1, ptr %slot
; CHECK-NEXT:    %s = load i64, ptr %slot
; CHECK-NEXT:    %cp = getelementptr inbounds i8, ptr %ctx, i64 16
; CHECK-NEXT:    %c = load i64, ptr %cp
; CHECK-NEXT:    %off = load i64, ptr @"llvm.hup_trace_ctx:0:8$0:1"
; CHECK-NEXT:    %cq = getelementptr i8, ptr %ctx, i64 %off
; CHECK-NEXT:    %d = load i64, ptr %cq
; CHECK-NEXT:    %g = load i64, ptr @counter
define i64 @host(ptr %ctx) section "hyperupcall/trace" {
  %slot = alloca i64, align 8
  store i64 1, ptr %slot, align 8
  %s = load i64, ptr %slot, align 8
  %cp = getelementptr inbounds i8, ptr %ctx, i64 16
  %c = load i64, ptr %cp, align 8
  %off = load i64, ptr @"llvm.hup_trace_ctx:0:8$0:1", align 8
  %cq = getelementptr i8, ptr %ctx, i64 %off
  %d = load i64, ptr %cq, align 8
  %g = load i64, ptr @counter, align 8
  %h = call i64 @with_host_param(ptr addrspace(104) null)
  %r1 = add i64 %s, %c
  %r2 = add i64 %r1, %d
  %r3 = add i64 %r2, %g
  %r = add i64 %r3, %h
  ret i64 %r
}

; A __host pointer (address space 104) from an explicit cast: accessed as
; is, through an address-space-0 pointer made by ptrtoint/inttoptr.
; CHECK-LABEL: define i64 @annotated(
; CHECK:         %hup.cast = ptrtoint ptr %ctx to i64
; CHECK-NEXT:    [[H:%.*]] = inttoptr i64 %hup.cast to ptr addrspace(104)
; CHECK-NEXT:    %hf = getelementptr inbounds i8, ptr addrspace(104) [[H]], i64 8
; CHECK-NEXT:    %hup.host = ptrtoint ptr addrspace(104) %hf to i64
; CHECK-NEXT:    [[P:%.*]] = inttoptr i64 %hup.host to ptr
; CHECK-NEXT:    %v = load i64, ptr [[P]]
define i64 @annotated(ptr %ctx) section "hyperupcall/trace" {
  %h = addrspacecast ptr %ctx to ptr addrspace(104)
  %hf = getelementptr inbounds i8, ptr addrspace(104) %h, i64 8
  %v = load i64, ptr addrspace(104) %hf, align 8
  ret i64 %v
}

; A function parameter typed __host is host whoever calls it.
; CHECK-LABEL: define internal i64 @with_host_param(
; CHECK-NOT:     and i64
; CHECK:         ret i64
define internal i64 @with_host_param(ptr addrspace(104) %p) {
  %z = icmp eq ptr addrspace(104) %p, null
  br i1 %z, label %none, label %some
some:
  %v = load i64, ptr addrspace(104) %p, align 8
  ret i64 %v
none:
  ret i64 0
}

; Null and undef are no one's: not translated.
; CHECK-LABEL: define i64 @nullptr(
; CHECK-NEXT:    %v = load i64, ptr null
define i64 @nullptr(ptr %ctx) section "hyperupcall/trace" {
  %v = load i64, ptr null, align 8
  ret i64 %v
}

attributes #0 = { "btf_ama" }

!0 = !{}
