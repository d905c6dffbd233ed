# K-form jump with a src_reg
-- asm
mov %r0, 0
.insn 0x15, 0, 3, 0, 0
exit
-- error
EINVAL
-- log
1: reserved fields of opcode 0x15 must be zero
