//===- Classify.cpp - host or guest: where a pointer comes from ----------===//
//
// SPDX-License-Identifier: BSD-2-Clause
//
// The provenance analysis behind the guest-pointer pass: every pointer value
// is host, guest, none (null/undef) or mixed, following the rules listed in
// HupGuestPtr.h.  Parameters of local functions are inferred from their call
// sites (and the `data` parameter of a HUP_FN_loop callback from the loop
// call), iterated to a fixed point; the lattice only grows, so it converges.
//
//===----------------------------------------------------------------------===//
#include "HupGuestPtr.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/IntrinsicsBPF.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"

using namespace llvm;

namespace hup {

const char *ptrClassName(PtrClass C) {
  switch (C) {
  case PtrClass::None:
    return "none";
  case PtrClass::Host:
    return "host";
  case PtrClass::Guest:
    return "guest";
  case PtrClass::Mixed:
    return "host or guest";
  }
  return "?";
}

bool isProgramEntry(const Function &F) {
  return !F.isDeclaration() && F.hasSection() && F.getSection() != ".text";
}

bool isCoreGlobal(const Value *V) {
  const auto *GV = dyn_cast<GlobalVariable>(V);
  if (!GV)
    return false;
  // BPFAbstractMemberAccess / BPFPreserveDIType create these: external
  // i64 globals the BTF emitter turns into CO-RE relocations.
  return GV->hasAttribute("btf_ama") || GV->hasAttribute("btf_type_id") ||
         (GV->isDeclaration() && GV->getName().starts_with("llvm."));
}

uint64_t helperId(const Value *Callee) {
  // clang emits a helper call `((fn_t)ID)(...)` as a call through
  // `inttoptr (i64 ID to ptr)`.
  if (const auto *CE = dyn_cast<ConstantExpr>(Callee))
    if (CE->getOpcode() == Instruction::IntToPtr)
      if (const auto *CI = dyn_cast<ConstantInt>(CE->getOperand(0)))
        return CI->getZExtValue();
  return 0;
}

static bool isHostType(const Type *T) {
  return T->isPointerTy() && T->getPointerAddressSpace() == HostAddrSpace;
}

// A callee whose pointer parameters we infer from the call sites: defined
// here, local, and only ever called directly or handed to HUP_FN_loop.
static bool callersAreKnown(const Function &F) {
  if (F.isDeclaration() || !F.hasLocalLinkage() || isProgramEntry(F))
    return false;
  for (const Use &U : F.uses()) {
    const auto *CB = dyn_cast<CallBase>(U.getUser());
    if (!CB)
      return false;
    if (CB->isCallee(&U))
      continue;
    if (helperId(CB->getCalledOperand()) == HelperLoop &&
        CB->getArgOperandNo(&U) == 1)
      continue;
    return false;
  }
  return true;
}

PtrClassifier::PtrClassifier(Module &M) { inferArguments(M); }

void PtrClassifier::inferArguments(Module &M) {
  SmallVector<Argument *, 16> Inferred;
  for (Function &F : M) {
    if (F.isDeclaration())
      continue;
    bool Entry = isProgramEntry(F);
    bool Known = callersAreKnown(F);
    for (Argument &A : F.args()) {
      if (!A.getType()->isPointerTy())
        continue;
      if (isHostType(A.getType()) || (Entry && A.getArgNo() == 0))
        Args[&A] = PtrClass::Host;
      else if (Known) {
        Args[&A] = PtrClass::None;
        Inferred.push_back(&A);
      } else
        Args[&A] = PtrClass::Guest;
    }
  }

  // Fixed point: a parameter's class is the join of what its call sites
  // pass, which may depend on other inferred parameters.
  for (unsigned Round = 0; Round < 16; ++Round) {
    bool Changed = false;
    Cache.clear();
    Returns.clear();
    for (Argument *A : Inferred) {
      Function *F = A->getParent();
      PtrClass C = Args[A];
      for (const Use &U : F->uses()) {
        const auto *CB = cast<CallBase>(U.getUser());
        const Value *Actual = nullptr;
        if (CB->isCallee(&U)) {
          if (A->getArgNo() < CB->arg_size())
            Actual = CB->getArgOperand(A->getArgNo());
        } else if (A->getArgNo() == 1 && CB->arg_size() > 2) {
          Actual = CB->getArgOperand(2); // loop(nr, fn, data, flags)
        }
        if (Actual)
          C = join(C, classify(Actual));
      }
      if (C != Args[A]) {
        Args[A] = C;
        Changed = true;
      }
    }
    if (!Changed)
      break;
  }
  Cache.clear();
  Returns.clear();
}

PtrClass PtrClassifier::argClass(const Argument *A) {
  auto It = Args.find(A);
  return It == Args.end() ? PtrClass::Guest : It->second;
}

PtrClass PtrClassifier::classify(const Value *V) {
  auto It = Cache.find(V);
  if (It != Cache.end())
    return It->second;
  if (!InProgress.insert(V).second) {
    // A cycle through integer casts or recursive returns: the other
    // sources decide.  Results computed meanwhile are not cached.
    ++CycleHits;
    return PtrClass::None;
  }
  unsigned HitsBefore = CycleHits;

  // Walk through the operations that keep a pointer's provenance (GEPs,
  // casts, phis, selects, passthrough) to the sources, and join those.
  PtrClass C = PtrClass::None;
  SmallPtrSet<const Value *, 16> Seen;
  SmallVector<const Value *, 16> Work{V};
  while (!Work.empty()) {
    const Value *X = Work.pop_back_val();
    if (!Seen.insert(X).second)
      continue;
    if (const Value *Through = transparentOperand(X)) {
      Work.push_back(Through);
      continue;
    }
    if (const auto *Phi = dyn_cast<PHINode>(X)) {
      if (!isHostType(Phi->getType())) {
        for (const Value *In : Phi->incoming_values())
          Work.push_back(In);
        continue;
      }
    }
    if (const auto *Sel = dyn_cast<SelectInst>(X)) {
      if (!isHostType(Sel->getType())) {
        Work.push_back(Sel->getTrueValue());
        Work.push_back(Sel->getFalseValue());
        continue;
      }
    }
    C = join(C, classifySource(X));
  }

  InProgress.erase(V);
  if (CycleHits == HitsBefore)
    Cache[V] = C;
  return C;
}

// The operand a pointer-preserving operation passes its provenance from,
// or null if X is a source.
const Value *PtrClassifier::transparentOperand(const Value *X) {
  if (isHostType(X->getType()))
    return nullptr;
  if (const auto *GEP = dyn_cast<GEPOperator>(X))
    return GEP->getPointerOperand();
  if (const auto *GA = dyn_cast<GlobalAlias>(X))
    return GA->getAliasee();
  if (const auto *Op = dyn_cast<Operator>(X)) {
    switch (Op->getOpcode()) {
    case Instruction::BitCast:
    case Instruction::AddrSpaceCast:
    case Instruction::Freeze:
      return Op->getOperand(0);
    default:
      break;
    }
  }
  if (const auto *II = dyn_cast<IntrinsicInst>(X)) {
    switch (II->getIntrinsicID()) {
    case Intrinsic::bpf_passthrough:
      return II->getArgOperand(1);
    case Intrinsic::ssa_copy:
    case Intrinsic::ptrmask:
    case Intrinsic::launder_invariant_group:
    case Intrinsic::strip_invariant_group:
      return II->getArgOperand(0);
    default:
      break;
    }
  }
  return nullptr;
}

PtrClass PtrClassifier::classifySource(const Value *V) {
  if (isHostType(V->getType()))
    return PtrClass::Host; // the __host annotation wins
  if (isa<ConstantPointerNull>(V) || isa<UndefValue>(V))
    return PtrClass::None;
  if (isCoreGlobal(V))
    return PtrClass::Host;
  if (const auto *GV = dyn_cast<GlobalVariable>(V))
    return GV->isDeclaration() ? PtrClass::Guest : PtrClass::Host;
  if (isa<Function>(V))
    return PtrClass::Host;
  if (const auto *A = dyn_cast<Argument>(V))
    return argClass(A);
  if (isa<AllocaInst>(V))
    return PtrClass::Host;
  if (const auto *Op = dyn_cast<Operator>(V))
    if (Op->getOpcode() == Instruction::IntToPtr) {
      SmallPtrSet<const Value *, 16> Seen;
      PtrClass C = classifyInt(Op->getOperand(0), Seen);
      return C == PtrClass::None ? PtrClass::Guest : C;
    }
  if (isa<LoadInst>(V))
    return PtrClass::Guest; // a pointer read out of memory: `p->next`

  if (const auto *CB = dyn_cast<CallBase>(V)) {
    const Function *F = CB->getCalledFunction();
    if (F && !F->isDeclaration() && F->hasLocalLinkage() &&
        !F->isIntrinsic()) {
      auto It = Returns.find(F);
      if (It != Returns.end())
        return It->second;
      if (!InProgress.insert(F).second) {
        ++CycleHits;
        return PtrClass::None;
      }
      unsigned HitsBefore = CycleHits;
      PtrClass C = PtrClass::None;
      for (const BasicBlock &BB : *F)
        if (const auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator()))
          if (const Value *RV = Ret->getReturnValue())
            C = join(C, classify(RV));
      InProgress.erase(F);
      if (CycleHits == HitsBefore)
        Returns[F] = C;
      return C;
    }
  }
  // Anything else producing a pointer (an external call, an unknown
  // intrinsic, extractvalue) is treated as the guest's.
  return PtrClass::Guest;
}

