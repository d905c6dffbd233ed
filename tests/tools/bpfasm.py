#!/usr/bin/env python3
"""bpfasm: an eBPF assembler for the conformance suite's syntax, plus ours.

Used by the verifier corpus (tests/verifier) and checked against the
independently assembled hex/NAME.hex of the 313-test conformance suite
(ctest bpfasm-conformance).

Syntax, one instruction per line; '#' starts a comment; blank lines ignored.

  label:                      a label (alone on its line, or before an insn)
  Registers                   %r0..%r10 (also r0..r10)
  Numbers                     decimal or 0x hex, optionally negative
  Memory operands             [%rN], [%rN+off], [%rN-off]
  Jump targets                a label, or a numeric offset +N / -N; the
                              name `exit`, unless defined as a label, is
                              the next exit instruction (suite convention)

  ALU (64-bit; add suffix 32 for the 32-bit class):
    add sub mul div or and lsh rsh mod xor mov arsh  dst, src|imm
    sdiv smod                 dst, src|imm     (off = 1)
    neg                       dst
    movsx{8,16,32}{32,64}     dst, src         e.g. movsx864: 8 -> 64 bits
  Byte order:  le16 le32 le64 be16 be32 be64 dst;  bswap16/32/64 (alias
               swap16/32/64) dst
  Jumps:  ja target; ja32 target (gotol, 32-bit offset in imm);
          jeq jgt jge jlt jle jset jne jsgt jsge jslt jsle [32] dst, src|imm, target
  Calls:  call IMM (helper); call local LABEL (BPF-to-BPF); call %rN (callx)
          exit
  Loads:  lddw dst, imm64
          ldx{b,h,w,dw} dst, [src+off]     ldxs{b,h,w} (sign-extending)
  Stores: st{b,h,w,dw} [dst+off], imm      stx{b,h,w,dw} [dst+off], src
  Atomics: lock [fetch] {add,or,and,xor}[32] [dst+off], src
           lock xchg[32] [dst+off], src    lock cmpxchg[32] [dst+off], src

Extensions (not in the suite):
  lddw dst, view_base         ldimm64 src_reg=HUP_PSEUDO_VIEW_BASE (12)
  lddw dst, view_mask         ldimm64 src_reg=HUP_PSEUDO_VIEW_MASK (13)
  lddw dst, func LABEL        ldimm64 src_reg=BPF_PSEUDO_FUNC (4), imm =
                              LABEL - (pc + 1): a loop callback
  call NAME                   helper by name: guest_read, guest_write,
                              guest_memset, host_ns, guest_tsc, vcpu_reg,
                              debug_print, loop, output, vcpu_id
  .insn code, dst, src, off, imm   any raw instruction (malformed ones too)
  .raw 0xWORD                 one raw 64-bit little-endian word (as `-- raw`)
  .rep N ... .endr            repeat the enclosed lines N times (labels
                              inside are not allowed)
Named constants usable as immediates: LOOP_MAX, COPY_MAX, STACK_SIZE.

Usage: bpfasm.py [-o OUT] [--hex] FILE    (binary by default, '-' = stdin)
As a module: assemble(text) -> bytes.
"""

import re
import struct
import sys

ALU_OPS = {"add": 0x00, "sub": 0x10, "mul": 0x20, "div": 0x30, "or": 0x40,
           "and": 0x50, "lsh": 0x60, "rsh": 0x70, "neg": 0x80, "mod": 0x90,
           "xor": 0xa0, "mov": 0xb0, "arsh": 0xc0, "sdiv": 0x30,
           "smod": 0x90}
JMP_OPS = {"jeq": 0x10, "jgt": 0x20, "jge": 0x30, "jset": 0x40, "jne": 0x50,
           "jsgt": 0x60, "jsge": 0x70, "jlt": 0xa0, "jle": 0xb0,
           "jslt": 0xc0, "jsle": 0xd0}
