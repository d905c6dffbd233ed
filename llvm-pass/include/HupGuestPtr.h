//===- HupGuestPtr.h - guest-pointer translation for hyperupcalls -*- C++ -*-===//
//
// SPDX-License-Identifier: BSD-2-Clause
//
// The hyperupcall guest-pointer pass.  A hyperupcall reads guest kernel data
// structures through guest virtual addresses, as guest kernel C does.  The
// host cannot dereference those: it maps the guest's declared windows into a
// *view* and accepts only accesses it can prove stay inside the view.  This
// pass rewrites every memory access through a guest pointer into the ABI's
// translated form (sdk/include/hyperupcall/abi.h, section "Guest memory"):
//
//     mask = ld_imm64 HUP_PSEUDO_VIEW_MASK      ; once, at function entry
//     base = ld_imm64 HUP_PSEUDO_VIEW_BASE      ; once, at function entry
//     p    = gva & mask
//     p   += base
//     ... [p + off] ...                         ; |off| small and constant
//
// and leaves every access through a host pointer alone.
//
// Which pointers are host, which are guest (the rules; docs/toolchain.md
// has the prose and examples).  Every pointer value is classified by where
// it comes from, looking through GEPs, casts, llvm.bpf.passthrough, phis and
// selects:
//
//   host   - a stack slot (alloca);
//          - the first argument of a program (a function placed in a section
//            other than .text by HUP_TRACE() and friends): the event context;
//          - a defined global (.data/.rodata/license, CO-RE offset globals
//            carrying the "btf_ama"/"btf_type_id" attribute, named "llvm.*");
//          - any value of a pointer type in the __host address space
//            (HUP_HOST_ADDR_SPACE), whatever its origin: the annotation wins;
//          - a parameter of a local (static) function all of whose call sites
//            pass host pointers; the `data` parameter of a HUP_FN_loop callback
//            when the loop call passes a host pointer.
//   guest  - a pointer made from an integer (inttoptr): ksym addresses,
//            addresses in context fields, arithmetic results;
//          - a pointer loaded from memory (a `next` field), unless its type
//            is __host;
//          - an external global other than a CO-RE global: a guest kernel
//            symbol declared with __ksym (section .ksyms);
//          - a parameter of a non-local function, or of a local function
//            whose call sites pass guest pointers; a pointer returned by such
//            a function.
//   none   - null, undef, poison: no access is rewritten through them.
//
// A pointer that may be either (a phi of a stack pointer and a guest
// pointer) is an error where it is dereferenced.  So is everything the pass
// cannot translate: a guest pointer passed to an unknown or external
// function, to a helper (helpers take guest addresses as integers), or to a
// local function whose parameter is host; a call through a guest function
// pointer; a guest memcpy/memset of non-constant size; storing a host
// pointer into guest memory (it would leak a host address).  Errors are
// reported with the source location through LLVMContext::diagnose, so clang
// prints "file:line:col: error: ..." and fails the compilation.
//
// Host pointers in the __host address space are cast back to address
// space 0 (ptrtoint/inttoptr, no instruction) so that the BPF backend does
// not emit BPF-arena addr_space_cast instructions for them.
//
//===----------------------------------------------------------------------===//
#ifndef HUP_GUEST_PTR_H
#define HUP_GUEST_PTR_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/PassManager.h"

#include <cstdint>
#include <utility>

#include <hyperupcall/abi.h>

namespace llvm {
class Argument;
class DataLayout;
class Function;
class Value;
} // namespace llvm

namespace hup {

// Must equal HUP_HOST_ADDR_SPACE in sdk/include/hyperupcall.h.
constexpr unsigned HostAddrSpace = 104;
// ld_imm64 src_reg kinds of the ABI.
constexpr uint64_t PseudoViewBase = HUP_PSEUDO_VIEW_BASE;
constexpr uint64_t PseudoViewMask = HUP_PSEUDO_VIEW_MASK;
// HUP_FN_loop: s64 loop(u32 nr, s64 (*fn)(u32 i, void *data), void *data,
// u64 flags).  Its callback's `data` parameter is classified from the call.
constexpr uint64_t HelperLoop = HUP_FN_loop;
// A constant offset kept in the access instruction instead of being masked
// must stay well inside the host's guard zone (HUP_VIEW_GUARD = 64 KiB) and
// inside the s16 offset field of a BPF load or store.
constexpr int64_t MaxFoldedOffset = 16 * 1024;
static_assert(MaxFoldedOffset < HUP_VIEW_GUARD / 2, "inside the guard zone");
// Nested CO-RE field offsets (a.b.c) are added after the mask up to this
// depth; deeper chains are masked as a whole.
constexpr unsigned MaxCoreDepth = 4;

// A lattice: Unknown < Host, Guest < Mixed; join is bitwise or.
enum class PtrClass : uint8_t { None = 0, Host = 1, Guest = 2, Mixed = 3 };

inline PtrClass join(PtrClass A, PtrClass B) {
  return static_cast<PtrClass>(static_cast<uint8_t>(A) |
                               static_cast<uint8_t>(B));
}

const char *ptrClassName(PtrClass C);

// True for a function the SDK placed in a program section.
bool isProgramEntry(const llvm::Function &F);
// True for the CO-RE offset / type globals the BPF backend relocates.
bool isCoreGlobal(const llvm::Value *V);
// The helper id of a BPF helper call target (`(fnptr)ID`), or 0.
uint64_t helperId(const llvm::Value *Callee);

// Classifies pointer values of one module.  Parameters of local functions
// are inferred from their call sites, iterated to a fixed point.
class PtrClassifier {
public:
  explicit PtrClassifier(llvm::Module &M);

  PtrClass classify(const llvm::Value *V);
  // The class a parameter has been given (host, guest, or mixed when its
  // callers disagree).
  PtrClass argClass(const llvm::Argument *A);

private:
  const llvm::Value *transparentOperand(const llvm::Value *X);
  PtrClass classifySource(const llvm::Value *V);
  PtrClass classifyInt(const llvm::Value *V,
                       llvm::SmallPtrSetImpl<const llvm::Value *> &Seen);
  void inferArguments(llvm::Module &M);

  llvm::DenseMap<const llvm::Value *, PtrClass> Cache;
  llvm::SmallPtrSet<const llvm::Value *, 16> InProgress;
  unsigned CycleHits = 0;
  llvm::DenseMap<const llvm::Argument *, PtrClass> Args;
  llvm::DenseMap<const llvm::Function *, PtrClass> Returns;
};

// The module pass ("hup-guest-ptr").
class HupGuestPtrPass : public llvm::PassInfoMixin<HupGuestPtrPass> {
public:
  explicit HupGuestPtrPass(bool AtO0 = false) : RejectO0(AtO0) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  static bool isRequired() { return true; }

private:
  bool RejectO0;
};

} // namespace hup

#endif // HUP_GUEST_PTR_H
