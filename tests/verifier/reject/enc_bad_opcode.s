# 0x00 (ld imm, 32-bit) is no opcode
-- asm
.insn 0x00, 0, 0, 0, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: invalid opcode 0x00