SIZES = {"b": 0x10, "h": 0x08, "w": 0x00, "dw": 0x18}
ATOMIC_OPS = {"add": 0x00, "or": 0x40, "and": 0x50, "xor": 0xa0}
HELPERS = {"guest_read": 1, "guest_write": 2, "guest_memset": 3,
           "host_ns": 4, "guest_tsc": 5, "vcpu_reg": 6, "debug_print": 7,
           "loop": 8, "output": 9, "vcpu_id": 10}
CONSTS = {"LOOP_MAX": 1 << 20, "COPY_MAX": 4096, "STACK_SIZE": 512}

BPF_ALU, BPF_JMP, BPF_JMP32, BPF_ALU64 = 0x04, 0x05, 0x06, 0x07
BPF_LD, BPF_LDX, BPF_ST, BPF_STX = 0x00, 0x01, 0x02, 0x03
BPF_K, BPF_X = 0x00, 0x08
PSEUDO_CALL, PSEUDO_FUNC, VIEW_BASE, VIEW_MASK = 1, 4, 12, 13


class AsmError(Exception):
    pass


def parse_reg(s):
    m = re.fullmatch(r"%?r(\d+)", s.strip())
    if not m or int(m.group(1)) > 15:
        raise AsmError("bad register %r" % s)
    return int(m.group(1))


def is_reg(s):
    return re.fullmatch(r"%?r\d+", s.strip()) is not None


def parse_imm(s):
    s = s.strip()
    if s in CONSTS:
        return CONSTS[s]
    try:
        return int(s, 0)
    except ValueError:
        raise AsmError("bad immediate %r" % s)


def parse_mem(s):
    m = re.fullmatch(r"\[\s*(%?r\d+)\s*(?:([+-])\s*(\w+))?\s*\]", s.strip())
    if not m:
        raise AsmError("bad memory operand %r" % s)
    off = 0
    if m.group(2):
        off = parse_imm(m.group(3))
        if m.group(2) == "-":
            off = -off
    return parse_reg(m.group(1)), off


def split_operands(s):
    """Split on commas outside brackets."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def s16(v):
    if not -0x8000 <= v <= 0x7fff:
        raise AsmError("offset %d does not fit 16 bits" % v)
    return v


def s32(v):
    if -0x80000000 <= v <= 0xffffffff:
        return v - (1 << 32) if v > 0x7fffffff else v
    raise AsmError("immediate %d does not fit 32 bits" % v)


class Insn:
    """One 8-byte slot; a jump's target is resolved after labels."""

    def __init__(self, code, dst=0, src=0, off=0, imm=0, target=None,
                 field="off"):
        self.code, self.dst, self.src, self.off, self.imm = \
            code, dst, src, off, imm
        self.target, self.field = target, field
        self.raw = None

    def encode(self):
        if self.raw is not None:
            return struct.pack("<Q", self.raw & 0xffffffffffffffff)
        return struct.pack("<BBhi", self.code & 0xff,
                           (self.dst & 0xf) | ((self.src & 0xf) << 4),
                           s16(self.off), s32(self.imm))


def expand_reps(lines):
    out, i = [], 0
    while i < len(lines):
        ln = lines[i].split("#", 1)[0].strip()
        m = re.fullmatch(r"\.rep\s+(\S+)", ln)
        if not m:
            out.append(lines[i])
            i += 1
            continue
        depth, j = 1, i + 1
        while j < len(lines):
            t = lines[j].split("#", 1)[0].strip()
            if t.startswith(".rep"):
                depth += 1
            elif t == ".endr":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if depth:
            raise AsmError(".rep without .endr")
        body = expand_reps(lines[i + 1:j])
        out.extend(body * parse_imm(m.group(1)))
        i = j + 1
    return out


