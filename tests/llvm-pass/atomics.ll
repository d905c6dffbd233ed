; Atomics on guest memory (qspinlock trylock/unlock in hlib): atomicrmw and
; cmpxchg take the translated pointer.  The guest kernel symbol (.ksyms
; extern) is a guest address.
; Atomics also get the low bits of the address cleared (and -4 for an i32):
; the host verifier wants their alignment proven, and an aligned guest
; address is unchanged by it.  A plain load of the same root shares nothing
; with them: its translation has no alignment and-mask.
; RUN: %hupopt -S %s | FileCheck %s

target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

@lock = external global i32, section ".ksyms", align 4

; CHECK-LABEL: define i32 @trylock(
; CHECK:         %hup.off = and i64 ptrtoint (ptr @lock to i64), %hup.mask
; CHECK-NEXT:    %hup.aligned = and i64 %hup.off, -4
; CHECK-NEXT:    %hup.sum = add i64 %hup.aligned, %hup.base
; CHECK-NEXT:    %hup.p = inttoptr i64 %hup.sum to ptr
; CHECK-NEXT:    %old = cmpxchg ptr %hup.p, i32 0, i32 1 acquire monotonic
; CHECK:         atomicrmw add ptr %hup.p, i32 1 seq_cst
; CHECK:         atomicrmw xchg ptr %hup.p, i32 0 release
; CHECK:         %hup.off1 = and i64 ptrtoint (ptr @lock to i64), %hup.mask
; CHECK-NEXT:    %hup.sum2 = add i64 %hup.off1, %hup.base
; CHECK-NEXT:    %hup.p3 = inttoptr i64 %hup.sum2 to ptr
; CHECK-NEXT:    %plain = load i32, ptr %hup.p3
define i32 @trylock(ptr %ctx) section "hyperupcall/trace" {
  %old = cmpxchg ptr @lock, i32 0, i32 1 acquire monotonic, align 4
  %ok = extractvalue { i32, i1 } %old, 1
  %cnt = atomicrmw add ptr @lock, i32 1 seq_cst, align 4
  %rel = atomicrmw xchg ptr @lock, i32 0 release, align 4
  %plain = load i32, ptr @lock, align 4
  %z = zext i1 %ok to i32
  %r = add i32 %z, %plain
  ret i32 %r
}
