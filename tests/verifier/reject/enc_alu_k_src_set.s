# K-form ALU with a src_reg
-- asm
.insn 0x07, 0, 1, 0, 5
mov %r0, 0
exit
-- error
EINVAL
-- log
0: reserved fields of opcode 0x07 must be zero
