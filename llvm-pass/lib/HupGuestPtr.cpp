//===- HupGuestPtr.cpp - rewrite guest accesses into the view form -------===//
//
// SPDX-License-Identifier: BSD-2-Clause
//
// The rewriting half of the guest-pointer pass and its plugin entry point.
// For every load, store, atomicrmw, cmpxchg and memcpy/memmove/memset whose
// pointer is a guest pointer (Classify.cpp), the pointer is replaced by
//
//     %hup.gva = ptrtoint ptr %root to i64
//     %hup.off = and i64 %hup.gva, %hup.mask     ; mask: pseudo load 13
//     %hup.sum = add i64 %hup.off, %hup.base     ; base: pseudo load 12
//     %hup.p   = inttoptr i64 %hup.sum to ptr
//     ... getelementptr i8, ptr %hup.p, i64 C ... ; small constant offset
//
// where %root is the access pointer with its constant offset C stripped, so
// that C lands in the BPF instruction's offset field (two ALU instructions
// per access); a CO-RE field offset is likewise added after the mask, so it
// keeps its relocation in the access's offset field.  The two pseudo loads
// are emitted once, at function entry.
// Translations are reused within a basic block.  What cannot be translated
// is reported as an error at the source line.
//
//===----------------------------------------------------------------------===//
#include "HupGuestPtr.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/IntrinsicsBPF.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Transforms/Utils/Local.h"

#include <memory>
#include <tuple>
#include <vector>

using namespace llvm;

namespace hup {
namespace {

class FunctionRewriter {
public:
  FunctionRewriter(Function &Fn, PtrClassifier &Classifier,
                   SmallVectorImpl<Instruction *> &DeadInsts)
      : F(Fn), PC(Classifier), DL(Fn.getParent()->getDataLayout()),
        Dead(DeadInsts), I64(Type::getInt64Ty(Fn.getContext())),
        I8(Type::getInt8Ty(Fn.getContext())) {}

  // Returns the number of errors reported.
  unsigned run();
  // Deletes what the rewrite left dead; after the module's Dead list went.
  void cleanUp();

private:
  void error(const Instruction *I, const Twine &Msg);
  void handleAccess(Instruction *I, unsigned OpIdx, uint64_t Align = 1);
  void handleMem(MemIntrinsic *MI);
  void checkCall(CallBase *CB);
  void checkStoredValue(StoreInst *SI);
  void replaceAddrSpaceCast(AddrSpaceCastInst *ASC);

  Value *translate(Value *P, Instruction *At, uint64_t Align = 1,
                   unsigned Depth = 0);
  Value *translateRoot(Value *Root, Instruction *At, uint64_t Align);
  Value *toDefaultAS(Value *P, Instruction *At);
  void ensureView();