def assemble(text):
    insns, labels = [], {}
    for lineno, line in enumerate(expand_reps(text.splitlines()), 1):
        line = line.split("#", 1)[0].strip()
        while True:
            m = re.match(r"^([A-Za-z_.$][\w.$]*)\s*:\s*(.*)$", line)
            if not m:
                break
            if m.group(1) in labels:
                raise AsmError("duplicate label %s" % m.group(1))
            labels[m.group(1)] = len(insns)
            line = m.group(2)
        if not line:
            continue
        try:
            insns.extend(assemble_line(line, len(insns)))
        except AsmError as e:
            raise AsmError("line %d: %s: %s" % (lineno, line, e))
    for pc, ins in enumerate(insns):
        if ins.target is None:
            continue
        t = ins.target
        if isinstance(t, str):
            if t == "exit" and t not in labels:
                # the suite's convention: `exit` names the first exit
                nxt = [i for i in range(len(insns))
                       if insns[i].code == BPF_JMP | 0x90
                       and insns[i].raw is None]
                if not nxt:
                    raise AsmError("jump to exit but no exit insn")
                rel = nxt[0] - (pc + 1)
            elif t not in labels:
                raise AsmError("unknown label %s" % t)
            else:
                rel = labels[t] - (pc + 1)
        else:
            rel = t
        if ins.field == "off":
            ins.off = rel
        else:
            ins.imm = rel
    return b"".join(i.encode() for i in insns)


def target_of(s):
    s = s.strip()
    if re.fullmatch(r"[+-]\s*\w+", s) or re.fullmatch(r"-?\d+", s):
        return parse_imm(s.replace(" ", ""))
    return s