// The provenance of an integer that becomes a pointer: a pointer it was
// made from (ptrtoint), through integer arithmetic; None if it holds no
// pointer we know of (a loaded address, a ksym value, a constant).
PtrClass PtrClassifier::classifyInt(const Value *V,
                                    SmallPtrSetImpl<const Value *> &Seen) {
  if (!Seen.insert(V).second)
    return PtrClass::None;
  if (const auto *Op = dyn_cast<Operator>(V)) {
    switch (Op->getOpcode()) {
    case Instruction::PtrToInt:
      return classify(Op->getOperand(0));
    case Instruction::Add:
    case Instruction::Or:
    case Instruction::Xor:
    case Instruction::And:
      return join(classifyInt(Op->getOperand(0), Seen),
                  classifyInt(Op->getOperand(1), Seen));
    case Instruction::Sub:
    case Instruction::ZExt:
    case Instruction::SExt:
    case Instruction::Trunc:
    case Instruction::Freeze:
      return classifyInt(Op->getOperand(0), Seen);
    default:
      break;
    }
  }
  if (const auto *Phi = dyn_cast<PHINode>(V)) {
    PtrClass C = PtrClass::None;
    for (const Value *In : Phi->incoming_values())
      C = join(C, classifyInt(In, Seen));
    return C;
  }
  if (const auto *Sel = dyn_cast<SelectInst>(V))
    return join(classifyInt(Sel->getTrueValue(), Seen),
                classifyInt(Sel->getFalseValue(), Seen));
  return PtrClass::None;
}

} // namespace hup