  Function &F;
  PtrClassifier &PC;
  const DataLayout &DL;
  SmallVectorImpl<Instruction *> &Dead;
  Type *I64;
  Type *I8;
  Value *Mask = nullptr;
  Value *BaseInt = nullptr;
  DenseMap<std::tuple<Value *, BasicBlock *, uint64_t>, Value *> Translated;
  // Original guest pointer computations, deleted if left unused.
  SmallVector<WeakTrackingVH, 32> Replaced;
  unsigned Errors = 0;
};

void FunctionRewriter::error(const Instruction *I, const Twine &Msg) {
  // DiagnosticInfoUnsupported carries the debug location: clang reports it
  // as "file:line:col: error: ..." and fails the compile; opt prints it
  // and exits non-zero.
  F.getContext().diagnose(
      DiagnosticInfoUnsupported(F, "hyperupcall: " + Msg, I->getDebugLoc()));
  ++Errors;
}

void FunctionRewriter::ensureView() {
  if (Mask)
    return;
  BasicBlock &Entry = F.getEntryBlock();
  IRBuilder<> B(&Entry, Entry.getFirstNonPHIOrDbgOrAlloca());
  if (DISubprogram *SP = F.getSubprogram())
    B.SetCurrentDebugLocation(
        DILocation::get(F.getContext(), SP->getScopeLine(), 0, SP));
  Function *Pseudo =
      Intrinsic::getDeclaration(F.getParent(), Intrinsic::bpf_pseudo);
  Mask = B.CreateCall(Pseudo, {B.getInt64(PseudoViewMask), B.getInt64(0)},
                      "hup.mask");
  BaseInt = B.CreateCall(Pseudo, {B.getInt64(PseudoViewBase), B.getInt64(0)},
                         "hup.base");
}

Value *FunctionRewriter::translateRoot(Value *Root, Instruction *At,
                                       uint64_t Align) {
  auto Key = std::make_tuple(Root, At->getParent(), Align);
  auto It = Translated.find(Key);
  if (It != Translated.end())
    return It->second;
  ensureView();
  // p = gva & mask; p += base: an add onto the masked value (not a GEP off
  // the base) so that the add reuses the masked value's register and the
  // hoisted base needs no copy.
  IRBuilder<> B(At);
  Value *Gva = B.CreatePtrToInt(Root, I64, "hup.gva");
  Value *Off = B.CreateAnd(Gva, Mask, "hup.off");
  // Atomics: the host verifier wants their alignment proven, so the low
  // bits are cleared too (an aligned guest address is unchanged).
  if (Align > 1)
    Off = B.CreateAnd(Off, B.getInt64(~(Align - 1)), "hup.aligned");
  Value *Sum = B.CreateAdd(Off, BaseInt, "hup.sum");
  Value *P = B.CreateIntToPtr(Sum, B.getPtrTy(), "hup.p");
  Translated[Key] = P;
  return P;
}

// The CO-RE form BPFAbstractMemberAccess leaves for `p->field` on a
// preserve_access_index struct: [passthrough(] gep i8 %p, (load @"llvm.*")
// [)].  Returns the load of the offset global and sets Base to %p.
static LoadInst *matchCoreOffset(Value *P, Value *&Base) {
  if (auto *II = dyn_cast<IntrinsicInst>(P))
    if (II->getIntrinsicID() == Intrinsic::bpf_passthrough)
      P = II->getArgOperand(1);
  auto *GEP = dyn_cast<GetElementPtrInst>(P);
  if (!GEP || GEP->getNumIndices() != 1 ||
      !GEP->getSourceElementType()->isIntegerTy(8))
    return nullptr;
  auto *LI = dyn_cast<LoadInst>(GEP->getOperand(1));
  if (!LI || !isCoreGlobal(LI->getPointerOperand()))
    return nullptr;
  Base = GEP->getPointerOperand();
  return LI;
}

Value *FunctionRewriter::translate(Value *P, Instruction *At, uint64_t Align,
                                   unsigned Depth) {
  APInt Off(DL.getIndexTypeSizeInBits(P->getType()), 0);
  Value *Root = P->stripAndAccumulateConstantOffsets(DL, Off, true);
  if (Off.getSignificantBits() > 64 || Off.getSExtValue() < -MaxFoldedOffset ||
      Off.getSExtValue() > MaxFoldedOffset ||
      Off.getSExtValue() % static_cast<int64_t>(Align) != 0)
    return translateRoot(P, At, Align);

  Value *T;
  Value *CoreBase = nullptr;
  LoadInst *CoreOff =
      Depth < MaxCoreDepth ? matchCoreOffset(Root, CoreBase) : nullptr;
  if (CoreOff) {
    // Translate the struct pointer and add the relocated field offset after
    // the mask, as uninstrumented code does: the backend folds it into the
    // access's offset field with its CO-RE relocation, and the host
    // verifier bounds the relocated constant like any other offset.
    T = translate(CoreBase, At, Align, Depth + 1);
    IRBuilder<> B(At);
    T = B.CreateGEP(I8, T, CoreOff, "hup.core");
  } else {
    T = translateRoot(Root, At, Align);
  }
  if (Off.isZero())
    return T;
  IRBuilder<> B(At);
  return B.CreateGEP(I8, T, B.getInt64(Off.getSExtValue()), "hup.field");
}

// A host pointer in the __host address space, back in address space 0
// without an addrspacecast (the BPF backend would emit an arena cast).
Value *FunctionRewriter::toDefaultAS(Value *P, Instruction *At) {
  if (P->getType()->getPointerAddressSpace() == 0)
    return P;
  if (auto *CE = dyn_cast<ConstantExpr>(P))
    if (CE->getOpcode() == Instruction::AddrSpaceCast &&
        CE->getOperand(0)->getType()->getPointerAddressSpace() == 0)
      return CE->getOperand(0);
  IRBuilder<> B(At);
  return B.CreateIntToPtr(B.CreatePtrToInt(P, I64, "hup.host"), B.getPtrTy());
}

void FunctionRewriter::handleAccess(Instruction *I, unsigned OpIdx,
                                    uint64_t Align) {
  Value *P = I->getOperand(OpIdx);
  switch (PC.classify(P)) {
  case PtrClass::Guest:
    I->setOperand(OpIdx, translate(P, I, Align));
    Replaced.push_back(P);
    break;
  case PtrClass::Mixed:
    // A parameter whose callers disagree is reported at the call sites.
    if (auto *A = dyn_cast<Argument>(getUnderlyingObject(P)))
      if (PC.argClass(A) == PtrClass::Mixed)
        break;
    error(I, "this access may go through a host pointer or a guest pointer; "
             "keep stack/context pointers and guest pointers in separate "
             "variables");
    break;
  case PtrClass::Host:
  case PtrClass::None:
    I->setOperand(OpIdx, toDefaultAS(P, I));
    break;
  }
}

void FunctionRewriter::checkStoredValue(StoreInst *SI) {
  Value *V = SI->getValueOperand();
  if (!V->getType()->isPointerTy() || isa<Constant>(V))
    return;
  PtrClass Dst = PC.classify(SI->getPointerOperand());
  PtrClass Val = PC.classify(V);
  if (Dst == PtrClass::Guest &&
      (Val == PtrClass::Host || Val == PtrClass::Mixed))
    error(SI, "storing a host pointer (stack or context) into guest memory "
              "would leak a host address to the guest");
}

void FunctionRewriter::handleMem(MemIntrinsic *MI) {
  auto *MT = dyn_cast<MemTransferInst>(MI);
  Value *Dst = MI->getRawDest();
  Value *Src = MT ? MT->getRawSource() : nullptr;
  PtrClass DC = PC.classify(Dst);
  PtrClass SC = Src ? PC.classify(Src) : PtrClass::None;
  if (DC == PtrClass::Mixed || SC == PtrClass::Mixed) {
    error(MI, "this memory copy may go through a host pointer or a guest "
              "pointer");
    return;
  }
  bool Guest = DC == PtrClass::Guest || SC == PtrClass::Guest;
  if (Guest && !isa<ConstantInt>(MI->getLength())) {
    error(MI, "memcpy/memset through a guest pointer needs a constant size; "
              "use hup_guest_read/hup_guest_write (hlib's hup_memcpy) for "
              "variable sizes");
    return;
  }
  Replaced.push_back(Dst);
  if (Src)
    Replaced.push_back(Src);
  Value *NewDst = DC == PtrClass::Guest ? translate(Dst, MI)
                                         : toDefaultAS(Dst, MI);
  Value *NewSrc = !Src ? nullptr
                  : SC == PtrClass::Guest ? translate(Src, MI)
                                          : toDefaultAS(Src, MI);
  if (NewDst == Dst && NewSrc == Src)
    return;

  // The intrinsic is overloaded on its pointer types: build a new one.
  IRBuilder<> B(MI);
  CallInst *New = nullptr;
  if (auto *MS = dyn_cast<MemSetInst>(MI)) {
    New = B.CreateMemSet(NewDst, MS->getValue(), MS->getLength(),
                         MS->getDestAlign(), MS->isVolatile());
  } else if (isa<MemMoveInst>(MI)) {
    New = B.CreateMemMove(NewDst, MT->getDestAlign(), NewSrc,
                          MT->getSourceAlign(), MT->getLength(),
                          MT->isVolatile());
  } else if (MI->getIntrinsicID() == Intrinsic::memcpy_inline) {
    New = B.CreateMemCpyInline(NewDst, MT->getDestAlign(), NewSrc,
                               MT->getSourceAlign(), MT->getLength(),
                               MT->isVolatile());
  } else if (MT) {
    New = B.CreateMemCpy(NewDst, MT->getDestAlign(), NewSrc,
                         MT->getSourceAlign(), MT->getLength(),
                         MT->isVolatile());
  } else {
    error(MI, "unsupported memory intrinsic " + MI->getCalledFunction()->getName());
    return;
  }
  New->copyMetadata(*MI);
  Dead.push_back(MI);
}

void FunctionRewriter::checkCall(CallBase *CB) {
  if (auto *II = dyn_cast<IntrinsicInst>(CB)) {
    switch (II->getIntrinsicID()) {
    case Intrinsic::bpf_passthrough:
    case Intrinsic::bpf_pseudo:
    case Intrinsic::bpf_compare:
    case Intrinsic::lifetime_start:
    case Intrinsic::lifetime_end:
    case Intrinsic::assume:
    case Intrinsic::ssa_copy:
    case Intrinsic::ptrmask:
    case Intrinsic::launder_invariant_group:
    case Intrinsic::strip_invariant_group:
    case Intrinsic::dbg_declare:
    case Intrinsic::dbg_value:
    case Intrinsic::dbg_label:
    case Intrinsic::dbg_assign:
      return;
    default:
      break;
    }
    for (Value *A : CB->args())
      if (A->getType()->isPointerTy() && PC.classify(A) == PtrClass::Guest) {
        error(CB, "a guest pointer reaches intrinsic " +
                      II->getCalledFunction()->getName() +
                      ", which cannot be translated");
        return;
      }
    return;
  }

  if (CB->isInlineAsm()) {
    // barrier() and friends: fine unless a guest pointer goes in.
    for (Value *A : CB->args())
      if (A->getType()->isPointerTy() && PC.classify(A) == PtrClass::Guest) {
        error(CB, "a guest pointer is passed to inline assembly, whose "
                  "accesses cannot be translated");
        return;
      }
    return;
  }

  Value *Callee = CB->getCalledOperand();
  if (uint64_t Id = helperId(Callee)) {
    for (Value *A : CB->args())
      if (A->getType()->isPointerTy() && PC.classify(A) != PtrClass::Host &&
          PC.classify(A) != PtrClass::None) {
        error(CB, "a guest pointer is passed to helper " + Twine(Id) +
                      "; helpers take host buffers, and guest addresses as "
                      "integers (pass (__u64)ptr)");
        return;
      }
    return;
  }

  auto *Target = dyn_cast<Function>(Callee->stripPointerCasts());
  if (!Target) {
    if (PC.classify(Callee) == PtrClass::Guest)
      error(CB, "call through a guest function pointer: guest code cannot "
                "be called from a hyperupcall");
    else
      error(CB, "indirect calls are not supported in hyperupcalls");
    return;
  }

  for (unsigned N = 0; N < CB->arg_size(); ++N) {
    Value *A = CB->getArgOperand(N);
    if (!A->getType()->isPointerTy())
      continue;
    PtrClass AC = PC.classify(A);
    if (Target->isDeclaration()) {
      if (AC == PtrClass::Guest || AC == PtrClass::Mixed)
        error(CB, "a guest pointer is passed to external function '" +
                      Target->getName() +
                      "', whose accesses cannot be translated");
      continue;
    }
    if (N >= Target->arg_size())
      continue;
    PtrClass Param = PC.argClass(Target->getArg(N));
    if (Param == PtrClass::Mixed)
      error(CB, "parameter " + Twine(N + 1) + " of '" + Target->getName() +
                    "' receives both host and guest pointers; split the "
                    "function or mark the host one __host");
    else if (Param == PtrClass::Host &&
             (AC == PtrClass::Guest || AC == PtrClass::Mixed))
      error(CB, "a guest pointer is passed to host (__host) parameter " +
                    Twine(N + 1) + " of '" + Target->getName() + "'");
    else if (Param == PtrClass::Guest &&
             (AC == PtrClass::Host || AC == PtrClass::Mixed))
      error(CB, "a host pointer is passed to parameter " + Twine(N + 1) +
                    " of '" + Target->getName() +
                    "', which is a guest pointer there; make the function "
                    "static or declare the parameter __host");
  }
}

void FunctionRewriter::replaceAddrSpaceCast(AddrSpaceCastInst *ASC) {
  IRBuilder<> B(ASC);
  Value *Int = B.CreatePtrToInt(ASC->getPointerOperand(), I64, "hup.cast");
  Value *Ptr = B.CreateIntToPtr(Int, ASC->getType());
  ASC->replaceAllUsesWith(Ptr);
  Dead.push_back(ASC);
}

unsigned FunctionRewriter::run() {
  // Snapshot first: the rewrite inserts instructions.
  SmallVector<Instruction *, 64> Insts;
  for (Instruction &I : instructions(F))
    Insts.push_back(&I);

  for (Instruction *I : Insts) {
    if (auto *LI = dyn_cast<LoadInst>(I)) {
      handleAccess(LI, LI->getPointerOperandIndex());
    } else if (auto *SI = dyn_cast<StoreInst>(I)) {
      checkStoredValue(SI);
      handleAccess(SI, SI->getPointerOperandIndex());
    } else if (auto *RMW = dyn_cast<AtomicRMWInst>(I)) {
      handleAccess(RMW, RMW->getPointerOperandIndex(),
                   DL.getTypeStoreSize(RMW->getValOperand()->getType()));
    } else if (auto *CX = dyn_cast<AtomicCmpXchgInst>(I)) {
      handleAccess(CX, CX->getPointerOperandIndex(),
                   DL.getTypeStoreSize(CX->getNewValOperand()->getType()));
    } else if (auto *MI = dyn_cast<MemIntrinsic>(I)) {
      handleMem(MI);
    } else if (auto *CB = dyn_cast<CallBase>(I)) {
      checkCall(CB);
    }
  }
  // Last, so the classification above saw the original casts.
  for (Instruction *I : Insts)
    if (auto *ASC = dyn_cast<AddrSpaceCastInst>(I))
      replaceAddrSpaceCast(ASC);
  return Errors;
}

void FunctionRewriter::cleanUp() {
  // Untranslated address arithmetic the rewrite left dead.  CO-RE
  // passthrough calls are not "trivially dead" (not willreturn) but are
  // pure: drop the unused ones first.
  for (;;) {
    RecursivelyDeleteTriviallyDeadInstructionsPermissive(Replaced);
    SmallVector<Instruction *, 8> Unused;
    for (Instruction &I : instructions(F))
      if (auto *II = dyn_cast<IntrinsicInst>(&I))
        if (II->getIntrinsicID() == Intrinsic::bpf_passthrough &&
            I.use_empty())
          Unused.push_back(&I);
    if (Unused.empty())
      break;
    for (Instruction *I : Unused) {
      Replaced.push_back(cast<IntrinsicInst>(I)->getArgOperand(1));
      I->eraseFromParent();
    }
  }
}

} // namespace

PreservedAnalyses HupGuestPtrPass::run(Module &M, ModuleAnalysisManager &) {
  if (RejectO0) {
    for (Function &F : M)
      if (isProgramEntry(F)) {
        F.getContext().diagnose(DiagnosticInfoUnsupported(
            F, "hyperupcall: programs must be compiled with -O1 or higher "
               "(the guest-pointer pass needs promoted pointers)"));
        break;
      }
    return PreservedAnalyses::all();
  }

  PtrClassifier PC(M);
  SmallVector<Instruction *, 16> Dead;
  std::vector<std::unique_ptr<FunctionRewriter>> Rewriters;
  for (Function &F : M) {
    if (F.isDeclaration())
      continue;
    Rewriters.push_back(std::make_unique<FunctionRewriter>(F, PC, Dead));
    Rewriters.back()->run();
  }
  // Classification is done: now the IR may lose values.
  for (Instruction *I : Dead)
    I->eraseFromParent();
  for (auto &R : Rewriters)
    R->cleanUp();
  bool Changed = !Rewriters.empty();
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace hup

// The plugin: `-passes=hup-guest-ptr` for opt, and OptimizerLast for clang
// (-fpass-plugin), where it runs after the BPF target's CO-RE lowering.
extern "C" LLVM_ATTRIBUTE_WEAK LLVM_ATTRIBUTE_VISIBILITY_DEFAULT PassPluginLibraryInfo
llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "HupGuestPtr", "0.1", [](PassBuilder &PB) {
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name != "hup-guest-ptr")
                    return false;
                  MPM.addPass(hup::HupGuestPtrPass());
                  return true;
                });
            PB.registerOptimizerLastEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel Level) {
                  MPM.addPass(hup::HupGuestPtrPass(
                      Level == OptimizationLevel::O0));
                });
          }};
}
