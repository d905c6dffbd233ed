# ldx with an imm
-- asm
.insn 0x79, 0, 1, 0, 4
exit
-- error
EINVAL
-- log
0: reserved fields of opcode 0x79 must be zero