def assemble_line(line, pc):
    parts = line.split(None, 1)
    mn = parts[0].lower()
    rest = parts[1] if len(parts) > 1 else ""
    ops = split_operands(rest)

    if mn == ".insn":
        if len(ops) != 5:
            raise AsmError(".insn needs code, dst, src, off, imm")
        v = [parse_imm(o) for o in ops]
        return [Insn(v[0], v[1], v[2], v[3], v[4])]
    if mn == ".raw":
        ins = Insn(0)
        ins.raw = parse_imm(ops[0])
        return [ins]
    if mn == "exit":
        return [Insn(BPF_JMP | 0x90)]
    if mn == "call":
        if rest.startswith("local"):
            return [Insn(BPF_JMP | 0x80, src=PSEUDO_CALL,
                         target=rest.split(None, 1)[1].strip(),
                         field="imm")]
        if is_reg(rest):
            return [Insn(BPF_JMP | 0x80 | BPF_X, dst=parse_reg(rest))]
        if rest.strip() in HELPERS:
            return [Insn(BPF_JMP | 0x80, imm=HELPERS[rest.strip()])]
        return [Insn(BPF_JMP | 0x80, imm=parse_imm(rest))]
    if mn == "ja":
        return [Insn(BPF_JMP | 0x00, target=target_of(rest))]
    if mn == "ja32":
        return [Insn(BPF_JMP32 | 0x00, target=target_of(rest), field="imm")]
    if mn == "lddw":
        dst = parse_reg(ops[0])
        arg = ops[1].strip()
        if arg == "view_base":
            return [Insn(0x18, dst, VIEW_BASE), Insn(0)]
        if arg == "view_mask":
            return [Insn(0x18, dst, VIEW_MASK), Insn(0)]
        if arg.startswith("func"):
            return [Insn(0x18, dst, PSEUDO_FUNC, target=arg.split()[1],
                         field="imm"), Insn(0)]
        v = parse_imm(arg) & 0xffffffffffffffff
        return [Insn(0x18, dst, 0, 0, s32(v & 0xffffffff)),
                Insn(0, 0, 0, 0, s32(v >> 32))]
    m = re.fullmatch(r"ldx(s?)(b|h|w|dw)", mn)
    if m:
        src, off = parse_mem(ops[1])
        mode = 0x80 if m.group(1) else 0x60
        return [Insn(BPF_LDX | mode | SIZES[m.group(2)], parse_reg(ops[0]),
                     src, off)]
    m = re.fullmatch(r"st(x?)(b|h|w|dw)", mn)
    if m:
        dst, off = parse_mem(ops[0])
        if m.group(1):
            return [Insn(BPF_STX | 0x60 | SIZES[m.group(2)], dst,
                         parse_reg(ops[1]), off)]
        return [Insn(BPF_ST | 0x60 | SIZES[m.group(2)], dst, 0, off,
                     parse_imm(ops[1]))]
    if mn == "lock":
        words = rest.split(None, 1)
        fetch = 0
        if words[0] == "fetch":
            fetch = 1
            words = words[1].split(None, 1)
        op, args = words[0], split_operands(words[1])
        size = 0x00 if op.endswith("32") else 0x18
        op = op[:-2] if op.endswith("32") else op
        if op == "xchg":
            imm = 0xe1
        elif op == "cmpxchg":
            imm = 0xf1
        elif op in ATOMIC_OPS:
            imm = ATOMIC_OPS[op] | fetch
        else:
            raise AsmError("unknown atomic op %s" % op)
        dst, off = parse_mem(args[0])
        return [Insn(BPF_STX | 0xc0 | size, dst, parse_reg(args[1]), off,
                     imm)]
    m = re.fullmatch(r"(le|be|bswap|swap)(16|32|64)", mn)
    if m:
        kind, width = m.group(1), int(m.group(2))
        if kind == "le":
            code = BPF_ALU | 0xd0 | BPF_K
        elif kind == "be":
            code = BPF_ALU | 0xd0 | BPF_X
        else:
            code = BPF_ALU64 | 0xd0 | BPF_K
        return [Insn(code, parse_reg(ops[0]), imm=width)]
    m = re.fullmatch(r"movsx(8|16|32)(32|64)", mn)
    if m:
        cls = BPF_ALU64 if m.group(2) == "64" else BPF_ALU
        return [Insn(cls | 0xb0 | BPF_X, parse_reg(ops[0]),
                     parse_reg(ops[1]), int(m.group(1)))]
    m = re.fullmatch(r"(j[a-z]+?)(32)?", mn)
    if m and m.group(1) in JMP_OPS:
        cls = BPF_JMP32 if m.group(2) else BPF_JMP
        code = cls | JMP_OPS[m.group(1)]
        dst = parse_reg(ops[0])
        if is_reg(ops[1]):
            return [Insn(code | BPF_X, dst, parse_reg(ops[1]),
                         target=target_of(ops[2]))]
        return [Insn(code, dst, 0, imm=parse_imm(ops[1]),
                     target=target_of(ops[2]))]
    m = re.fullmatch(r"([a-z]+?)(32)?", mn)
    if m and m.group(1) in ALU_OPS:
        cls = BPF_ALU if m.group(2) else BPF_ALU64
        name = m.group(1)
        code = cls | ALU_OPS[name]
        off = 1 if name in ("sdiv", "smod") else 0
        dst = parse_reg(ops[0])
        if name == "neg":
            return [Insn(code, dst)]
        if is_reg(ops[1]):
            return [Insn(code | BPF_X, dst, parse_reg(ops[1]), off)]
        return [Insn(code, dst, 0, off, parse_imm(ops[1]))]
    raise AsmError("unknown mnemonic %s" % mn)


def main(argv):
    out, as_hex, src = None, False, None
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == "-o":
            out = args.pop(0)
        elif a == "--hex":
            as_hex = True
        else:
            src = a
    if src is None:
        sys.stderr.write(__doc__)
        return 2
    text = sys.stdin.read() if src == "-" else open(src).read()
    try:
        code = assemble(text)
    except AsmError as e:
        sys.stderr.write("bpfasm: %s: %s\n" % (src, e))
        return 1
    if as_hex:
        data = (" ".join("%02x" % b for b in code) + "\n").encode()
    else:
        data = code
    if out:
        with open(out, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
